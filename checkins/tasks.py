"""Background tasks (django-tasks). Each is safe to run twice: delivery claims
its SentNotification row first."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from portal.models import User
from portal.services import retry_undelivered_invitations
from portal.tasks import retry_later

from .models import NotificationKind
from .notifications import deliver_digest, deliver_reminder, deliver_reminders, due_notifications
from .safety import deliver_safety_alert, sweep_safety_alerts

# A digest asked for on demand is tried this many times; a scheduled email
# gives its claim back on failure and the scheduler's next run retries it.
ON_DEMAND_ATTEMPTS = 4


@task()
def send_notification(
    *, user_id: int, kind: str, period: str, on_demand: bool = False, attempt: int = 1
) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    day = date.fromisoformat(period)
    if kind != NotificationKind.DIGEST:
        # Reminders go in batches (send_reminders); one queued singly, by an
        # earlier release, still goes out.
        return deliver_reminder(client=user, kind=kind, week_start=day)
    try:
        return deliver_digest(therapist=user, day=day, on_demand=on_demand)
    except Exception:
        if on_demand and attempt < ON_DEMAND_ATTEMPTS:
            retry_later(
                send_notification,
                after_attempt=attempt,
                user_id=user_id,
                kind=kind,
                period=period,
                on_demand=True,
                attempt=attempt + 1,
            )
        raise


# Reminders per task: each batch goes to the mail server over one connection.
# A hundred keeps a batch to a few seconds, and spreads the Friday peak over
# every worker there is.
REMINDER_BATCH = 100


@task()
def send_reminders(*, reminders: list[dict]) -> int:
    """Send a batch of reminders (each {"user_id", "kind", "period"}) through one
    connection; a reminder no longer due, or sent already, is left out."""
    people = User.objects.in_bulk([r["user_id"] for r in reminders])
    return deliver_reminders(
        [
            (people[r["user_id"]], r["kind"], date.fromisoformat(r["period"]))
            for r in reminders
            if r["user_id"] in people
        ]
    )


@task()
def send_safety_alert(*, alert_id: int) -> bool:
    """Send a crisis alert or escalation; a failure leaves it queued for a retry."""
    return deliver_safety_alert(alert_id)


def enqueue_due_notifications(now=None) -> int:
    """Queue every reminder and digest that is due, every crisis escalation that is
    overdue and every safety alert not yet sent; called by the scheduler."""
    now = now or timezone.now()
    safety = sweep_safety_alerts(now=now)
    invitations = retry_undelivered_invitations(now=now)
    due = due_notifications(now)
    reminders = [a for a in due if a["kind"] != NotificationKind.DIGEST]
    for start in range(0, len(reminders), REMINDER_BATCH):
        batch = reminders[start : start + REMINDER_BATCH]
        transaction.on_commit(lambda batch=batch: send_reminders.enqueue(reminders=batch))
    for arguments in due:
        if arguments["kind"] == NotificationKind.DIGEST:
            transaction.on_commit(
                lambda arguments=arguments: send_notification.enqueue(**arguments)
            )
    return safety + invitations + len(due)
