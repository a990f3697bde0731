"""Re-encrypt every two-factor secret with the first key in MFA_ENCRYPTION_KEYS.

To rotate: put the new key first in MFA_ENCRYPTION_KEYS (keeping the old ones
after it), deploy, run this command, then remove the old keys.
"""

from django.core.management.base import BaseCommand

from portal.mfa_secrets import rotate_mfa_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every two-factor secret with the first key in MFA_ENCRYPTION_KEYS; "
        "the other keys may be removed afterwards."
    )

    def handle(self, *args, **options):
        rewritten = rotate_mfa_keys()
        self.stdout.write(f"Re-encrypted the two-factor secrets of {rewritten} authenticator(s).")
