"""Queue the reminders and digests that are due, escalate crisis flags nobody has
acted on, and retry safety alerts that failed to send. Run it every 15 minutes from
the platform's scheduler (cron, a systemd timer, a Kubernetes CronJob); running
it twice, or on two machines at once, sends nothing twice."""

from django.core.management.base import BaseCommand

from checkins.tasks import enqueue_due_notifications


class Command(BaseCommand):
    help = (
        "Queue the reminders and digests due now, crisis escalations that are overdue, and "
        "retries of safety alerts not yet sent."
    )

    def handle(self, *args, **options):
        count = enqueue_due_notifications()
        self.stdout.write(self.style.SUCCESS(f"Queued {count} notification(s)."))
