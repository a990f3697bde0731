"""Emails about check-ins: reminders and the therapist digest (crisis alerts are
in checkins.safety).

None of them carries client data: an email can be read by anyone who sees an
inbox or a lock screen. Reminders and digests are claimed in SentNotification
before they are sent, so each goes out once whatever runs twice.
"""

import logging
import smtplib
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal.emails import send_templated_email, templated_email_for_each
from portal.models import Role, User

from .models import (
    CheckIn,
    Flag,
    NotificationKind,
    NotificationPreference,
    SentNotification,
    week_start_for,
)
from .reminders import digest_due, reminder_due

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "portal.unsubscribe"
UNSUBSCRIBE_REMINDERS = "reminders"
UNSUBSCRIBE_DIGEST = "digest"


def unsubscribe_url(user: User, what: str) -> str:
    """A link that turns one kind of email off for `user`; signed, so it cannot
    be altered to name someone else."""
    token = signing.dumps({"u": str(user.public_id), "w": what}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(public_id=data.get("u"), is_active=True).first()
    if user is None or data.get("w") not in (UNSUBSCRIBE_REMINDERS, UNSUBSCRIBE_DIGEST):
        return None
    return user, data["w"]


def unsubscribe(user: User, what: str) -> None:
    preference = NotificationPreference.objects.for_user(user)
    field = "reminders_enabled" if what == UNSUBSCRIBE_REMINDERS else "digest_enabled"
    setattr(preference, field, False)
    preference.save(update_fields=[field] if preference.pk else None)


def _claim(user: User, kind: str, period: date) -> SentNotification | None:
    """The notification's row, or None if it is claimed already. Outside a
    transaction the insert commits on its own and a refused one leaves nothing
    to roll back: one round trip, where a savepoint would take three."""
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return SentNotification.objects.create(user=user, kind=kind, period=period)
        return SentNotification.objects.create(user=user, kind=kind, period=period)
    except IntegrityError:
        return None


def _send_claimed(claim: SentNotification, send) -> bool:
    """Send, and give the claim back if sending fails so a later run retries."""
    try:
        send()
    except Exception:
        claim.delete()
        raise
    return True


def deliver_reminder(*, client: User, kind: str, week_start: date) -> bool:
    """Send `client` the week's reminder or follow-up, unless it is no longer due
    (checked in meanwhile, reminders turned off) or was already sent."""
    return deliver_reminders([(client, kind, week_start)]) == 1


def _reminder_email(
    client: User, kind: str, week_start: date, rendered: dict | None = None
) -> EmailMultiAlternatives:
    """The reminder for `client`. Only the unsubscribe link is theirs (no client data
    goes in an email), so `rendered` keeps each language, kind and week's email
    rendered once, for a batch to give each client with their own link."""
    key = (client.language, kind, week_start)
    for_recipient = rendered.get(key) if rendered is not None else None
    if for_recipient is None:
        for_recipient = templated_email_for_each(
            template="checkins/email/reminder",
            language=client.language,
            context={
                "follow_up": kind == NotificationKind.FOLLOW_UP,
                "checkin_url": settings.SITE_URL + reverse("checkin"),
                "week_end": week_start + timedelta(days=6),
            },
        )
        if rendered is not None:
            rendered[key] = for_recipient
    return for_recipient(client.email, unsubscribe_url(client, UNSUBSCRIBE_REMINDERS))


# What the server says of one message (this address, this content), not of the
# connection: that message fails and the batch goes on.
MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, BadHeaderError)


def deliver_reminders(reminders: list[tuple[User, str, date]]) -> int:
    """Send a batch of reminders (client, kind, week) through one connection to the
    mail server; returns how many went.

    Each is checked again (still due: not checked in, reminders on), then claimed
    (its SentNotification row, so a batch run twice or two workers at once send
    it once), rendered and sent in turn, so an interrupted batch leaves at most
    one claim without its email. A message the server refuses gives its claim
    back and the batch goes on; a connection that fails gives back the claim in
    hand, the rest are never claimed, and the error is raised for the task's
    record: the next scheduler run sends what is left.
    """
    clients = [client for client, _, _ in reminders]
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=clients)}
    checked_in = set(
        CheckIn.objects.filter(
            client__in=clients, week_start__in={week for _, _, week in reminders}
        ).values_list("client_id", "week_start")
    )
    due = [
        (client, kind, week)
        for client, kind, week in reminders
        if client.is_active
        and (preferences.get(client.pk) or NotificationPreference(user=client)).reminders_enabled
        and (client.pk, week) not in checked_in
    ]
    if not due:
        return 0
    sent = 0
    rendered: dict = {}
    with get_connection() as connection:
        for client, kind, week in due:
            claim = _claim(client, kind, week)
            if claim is None:
                continue
            try:
                connection.send_messages([_reminder_email(client, kind, week, rendered)])
            except MESSAGE_REFUSED:
                logger.exception("A reminder was refused; the next run tries it again.")
                claim.delete()
                continue
            except BaseException:
                claim.delete()
                raise
            sent += 1
    return sent


def new_flag_count(therapist: User, since: datetime) -> int:
    """How many of the therapist's clients have a flag worth raising opened since `since`
    (mentions are not news worth an email)."""
    return (
        Flag.objects.worth_raising()
        .filter(
            client__in=User.objects.caseload_of(therapist),
            opened_at__gt=since,
        )
        .values("client")
        .distinct()
        .count()
    )


def deliver_digest(*, therapist: User, day: date, on_demand: bool = False) -> bool:
    """Email the therapist how many clients have new flags, with a link; no names.

    A scheduled digest with nothing new is not sent; one asked for is.
    """
    last = (
        SentNotification.objects.filter(user=therapist, kind=NotificationKind.DIGEST)
        .order_by("-sent_at")
        .first()
    )
    # The first digest reports every open flag: none has been reported yet.
    since = last.sent_at if last else datetime.min.replace(tzinfo=UTC)
    count = new_flag_count(therapist, since)
    if not on_demand and count == 0:
        return False
    context = {
        "therapist": therapist,
        "count": count,
        "dashboard_url": settings.SITE_URL + reverse("caseload") + "?show=flagged",
    }

    def send():
        send_templated_email(
            to=therapist.email,
            template="checkins/email/digest",
            context=context,
            language=therapist.language,
            unsubscribe_url=unsubscribe_url(therapist, UNSUBSCRIBE_DIGEST),
        )

    if on_demand:
        send()
        return True
    claim = _claim(therapist, NotificationKind.DIGEST, day)
    return claim is not None and _send_claimed(claim, send)


def due_notifications(now: datetime) -> list[dict]:
    """Every reminder and digest due at `now`, as task arguments.

    A fixed handful of queries whatever the number of people; the decisions
    themselves are the pure functions in reminders.py.
    """
    people = list(
        User.objects.filter(is_active=True, role__in=[Role.CLIENT, Role.THERAPIST]).select_related(
            "notification_preference"
        )
    )
    weeks = {p.pk: week_start_for(now, p.tz) for p in people}
    earliest = min(weeks.values(), default=now.date()) - timedelta(days=1)
    checked_in = set(
        CheckIn.objects.filter(week_start__gte=earliest).values_list("client_id", "week_start")
    )
    sent: dict[tuple[int, date], dict[str, datetime]] = {}
    for user_id, kind, period, sent_at in SentNotification.objects.filter(
        period__gte=earliest
    ).values_list("user_id", "kind", "period", "sent_at"):
        sent.setdefault((user_id, period), {})[kind] = sent_at

    due = []
    for person in people:
        preference = getattr(person, "notification_preference", None) or NotificationPreference()
        if person.role == Role.CLIENT:
            if not preference.reminders_enabled:
                continue
            week = weeks[person.pk]
            kind = reminder_due(
                now=now,
                tz=person.tz,
                week_start=week,
                weekday=preference.reminder_weekday,
                hour=preference.reminder_hour,
                checked_in=(person.pk, week) in checked_in,
                sent=sent.get((person.pk, week), {}),
            )
            if kind:
                due.append({"user_id": person.pk, "kind": kind, "period": week.isoformat()})
        elif preference.digest_enabled:
            today = now.astimezone(person.tz).date()
            if digest_due(
                now=now,
                tz=person.tz,
                hour=preference.digest_hour,
                sent_today=NotificationKind.DIGEST in sent.get((person.pk, today), {}),
            ):
                due.append(
                    {
                        "user_id": person.pk,
                        "kind": NotificationKind.DIGEST,
                        "period": today.isoformat(),
                    }
                )
    return due
