"""Recording who looked at which client's data."""

import ipaddress
from collections.abc import Iterable

from django.conf import settings

from .models import AccessLog, User


def client_ip(request) -> str | None:
    """The address the request came from, as far as it can be trusted.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the
    client's address is the one the outermost trusted proxy appended,
    counting from the right; anything further left was written by the
    client and could say anything. Invalid values are not recorded.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


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
