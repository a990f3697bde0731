"""The one write path for check-ins: the form view, the demo data and the tests all use it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.models import User

from .models import CheckIn, week_start_for

# The answers a client gives; everything else on a CheckIn is set here.
ANSWER_FIELDS = [
    "sessions_attended",
    "sessions_reason",
    "expectations",
    "hoped_for",
    "discomfort",
    "homework",
    "wellbeing",
    "felt_worse_after_session",
    "barrier_time",
    "barrier_money",
    "barrier_energy",
    "barrier_life_events",
    "to_raise",
    "share_text_with_therapist",
    "in_crisis",
]


@transaction.atomic
def submit_checkin(*, client: User, data: dict, now: datetime | None = None) -> CheckIn:
    """Save `client`'s answers for the current week, creating or updating its check-in.

    The week is the client's local week at `now`, so only the open week can
    ever be written. The unique (client, week) constraint and
    update_or_create make a repeated or concurrent submit update the one row.
    """
    if not client.is_client:
        raise PermissionError("Only clients submit check-ins.")
    now = now or timezone.now()
    answers = {field: data[field] for field in ANSWER_FIELDS if field in data}
    week_start = week_start_for(now, client.tz)
    checkin, created = CheckIn.objects.update_or_create(
        client=client,
        week_start=week_start,
        defaults=answers,
        create_defaults={**answers, "submitted_at": now},
    )
    return checkin
