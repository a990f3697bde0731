"""Recording who looked at which client's data."""

from collections.abc import Iterable

from .models import AccessLog, User


def client_ip(request) -> str | None:
    # Behind the proxy that production settings trust, REMOTE_ADDR is the
    # proxy; the client's address is the first X-Forwarded-For entry.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None


def record_access(
    request, clients: Iterable[User | None], *, outcome: str = AccessLog.Outcome.ALLOWED
) -> None:
    """One row per client shown to the signed-in therapist or staff member."""
    actor = request.user
    view = request.resolver_match.view_name if request.resolver_match else request.path
    ip = client_ip(request)
    AccessLog.objects.bulk_create(
        AccessLog(
            actor=actor,
            actor_email=actor.email,
            client=client,
            client_ref=str(client.public_id) if client else "",
            view=view,
            outcome=outcome,
            ip_address=ip,
        )
        for client in clients
    )
