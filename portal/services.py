"""Writes on the people side: invitations and caseload changes.

Every path that invites, accepts or moves a client goes through these
functions, so the rules (single use, expiry, one therapist at a time) live in
one place.
"""

import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from .emails import send_templated_email
from .models import CaseloadAssignment, Invitation, Role, User, hash_token

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """An invitation cannot be used; the message is written for the reader."""


class CaseloadError(Exception):
    """A change to who sees whom that the rules refuse."""


# The reasons an invitation is refused, translated when one is raised.
INVALID_LINK = gettext_noop(
    "This invitation link is not valid. Please ask your therapist to send a new one."
)
EXPIRED_LINK = gettext_noop(
    "This invitation has expired. Please ask your therapist to send a new one."
)
USED_LINK = gettext_noop("This invitation has already been used. If it was you, please sign in.")
REVOKED_LINK = gettext_noop(
    "This invitation was withdrawn. Please ask your therapist if you expected one."
)
UNUSABLE_LINK = {
    Invitation.Status.ACCEPTED: USED_LINK,
    Invitation.Status.REVOKED: REVOKED_LINK,
    Invitation.Status.EXPIRED: EXPIRED_LINK,
}
SIGNED_IN_ALREADY = gettext_noop(
    "You are signed in already. Please sign out before accepting an invitation."
)
ACCOUNT_EXISTS = gettext_noop("An account with this email address already exists. Please sign in.")
EMAIL_TAKEN = gettext_noop(
    "This person already has an account in your practice. A practice administrator can move "
    "them to your caseload."
)
OWN_ADDRESS = gettext_noop("That is your own address. Please enter your client's email address.")
ON_YOUR_CASELOAD = gettext_noop("%(name)s is already on your caseload.")
# A failed invitation email is retried by the scheduler's next run after this.
RETRY_GRACE = timedelta(minutes=1)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": token})


def _issue(invitation: Invitation) -> Invitation:
    """Renew `invitation` and queue its email for after the commit.

    The link's token is made when the email is sent (deliver_invitation), so
    it is never stored anywhere but as a hash, not even in the task queue.
    Until then the stored hash matches no link: a resend kills the old link
    at once.
    """
    now = timezone.now()
    invitation.token_hash = hash_token(_new_token())
    invitation.sent_at = now
    invitation.expires_at = Invitation.default_expiry(now)
    invitation.delivered_at = None
    invitation.delivery_attempts = 0
    invitation.delivery_error = ""
    invitation.save()
    _deliver_after_commit(invitation.pk)
    return invitation


def _deliver_after_commit(invitation_id: int) -> None:
    from .tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation_id))


def deliver_invitation(invitation_id: int) -> bool:
    """Email a pending invitation its link, if that has not happened yet.

    To an address that already has an account elsewhere it sends a note to
    sign in instead, so the therapist who invited learns nothing about who
    has an account outside their own practice. A mail failure is recorded,
    not raised; the invitation stays undelivered for the next try.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("therapist__practice")
            .filter(pk=invitation_id, delivered_at__isnull=True)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return False
        context = {
            "invitation": invitation,
            "valid_days": settings.INVITATION_VALID_DAYS,
            "sign_in_url": settings.SITE_URL + reverse("account_login"),
        }
        if User.objects.filter(email__iexact=invitation.email).exists():
            template = "portal/email/invitation_account_exists"
        else:
            token = _new_token()
            invitation.token_hash = hash_token(token)
            context["url"] = invitation_url(token)
            template = "portal/email/invitation"
        invitation.delivery_attempts += 1
        try:
            sent = send_templated_email(
                to=invitation.email,
                template=template,
                context=context,
                language=invitation.language,
            )
            if not sent:
                raise RuntimeError("the mail backend sent nothing")
        except Exception as error:  # any mail failure: keep it for the next try
            invitation.delivery_error = f"{type(error).__name__}: {error}"[:300]
            invitation.save(update_fields=["delivery_attempts", "delivery_error"])
            logger.exception(
                "Invitation %s not sent (attempt %s)", invitation.pk, invitation.delivery_attempts
            )
            return False
        invitation.delivered_at = timezone.now()
        invitation.delivery_error = ""
        invitation.save(
            update_fields=["token_hash", "delivered_at", "delivery_attempts", "delivery_error"]
        )
        return True


def retry_undelivered_invitations(*, now=None) -> int:
    """Queue again every pending invitation whose email has not gone out; the
    scheduler calls this with the reminders. Returns how many were queued."""
    now = now or timezone.now()
    due = Invitation.objects.pending().filter(
        delivered_at__isnull=True, sent_at__lte=now - RETRY_GRACE
    )
    ids = list(due.values_list("pk", flat=True))
    for invitation_id in ids:
        _deliver_after_commit(invitation_id)
    return len(ids)


@transaction.atomic
def invite_client(
    *,
    therapist: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    language: str | None = None,
) -> Invitation:
    """Invite a new client to `therapist`'s caseload and email them the link.

    An earlier pending invitation from the same therapist to the same address
    is withdrawn, so a person never holds two live links. An address with an
    account in the therapist's own practice is refused (an administrator moves
    them), saying so plainly when it is the therapist's own or one of their
    clients'. One with an account elsewhere is invited like any other, and the
    email tells its owner to sign in instead, so the form never tells whether
    an address outside the practice is known.
    """
    if not therapist.is_therapist:
        raise InvitationError(gettext("Only therapists invite clients."))
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email, practice=therapist.practice).first()
    if existing is not None:
        raise InvitationError(_why_taken(therapist=therapist, existing=existing))
    Invitation.objects.pending().filter(therapist=therapist, email__iexact=email).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation(
        therapist=therapist,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language or therapist.language,
    )
    return _issue(invitation)


def _why_taken(*, therapist: User, existing: User) -> str:
    if existing.pk == therapist.pk:
        return gettext(OWN_ADDRESS)
    if User.objects.caseload_of(therapist).filter(pk=existing.pk).exists():
        return gettext(ON_YOUR_CASELOAD) % {"name": existing.display_name}
    return gettext(EMAIL_TAKEN)


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> Invitation:
    """Send a pending or expired invitation again, with a new link and expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError(gettext("Only a pending or expired invitation can be sent again."))
    return _issue(invitation)


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError(gettext("This invitation was already accepted."))
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
        raise InvitationError(gettext(INVALID_LINK))
    if not invitation.is_pending:
        raise InvitationError(gettext(UNUSABLE_LINK[invitation.status]))
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
    language: str | None = None,
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
        language=language or settings.LANGUAGE_CODE,
    )
    EmailAddress.objects.create(user=client, email=client.email, verified=True, primary=True)
    CaseloadAssignment.objects.create(client=client, therapist=therapist)
    return client


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    password: str,
    time_zone: str | None = None,
    phone: str = "",
    language: str | None = None,
) -> User:
    """Create the client's account from the invitation and put them on the caseload.

    The invitation row is locked, so two clicks on the same link make one
    account at most.
    """
    invitation = check_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationError(gettext(UNUSABLE_LINK[invitation.status]))
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
                language=language or invitation.language,
            )
    except IntegrityError:
        raise InvitationError(gettext(ACCOUNT_EXISTS)) from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = client
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return client


@transaction.atomic
def assign_therapist(*, client: User, therapist: User) -> CaseloadAssignment:
    """Move `client` to `therapist`, closing the current assignment if any."""
    if not client.is_client or not therapist.is_therapist:
        raise CaseloadError("Assignments link a client to a therapist.")
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


@transaction.atomic
def end_therapy(*, client: User, now=None) -> bool:
    """Close the client's open assignment: their therapy with the practice has ended.
    Their account and history stay; returns whether there was therapy to end."""
    return bool(
        CaseloadAssignment.objects.filter(client=client, ended_at__isnull=True).update(
            ended_at=now or timezone.now()
        )
    )


NOT_ON_CASELOAD = gettext_noop("Only the client's current therapist can start a new course.")


@transaction.atomic
def start_new_course(*, client: User, therapist: User, now=None) -> CaseloadAssignment:
    """Begin a new course of therapy for a client on `therapist`'s caseload: the
    open assignment ends and a new one with the same therapist begins, marked as
    starting a course, so change is measured from the new course's first scores."""
    now = now or timezone.now()
    current = (
        CaseloadAssignment.objects.select_for_update()
        .filter(client=client, therapist=therapist, ended_at__isnull=True)
        .first()
    )
    if current is None or not client.is_client:
        raise CaseloadError(gettext(NOT_ON_CASELOAD))
    current.ended_at = now
    current.save(update_fields=["ended_at"])
    return CaseloadAssignment.objects.create(
        client=client, therapist=therapist, started_at=now, starts_course=True
    )
