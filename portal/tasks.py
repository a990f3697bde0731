"""Background tasks of the people side, and the retry rule every email task shares."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

# A failed email is tried again after these delays where the task queue can
# defer work (the database backend can; the immediate one used in development
# cannot), and by the scheduler's next sweep in any case.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


def retry_later(task_, *, after_attempt: int, **kwargs) -> None:
    """Queue `task_` again after the delay for `after_attempt` (1-based), after commit."""
    if not task_.get_backend().supports_defer:
        return
    delay = RETRY_DELAYS[min(after_attempt, len(RETRY_DELAYS)) - 1]
    transaction.on_commit(lambda: task_.using(run_after=timezone.now() + delay).enqueue(**kwargs))


@task()
def send_invitation(*, invitation_id: int) -> bool:
    """Email an invitation its link; a failure leaves it queued for a retry."""
    from .services import deliver_invitation

    sent = deliver_invitation(invitation_id)
    if not sent:
        from .models import Invitation

        invitation = Invitation.objects.filter(pk=invitation_id, delivered_at__isnull=True).first()
        if invitation is not None and invitation.delivery_error:
            retry_later(
                send_invitation,
                after_attempt=invitation.delivery_attempts,
                invitation_id=invitation_id,
            )
    return sent
