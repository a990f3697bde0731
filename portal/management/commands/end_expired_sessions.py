from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.sessions import forget_ended_sessions


class Command(BaseCommand):
    help = (
        "Delete expired sessions (Django's clearsessions), then forget which person "
        "each of them belonged to (run daily)."
    )

    def handle(self, *args, **options):
        call_command("clearsessions")
        count = forget_ended_sessions()
        self.stdout.write(self.style.SUCCESS(f"Forgot {count} ended session(s)."))
