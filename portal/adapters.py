import logging
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.utils import translation

from .audit import client_ip
from .mfa_secrets import decrypt_secret, encrypt_secret

logger = logging.getLogger(__name__)


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: clients join through a therapist's invitation,
    therapists and staff are created by a practice administrator."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in counts as fresh for ACCOUNT_REAUTHENTICATION_TIMEOUT: someone
        who gave their password a minute ago, and is sent straight on to set up
        their authenticator app, is not asked for it again. allauth on its own
        counts only a separate "confirm your password" step."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request
        if request is None or not request.user.is_authenticated:
            return True
        records = get_authentication_records(request, request.user)
        if not records:
            return True
        signed_in_at = max(record["at"] for record in records)
        return time.time() - signed_in_at >= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT

    def get_client_ip(self, request) -> str:
        """The same address the access log records, by the same TRUSTED_PROXY_COUNT,
        so sign-in limits count the person and not the proxy in front of the portal."""
        return client_ip(request) or "unknown"

    def send_mail(self, template_prefix, email, context):
        """Send allauth's emails (the password reset) without ever failing the page.

        The reset link is not queued for a retry: it would sit in the task table
        in the clear. A failure is logged and the page answers as usual, the same
        for every address; the person can ask again.
        """
        context = {**context, "PORTAL_NAME": settings.PORTAL_NAME}
        # In the account's language, not the language of the page that asked.
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language()
        try:
            with translation.override(language):
                super().send_mail(template_prefix, email, context)
        except Exception:
            logger.exception("Could not send %s", template_prefix)


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """allauth passes every two-factor secret it stores or reads through these two
    hooks: the TOTP secret and the recovery codes' seed are kept encrypted."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
