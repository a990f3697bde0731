"""Re-evaluate every client's trend flags.

Run it after changing TREND_THRESHOLDS, and once a day from the scheduler so
that clients who stopped checking in are flagged (nothing is saved for them,
so nothing else would notice).
"""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from checkins.services import recompute_flags_for
from clinical.trends import thresholds
from portal.models import User

# Clients per batch: each batch is one transaction that locks its clients for
# well under a second, so a client's submit meanwhile waits only that long.
BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Recompute the trend flags of every client, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        now = timezone.now()
        t = thresholds()
        clients = User.objects.clients().filter(is_active=True).order_by("pk")
        total = clients.count()
        done, batch = 0, []
        for client in clients.iterator(chunk_size=batch_size):
            batch.append(client)
            if len(batch) == batch_size:
                recompute_flags_for(batch, now=now, t=t)
                done += len(batch)
                batch = []
                self._progress(done, total)
        if batch:
            recompute_flags_for(batch, now=now, t=t)
            done += len(batch)
            self._progress(done, total)
        self.stdout.write(self.style.SUCCESS(f"Recomputed flags for {done} clients."))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total or not sys.stdout.isatty() else "\r"
        self.stdout.write(f"[{bar}] {done}/{total}", ending=end)
