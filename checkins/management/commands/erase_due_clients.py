from django.core.management.base import BaseCommand

from checkins.data_rights import erase_due


class Command(BaseCommand):
    help = "Erase the data of clients whose deletion grace period has ended (run daily)."

    def handle(self, *args, **options):
        count = erase_due()
        self.stdout.write(self.style.SUCCESS(f"Erased the data of {count} client(s)."))
