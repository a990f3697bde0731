from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: clients join through a therapist's invitation,
    therapists and staff are created by a practice administrator."""

    def is_open_for_signup(self, request) -> bool:
        return False
