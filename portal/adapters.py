from allauth.account.adapter import DefaultAccountAdapter

from .audit import client_ip


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: clients join through a therapist's invitation,
    therapists and staff are created by a practice administrator."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The same address the access log records, by the same TRUSTED_PROXY_COUNT,
        so sign-in limits count the person and not the proxy in front of the portal."""
        return client_ip(request) or "unknown"
