"""A client's rights over their data: a full export, and deletion after a grace period."""

import csv
import io
import logging
import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from clinical.measures import INSTRUMENTS, band
from guidance.models import ShownAdvice
from portal.models import (
    AccessLog,
    CaseloadAssignment,
    DeletionRequest,
    Invitation,
    SignedInSession,
    User,
)
from portal.sessions import end_sessions

from .dashboard import forget_rows
from .models import (
    AgendaItem,
    CheckIn,
    Flag,
    MeasureResponse,
    NotificationPreference,
    SentNotification,
)
from .services import ANSWER_FIELDS

logger = logging.getLogger(__name__)

CHECKIN_FIELDS = ["week_start", "submitted_at", *ANSWER_FIELDS]
AGENDA_FIELDS = [
    "text",
    "position",
    "added_at",
    "removed_at",
    "talked_about_at",
    "therapist_note",
    "outcome",
    "answered_at",
]
MEASURE_FIELDS = ["week_start", "instrument", "answers", "follow_up", "total"]
# One column per questionnaire item in the spreadsheet, then the closing
# question and the total.
MEASURE_COLUMNS = [
    (key, column)
    for key, instrument in INSTRUMENTS.items()
    for column in [*(str(n) for n in range(1, len(instrument.items) + 1)), "follow_up", "total"]
]


def _measure(response) -> dict:
    instrument = INSTRUMENTS.get(response.instrument)
    if instrument is None:  # a questionnaire no longer offered: its raw answers
        return {"questionnaire": response.instrument, "answers": response.answers}
    instrument = instrument.in_language(get_language())
    return {
        "questionnaire": instrument.name,
        "answers": [
            {"item": item, "answer": instrument.option_label(value), "score": value}
            for item, value in zip(instrument.items, response.answers, strict=False)
        ],
        "follow_up": (
            dict((o.value, o.label) for o in instrument.follow_up_options).get(response.follow_up)
            if response.follow_up is not None
            else None
        ),
        "total": response.total,
        "range": band(instrument, response.total).label,
        "source": instrument.citation,
    }


def _measure_cells(checkin) -> list:
    given = {r.instrument: r for r in checkin.measure_responses.all()}
    cells = []
    for key, column in MEASURE_COLUMNS:
        response = given.get(key)
        if response is None:
            cells.append("")
        elif column == "total":
            cells.append(response.total)
        elif column == "follow_up":
            cells.append("" if response.follow_up is None else response.follow_up)
        else:
            index = int(column) - 1
            cells.append(response.answers[index] if index < len(response.answers) else "")
    return cells


FLAG_FIELDS = [
    "kind",
    "severity",
    "score",
    "summary",
    "evidence",
    "status",
    "opened_at",
    "closed_at",
    "handled_at",
    "handled_score",
    "raised_on",
    "note",
]


def _name(user) -> str | None:
    return user.display_name if user else None


def _versions(history_rows, fields) -> list[dict]:
    """Every stored version of a record, oldest first: what it said, and when."""
    return [
        {
            "version_at": _iso(row.history_date),
            "change": {"+": "created", "~": "changed", "-": "deleted"}[row.history_type],
            **{name: _iso(getattr(row, name)) for name in fields},
        }
        for row in history_rows
    ]


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_client_data(client: User) -> dict:
    """Every record tied to `client`, as plain JSON-ready data."""
    checkins = (
        CheckIn.objects.filter(client=client)
        .order_by("week_start")
        .prefetch_related("measure_responses")
    )
    shown = ShownAdvice.objects.filter(checkin__client=client).order_by(
        "checkin__week_start", "position"
    )
    by_checkin: dict[int, list[dict]] = {}
    for item in shown:
        by_checkin.setdefault(item.checkin_id, []).append(
            {
                "title": item.title,
                "body": item.body,
                "source": item.credit,
                "reason": item.reason,
                "for": item.audience,
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": client.email,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "phone": client.phone,
            "time_zone": client.time_zone,
            "date_joined": client.date_joined.isoformat(),
            "last_login": _iso(client.last_login),
            "practice": client.practice.name if client.practice else None,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=client)
            ],
            # Which kinds of two-factor sign-in are set up, never their secrets.
            "two_factor": [
                {"type": a.type, "since": _iso(a.created_at)}
                for a in Authenticator.objects.filter(user=client)
            ],
        },
        "invitations": [
            {
                "from": _name(i.therapist),
                "created_at": _iso(i.created_at),
                "sent_at": _iso(i.delivered_at),
                "accepted_at": _iso(i.accepted_at),
            }
            for i in Invitation.objects.filter(
                Q(accepted_by=client) | Q(email__iexact=client.email)
            ).select_related("therapist")
        ],
        "therapists": [
            {
                "therapist": a.therapist.display_name,
                "from": _iso(a.started_at),
                "until": _iso(a.ended_at),
            }
            for a in CaseloadAssignment.objects.filter(client=client).select_related("therapist")
        ],
        "checkins": [
            {
                **{name: _iso(getattr(c, name)) for name in CHECKIN_FIELDS},
                "questionnaires": [_measure(r) for r in c.measure_responses.all()],
                "advice_shown": by_checkin.get(c.pk, []),
            }
            for c in checkins
        ],
        "questionnaire_versions": _versions(
            MeasureResponse.history.filter(client_id=client.pk).order_by("history_date"),
            MEASURE_FIELDS,
        ),
        # Earlier versions of edited answers, and of flags, as the edit history keeps them.
        "checkin_versions": _versions(
            CheckIn.history.filter(client_id=client.pk).order_by("history_date"), CHECKIN_FIELDS
        ),
        "agenda": [
            {
                **{name: _iso(getattr(item, name)) for name in AGENDA_FIELDS},
                "how_it_went": item.get_outcome_display() if item.outcome else None,
            }
            for item in AgendaItem.objects.filter(client=client).order_by("added_at")
        ],
        "agenda_versions": _versions(
            AgendaItem.history.filter(client_id=client.pk).order_by("history_date"), AGENDA_FIELDS
        ),
        "flags": [
            {
                **{name: _iso(getattr(f, name)) for name in FLAG_FIELDS},
                "handled_by": _name(f.handled_by),
                "actions": [
                    {
                        "what": a.get_kind_display(),
                        "when": _iso(a.done_at),
                        "how": a.get_method_display() if a.method else "",
                        "note": a.note,
                        "by": _name(a.by),
                    }
                    for a in f.safety_actions.all()
                ],
                "alerts": [
                    {"what": a.get_kind_display(), "sent_at": _iso(a.sent_at)}
                    for a in f.alerts.all()
                ],
            }
            for f in Flag.objects.filter(client=client)
            .order_by("opened_at")
            .select_related("handled_by")
            .prefetch_related("safety_actions__by", "alerts")
        ],
        "flag_versions": _versions(
            Flag.history.filter(client_id=client.pk).order_by("history_date"), FLAG_FIELDS
        ),
        "reminder_settings": [
            {
                "reminders_enabled": p.reminders_enabled,
                "reminder_weekday": p.get_reminder_weekday_display(),
                "reminder_hour": p.reminder_hour,
            }
            for p in NotificationPreference.objects.filter(user=client)
        ],
        "emails_sent": [
            {"what": n.get_kind_display(), "for": _iso(n.period), "sent_at": _iso(n.sent_at)}
            for n in SentNotification.objects.filter(user=client).order_by("sent_at")
        ],
        "access_log": [
            {"at": _iso(e.at), "by": e.actor_email, "view": e.view, "outcome": e.outcome}
            for e in AccessLog.objects.filter(client=client).order_by("at")
        ],
        # When each open session was signed in, never its key, which would sign
        # whoever holds the file in.
        "signed_in_sessions": [
            {"signed_in_at": _iso(s.signed_in_at)}
            for s in SignedInSession.objects.filter(user=client).order_by("signed_in_at")
        ],
        "deletion_requests": [
            {
                "requested_at": _iso(d.requested_at),
                "due_at": _iso(d.due_at),
                "cancelled_at": _iso(d.cancelled_at),
            }
            for d in DeletionRequest.objects.filter(client=client)
        ],
    }


# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_checkins_csv(client: User) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CHECKIN_FIELDS, *(f"{key}_{column}" for key, column in MEASURE_COLUMNS)])
    checkins = (
        CheckIn.objects.filter(client=client)
        .order_by("week_start")
        .prefetch_related("measure_responses")
    )
    for checkin in checkins:
        writer.writerow(
            [csv_safe(_iso(getattr(checkin, name))) for name in CHECKIN_FIELDS]
            + _measure_cells(checkin)
        )
    return out.getvalue()


def request_deletion(*, client: User) -> DeletionRequest:
    """Schedule the client's data for deletion after the grace period (once: the
    database holds one pending request per client, whatever races to make two)."""
    pending = DeletionRequest.objects.pending().filter(client=client).first()
    if pending:
        return pending
    now = timezone.now()
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(
                client=client,
                client_ref=str(client.public_id),
                requested_at=now,
                due_at=now + timedelta(days=settings.DELETION_GRACE_DAYS),
            )
    except IntegrityError:
        return DeletionRequest.objects.pending().get(client=client)


@transaction.atomic
def cancel_deletion(*, client: User) -> None:
    DeletionRequest.objects.pending().filter(client=client).update(cancelled_at=timezone.now())


@transaction.atomic
def erase_client(*, request: DeletionRequest) -> None:
    """Delete the client's check-ins, advice, flags and their edit history, and
    pseudonymise the account; sign them out everywhere, and drop the dashboard
    rows cached with their name and words. The deletion request itself stays,
    as the record that it happened; the access log keeps only the pseudonymous id."""
    client = request.client
    if client is None:  # the account was deleted outright: nothing is left to erase
        request.completed_at = timezone.now()
        request.save(update_fields=["completed_at"])
        return
    # The admin's action log names the objects it records ("Recent actions").
    invitations = Invitation.objects.filter(Q(accepted_by=client) | Q(email__iexact=client.email))
    logged = Q()
    for model, ids in (
        (User, [client.pk]),
        (CheckIn, CheckIn.objects.filter(client=client).values_list("pk", flat=True)),
        (Flag, Flag.objects.filter(client=client).values_list("pk", flat=True)),
        (Invitation, invitations.values_list("pk", flat=True)),
        (EmailAddress, EmailAddress.objects.filter(user=client).values_list("pk", flat=True)),
    ):
        content_type = ContentType.objects.get_for_model(model)
        logged |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    LogEntry.objects.filter(logged).delete()
    # Cascades to the advice shown and the questionnaire answers.
    CheckIn.objects.filter(client=client).delete()
    Flag.objects.filter(client=client).delete()  # and to the crisis actions and alerts
    # Last, as deleting the rows above writes one more (deletion) snapshot each.
    CheckIn.history.filter(client_id=client.pk).delete()
    MeasureResponse.history.filter(client_id=client.pk).delete()
    AgendaItem.objects.filter(client=client).delete()
    AgendaItem.history.filter(client_id=client.pk).delete()
    Flag.history.filter(client_id=client.pk).delete()
    NotificationPreference.objects.filter(user=client).delete()
    SentNotification.objects.filter(user=client).delete()
    # Every invitation to them, the expired and withdrawn ones too.
    invitations.update(email="erased@invalid", first_name="", last_name="")
    EmailAddress.objects.filter(user=client).delete()
    Authenticator.objects.filter(user=client).delete()
    CaseloadAssignment.objects.filter(client=client, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    # Their sessions hold their id, and messages worded with their email.
    end_sessions(user=client)
    # Now, and again once this commits: a dashboard drawn in between, from the
    # rows as they were before the commit, may have cached its row anew.
    forget_rows(client_id=client.pk)
    transaction.on_commit(lambda: forget_rows(client_id=client.pk), robust=True)
    client.email = f"erased-{uuid.uuid4().hex}@invalid"
    client.first_name = ""
    client.last_name = ""
    client.phone = ""
    client.is_active = False
    client.set_unusable_password()
    client.save()
    request.completed_at = timezone.now()
    request.save(update_fields=["completed_at"])


def erase_due(*, now=None) -> int:
    """Carry out every deletion whose grace period has ended, each on its own:
    one that fails is logged and retried next run, and does not hold up the rest."""
    now = now or timezone.now()
    due = list(DeletionRequest.objects.pending().filter(due_at__lte=now).select_related("client"))
    done = 0
    for request in due:
        try:
            erase_client(request=request)
            done += 1
        except Exception:
            logger.exception(
                "Erasing the data of %s failed; it is retried next run", request.client_ref
            )
    return done
