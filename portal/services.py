"""Writes on the people side: invitations and caseload changes.

Every path that invites, accepts or moves a client goes through these
functions, so the rules (single use, expiry, one therapist at a time) live in
one place.
"""

import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .emails import send_templated_email
from .models import CaseloadAssignment, Invitation, Role, User, hash_token


class InvitationError(Exception):
    """An invitation cannot be used; the message is written for the reader."""


INVALID_LINK = "This invitation link is not valid. Please ask your therapist to send a new one."
EXPIRED_LINK = "This invitation has expired. Please ask your therapist to send a new one."
USED_LINK = "This invitation has already been used. If it was you, please sign in."
REVOKED_LINK = "This invitation was withdrawn. Please ask your therapist if you expected one."
UNUSABLE_LINK = {
    Invitation.Status.ACCEPTED: USED_LINK,
    Invitation.Status.REVOKED: REVOKED_LINK,
    Invitation.Status.EXPIRED: EXPIRED_LINK,
}
SIGNED_IN_ALREADY = "You are signed in already. Please sign out before accepting an invitation."
ACCOUNT_EXISTS = "An account with this email address already exists. Please sign in."
EMAIL_TAKEN = (
    "This person already has an account. A practice administrator can move them to your caseload."
)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    url: str


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": token})


def _send_invitation_email(*, invitation: Invitation, url: str) -> None:
    send_templated_email(
        to=invitation.email,
        template="portal/email/invitation",
        context={
            "invitation": invitation,
            "therapist": invitation.therapist,
            "url": url,
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


def _issue(invitation: Invitation) -> IssuedInvitation:
    """Give `invitation` a fresh token and send it once the transaction commits.

    A new token on every send means only the latest email's link works.
    """
    token = _new_token()
    now = timezone.now()
    invitation.token_hash = hash_token(token)
    invitation.sent_at = now
    invitation.expires_at = Invitation.default_expiry(now)
    invitation.save()
    url = invitation_url(token)
    transaction.on_commit(lambda: _send_invitation_email(invitation=invitation, url=url))
    return IssuedInvitation(invitation=invitation, url=url)


@transaction.atomic
def invite_client(
    *, therapist: User, email: str, first_name: str = "", last_name: str = ""
) -> IssuedInvitation:
    """Invite a new client to `therapist`'s caseload and email them the link.

    An earlier pending invitation from the same therapist to the same address
    is withdrawn, so a person never holds two live links.
    """
    if not therapist.is_therapist:
        raise PermissionError("Only therapists invite clients.")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError(EMAIL_TAKEN)
    Invitation.objects.pending().filter(therapist=therapist, email__iexact=email).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation(
        therapist=therapist, email=email, first_name=first_name, last_name=last_name
    )
    return _issue(invitation)


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> IssuedInvitation:
    """Send a pending or expired invitation again, with a new link and expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError("Only a pending or expired invitation can be sent again.")
    return _issue(invitation)


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError("This invitation was already accepted.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def check_invitation(token: str) -> Invitation:
    """Return the usable invitation for `token`, or raise with a reason to show."""
    invitation = (
        Invitation.objects.select_related("therapist", "therapist__practice")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(INVALID_LINK)
    if not invitation.is_pending:
        raise InvitationError(UNUSABLE_LINK[invitation.status])
    return invitation


@transaction.atomic
def create_client(
    *,
    therapist: User,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    time_zone: str | None = None,
    phone: str = "",
) -> User:
    """Create a client account on `therapist`'s caseload, in the therapist's practice."""
    practice = therapist.practice
    client = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=Role.CLIENT,
        phone=phone,
        practice=practice,
        time_zone=time_zone or (practice.time_zone if practice else settings.TIME_ZONE),
    )
    EmailAddress.objects.create(user=client, email=client.email, verified=True, primary=True)
    CaseloadAssignment.objects.create(client=client, therapist=therapist)
    return client


@transaction.atomic
def accept_invitation(
    *, token: str, password: str, time_zone: str | None = None, phone: str = ""
) -> User:
    """Create the client's account from the invitation and put them on the caseload.

    The invitation row is locked, so two clicks on the same link make one
    account at most.
    """
    invitation = check_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationError(UNUSABLE_LINK[invitation.status])
    try:
        with transaction.atomic():
            client = create_client(
                therapist=invitation.therapist,
                email=invitation.email,
                password=password,
                first_name=invitation.first_name,
                last_name=invitation.last_name,
                time_zone=time_zone,
                phone=phone,
            )
    except IntegrityError:
        raise InvitationError(ACCOUNT_EXISTS) from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = client
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return client


@transaction.atomic
def assign_therapist(*, client: User, therapist: User) -> CaseloadAssignment:
    """Move `client` to `therapist`, closing the current assignment if any."""
    if not client.is_client or not therapist.is_therapist:
        raise ValueError("Assignments link a client to a therapist.")
    current = (
        CaseloadAssignment.objects.select_for_update()
        .filter(client=client, ended_at__isnull=True)
        .first()
    )
    if current and current.therapist_id == therapist.pk:
        return current
    if current:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
    return CaseloadAssignment.objects.create(client=client, therapist=therapist)
