"""Queue the reminders and digests that are due. Run it every 15 minutes from
the platform's scheduler (cron, a systemd timer, a Kubernetes CronJob); running
it twice, or on two machines at once, sends nothing twice."""

from django.core.management.base import BaseCommand

from checkins.tasks import enqueue_due_notifications


class Command(BaseCommand):
    help = "Queue the check-in reminders and therapist digests that are due now."

    def handle(self, *args, **options):
        count = enqueue_due_notifications()
        self.stdout.write(self.style.SUCCESS(f"Queued {count} notification(s)."))
