"""Who may see what.

Access helpers answer 404 alike for "does not exist" and "not yours", so an
id in a URL tells an outsider nothing.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .audit import record_access
from .models import AccessLog, Invitation, Role, User


def role_required(role: Role):
    """Let only signed-in users with `role` through; others get 403.

    Anonymous users never get here: LoginRequiredMiddleware sends them to
    sign in first.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


client_required = role_required(Role.CLIENT)
therapist_required = role_required(Role.THERAPIST)


def lead_required(view):
    """Let only a practice's clinical leads through; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_lead:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def client_for_therapist_or_404(request, public_id) -> User:
    """The client with `public_id` if they are on the signed-in therapist's caseload.

    Every call is written to the access log, a refusal too (with the client,
    if the id names one), so probing for other people's ids leaves a trace.
    """
    client = User.objects.caseload_of(request.user).filter(public_id=public_id).first()
    if client is None:
        named = User.objects.clients().filter(public_id=public_id).first()
        record_access(request, [named], outcome=AccessLog.Outcome.DENIED)
        raise Http404
    record_access(request, [client])
    return client


def invitation_for_therapist_or_404(therapist: User, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(therapist=therapist, pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation
