"""The crisis pathway after a crisis answer: alerts, the therapist's actions, escalation.

A crisis flag is not a trend to raise at the next session. Its therapist is
emailed at once; the therapist records what they did (contacted the client,
reviewed the safety plan, cleared it with a note); and if nobody records
anything within CRISIS_ESCALATION_HOURS, the practice's on-call contact is
emailed. Every email is a SafetyAlert row written in the same transaction as
the reason for it and sent by a background task after commit, so a mail
outage delays an alert (the next sweep retries it) but never loses it and
never turns the client's save into an error page. No email names the client.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from portal.formats import local_date
from portal.models import User
from portal.tasks import retry_later

from .models import (
    SAFETY_KINDS,
    Flag,
    FlagKind,
    FlagStatus,
    SafetyAction,
    SafetyActionKind,
    SafetyAlert,
    SafetyAlertKind,
)

logger = logging.getLogger(__name__)

# Translated when the email is sent.
ALERT_SUBJECTS = {
    SafetyAlertKind.THERAPIST: gettext_noop("A client needs your attention"),
    SafetyAlertKind.ESCALATION: gettext_noop("A crisis answer has had no action in time"),
}
# A fresh alert is left to its own on-commit task for this long before the
# sweep picks it up, so the two do not race for the same row.
SWEEP_GRACE = timedelta(minutes=1)
# A time recorded for an action may be slightly ahead of the server clock
# (clocks on phones and laptops drift), but never hours ahead.
FUTURE_TOLERANCE = timedelta(minutes=10)


class SafetyError(Exception):
    """An action on a safety flag that the rules refuse; the message is for the therapist."""


# What the therapist is told, translated when it is raised.
NOTE_REQUIRED_TO_CLEAR = gettext_noop(
    "Please say why the crisis is cleared (what was done, what was agreed)."
)
METHOD_REQUIRED = gettext_noop("Please say how you contacted the client.")
NOT_A_SAFETY_FLAG = gettext_noop("Only a crisis flag takes these actions.")
ALREADY_CLEARED = gettext_noop("This crisis flag is already cleared.")
WHEN_IN_FUTURE = gettext_noop("That time is in the future. When did it happen?")
WHEN_BEFORE_FLAG = gettext_noop("That is before the client's crisis answer. When did it happen?")
# Why an alert is still unsent, for the admin and the logs.
NOBODY_TO_TELL = (
    "Nobody to send it to: set the practice's on-call email in the admin "
    "(or ESCALATION_FALLBACK_EMAILS)."
)
FLAG_HANDLED_FIRST = "Not sent: the crisis flag was cleared or closed first."


def escalation_window() -> timedelta:
    return timedelta(hours=settings.CRISIS_ESCALATION_HOURS)


def on_call_recipients(practice) -> list[str]:
    """Who hears an escalation: the practice's on-call contact, else its staff, else
    ESCALATION_FALLBACK_EMAILS. Blank addresses never count as someone."""
    if practice is not None and practice.on_call_email:
        return [practice.on_call_email]
    if practice is not None:
        staff = [
            email
            for email in User.objects.filter(practice=practice, is_staff=True, is_active=True)
            .order_by("pk")
            .values_list("email", flat=True)
            if email
        ]
        if staff:
            return staff
    return [email for email in settings.ESCALATION_FALLBACK_EMAILS if email]


def alert_on_new_safety_flag(flag: Flag) -> SafetyAlert:
    """Queue the first alert for a new crisis flag: to the therapist, or, when the
    client has no therapist, straight to the on-call contact."""
    therapist = flag.client.current_therapist()
    if therapist is not None:
        return _queue_alert(flag, SafetyAlertKind.THERAPIST, [therapist.email])
    return _queue_alert(flag, SafetyAlertKind.ESCALATION, on_call_recipients(flag.client.practice))


def _queue_alert(flag: Flag, kind: str, recipients: list[str]) -> SafetyAlert | None:
    try:
        with transaction.atomic():
            alert = SafetyAlert.objects.create(flag=flag, kind=kind, recipients=recipients)
    except IntegrityError:
        return None  # already queued: each kind goes out once per flag
    _send_after_commit(alert.pk)
    return alert


def _send_after_commit(alert_id: int) -> None:
    from .tasks import send_safety_alert

    transaction.on_commit(lambda: send_safety_alert.enqueue(alert_id=alert_id))


ANSWER_WORDS = {
    FlagKind.CRISIS: gettext_lazy("answered that they are in crisis"),
    FlagKind.SAFETY_ITEM: gettext_lazy(
        "answered a questionnaire item about thoughts of being better off dead or of self-harm"
    ),
}


def alert_context(alert: SafetyAlert) -> dict:
    """What an alert email says: who to sign in as and where, never who the client is."""
    flag = alert.flag
    therapist = flag.client.current_therapist()
    return {
        "kind": alert.kind,
        # What the client answered, in words that name no one: a crisis answer, or
        # thoughts of death or self-harm on a questionnaire.
        "answer": ANSWER_WORDS.get(flag.kind, ANSWER_WORDS[FlagKind.CRISIS]),
        "practice": flag.client.practice,
        "therapist_name": therapist.display_name if therapist else None,
        "hours": settings.CRISIS_ESCALATION_HOURS,
        "opened_at": flag.opened_at,
        "reference": flag.pk,
        "sign_in_url": settings.SITE_URL + reverse("caseload"),
        "admin_url": settings.SITE_URL + reverse("admin:checkins_flag_change", args=[flag.pk]),
    }


def deliver_safety_alert(alert_id: int, *, now: datetime | None = None) -> bool:
    """Send one alert if it is still unsent. A failure is recorded, not raised, and
    the alert stays unsent so the next try sends it. Returns whether it went out."""
    with transaction.atomic():
        # Skip a row another worker is sending: a hung send must not queue the rest.
        alert = (
            SafetyAlert.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("flag__client__practice")
            .filter(pk=alert_id, sent_at__isnull=True)
            .first()
        )
        if alert is None:
            return False
        if alert.flag.closed_at or alert.flag.status != FlagStatus.OPEN:
            alert.last_error = FLAG_HANDLED_FIRST
            alert.save(update_fields=["last_error"])
            return False
        if not alert.recipients and alert.kind == SafetyAlertKind.ESCALATION:
            # Someone may have set the on-call contact since the alert was queued.
            alert.recipients = on_call_recipients(alert.flag.client.practice)
            alert.save(update_fields=["recipients"])
        alert.recipients = [r for r in alert.recipients if r]
        if not alert.recipients:
            alert.attempts += 1
            alert.last_error = NOBODY_TO_TELL
            alert.save(update_fields=["attempts", "last_error"])
            logger.error("Safety alert %s has nobody to go to: %s", alert.pk, NOBODY_TO_TELL)
            return False
        context = alert_context(alert)
        try:
            # Each recipient reads it in their own language; an address with no
            # account (an on-call mailbox, say) in the portal's default.
            for language, recipients in _by_language(alert.recipients).items():
                with translation.override(language):
                    subject = gettext(ALERT_SUBJECTS[alert.kind])
                    body = render_to_string("checkins/email/safety_alert.txt", context)
                if not send_mail(subject, body, None, recipients):
                    raise RuntimeError("the mail backend sent nothing")
        except Exception as error:  # any mail failure: keep the alert and retry it
            alert.attempts += 1
            alert.last_error = f"{type(error).__name__}: {error}"[:300]
            alert.save(update_fields=["attempts", "last_error"])
            logger.exception("Safety alert %s not sent (attempt %s)", alert.pk, alert.attempts)
            _retry_later(alert)
            return False
        alert.attempts += 1
        alert.sent_at = now or timezone.now()
        alert.last_error = ""
        alert.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def _by_language(addresses: list[str]) -> dict[str, list[str]]:
    known = dict(
        User.objects.filter(email__in=addresses).values_list("email", "language").order_by()
    )
    groups: dict[str, list[str]] = {}
    for address in addresses:
        groups.setdefault(known.get(address, settings.LANGUAGE_CODE), []).append(address)
    return groups


def _retry_later(alert: SafetyAlert) -> None:
    from .tasks import send_safety_alert

    retry_later(send_safety_alert, after_attempt=alert.attempts, alert_id=alert.pk)


def flags_due_for_escalation(now: datetime):
    """Open safety flags older than the window with no action recorded and no
    escalation yet."""
    return (
        Flag.objects.active()
        .filter(
            kind__in=SAFETY_KINDS, status=FlagStatus.OPEN, opened_at__lte=now - escalation_window()
        )
        .exclude(Exists(SafetyAction.objects.filter(flag=OuterRef("pk"))))
        .exclude(
            Exists(SafetyAlert.objects.filter(flag=OuterRef("pk"), kind=SafetyAlertKind.ESCALATION))
        )
        .select_related("client__practice")
    )


@transaction.atomic
def sweep_safety_alerts(*, now: datetime | None = None) -> int:
    """Escalate what is overdue and retry every alert not yet sent; run by the
    scheduler with the reminders. Returns how many alerts were queued."""
    now = now or timezone.now()
    queued = 0
    for flag in flags_due_for_escalation(now):
        if _queue_alert(flag, SafetyAlertKind.ESCALATION, on_call_recipients(flag.client.practice)):
            queued += 1
    for alert_id in SafetyAlert.objects.filter(
        sent_at__isnull=True,
        created_at__lte=now - SWEEP_GRACE,
        flag__closed_at__isnull=True,
        flag__status=FlagStatus.OPEN,
    ).values_list("pk", flat=True):
        _send_after_commit(alert_id)
        queued += 1
    return queued


@transaction.atomic
def record_safety_action(
    *,
    flag: Flag,
    by: User,
    kind: str,
    done_at: datetime,
    method: str = "",
    note: str = "",
    now: datetime | None = None,
) -> SafetyAction:
    """Record what the therapist did about a crisis flag. "Cleared" needs a note and
    closes the flag's alerting; any action stops the escalation."""
    now = now or timezone.now()
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    note = note.strip()
    if not flag.is_safety:
        raise SafetyError(gettext(NOT_A_SAFETY_FLAG))
    if flag.status == FlagStatus.CLEARED:
        raise SafetyError(gettext(ALREADY_CLEARED))
    if done_at > now + FUTURE_TOLERANCE:
        raise SafetyError(gettext(WHEN_IN_FUTURE))
    if done_at < flag.opened_at - FUTURE_TOLERANCE:
        raise SafetyError(gettext(WHEN_BEFORE_FLAG))
    if kind == SafetyActionKind.CONTACTED and not method:
        raise SafetyError(gettext(METHOD_REQUIRED))
    if kind == SafetyActionKind.CLEARED and not note:
        raise SafetyError(gettext(NOTE_REQUIRED_TO_CLEAR))
    action = SafetyAction.objects.create(
        flag=flag, kind=kind, done_at=done_at, method=method, note=note, by=by, recorded_at=now
    )
    if kind == SafetyActionKind.CLEARED:
        flag.status = FlagStatus.CLEARED
        flag.note = note
        flag.handled_by = by
        flag.handled_at = now
        flag.handled_score = flag.score
        flag.save()
    return action


# Where an open crisis flag stands, in words: what the therapist recorded and
# whether it went to the on-call contact. Worded when read, in the reader's
# language and time zone.
STANDING_NO_ACTION = gettext_lazy("No action recorded yet — opened %(when)s (%(ago)s ago)")
STANDING_CONTACTED = gettext_lazy("Client contacted %(when)s (%(method)s)")
STANDING_CONTACTED_NO_METHOD = gettext_lazy("Client contacted %(when)s")
STANDING_SAFETY_PLAN = gettext_lazy("Safety plan reviewed %(date)s")
STANDING_ESCALATED_NAMED = gettext_lazy("Escalated to the on-call contact (%(name)s) %(when)s")
STANDING_ESCALATED = gettext_lazy("Escalated to the on-call contact %(when)s")
STANDING_ESCALATED_STAFF = gettext_lazy("Escalated to the practice's staff %(when)s")
STANDING_ESCALATION_UNSENT = gettext_lazy(
    "Escalation to the on-call contact not sent yet (queued %(when)s; it is retried)"
)


@dataclass(frozen=True, slots=True)
class CrisisStanding:
    """Where an open crisis flag stands: whether anyone has acted, and the steps
    so far in the order they happened."""

    acted_on: bool
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " · ".join(self.lines)


def escalations_with_on_call():
    """The escalation alerts, each with its practice's on-call contact as it is now,
    for `crisis_standing` to say who an escalation went to by role and name."""
    return SafetyAlert.objects.filter(kind=SafetyAlertKind.ESCALATION).annotate(
        on_call_name=F("flag__client__practice__on_call_name"),
        on_call_email=F("flag__client__practice__on_call_email"),
    )


def crisis_standing(
    *, opened_at: datetime, actions: list[SafetyAction], escalations: list, now: datetime | None
) -> CrisisStanding:
    """The latest contact, the latest safety-plan review and the escalation of one
    open crisis flag, with times in the active time zone; or, when nothing is
    recorded, how long it has waited. An escalation alone is not an action: it
    says nobody acted in time."""

    def at(value: datetime) -> str:
        return local_date(timezone.localtime(value), "M j, H:i")

    steps: list[tuple[datetime, str]] = []
    latest = {action.kind: action for action in sorted(actions, key=lambda a: a.done_at)}
    if contact := latest.get(SafetyActionKind.CONTACTED):
        if contact.method:
            words = STANDING_CONTACTED % {
                "when": at(contact.done_at),
                "method": contact.get_method_display().lower(),
            }
        else:
            words = STANDING_CONTACTED_NO_METHOD % {"when": at(contact.done_at)}
        steps.append((contact.done_at, words))
    if review := latest.get(SafetyActionKind.SAFETY_PLAN):
        day = local_date(timezone.localtime(review.done_at).date(), "M j")
        steps.append((review.done_at, STANDING_SAFETY_PLAN % {"date": day}))
    acted_on = bool(steps)
    if not acted_on:
        ago = timesince(opened_at, now, depth=1)
        steps.append((opened_at, STANDING_NO_ACTION % {"when": at(opened_at), "ago": ago}))
    for alert in escalations:
        if alert.sent_at is None:
            words = STANDING_ESCALATION_UNSENT % {"when": at(alert.created_at)}
        elif alert.on_call_email and alert.on_call_email in alert.recipients:
            when = at(alert.sent_at)
            if alert.on_call_name:
                words = STANDING_ESCALATED_NAMED % {"name": alert.on_call_name, "when": when}
            else:
                words = STANDING_ESCALATED % {"when": when}
        else:
            words = STANDING_ESCALATED_STAFF % {"when": at(alert.sent_at)}
        steps.append((alert.sent_at or alert.created_at, words))
    steps.sort(key=lambda step: step[0])
    return CrisisStanding(acted_on=acted_on, lines=tuple(str(words) for _, words in steps))
