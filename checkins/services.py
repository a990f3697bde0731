"""The one write path for check-ins: the form view, the demo data and the tests all use it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from guidance.services import attach_advice
from portal.models import User

from .models import CheckIn, week_start_for
from .trends import Thresholds, thresholds

# The rules look at most this many recent check-ins (plus the first few, for
# the baseline), so a save costs the same after two years as after two months.
# A quarter of a year covers every window the thresholds use.
HISTORY_WINDOW = 12

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
    checkin, _ = CheckIn.objects.update_or_create(
        client=client,
        week_start=week_start,
        defaults=answers,
        create_defaults={**answers, "submitted_at": now},
    )
    t = thresholds()
    attach_advice(checkin=checkin, history=rules_history(checkin, t), t=t)
    return checkin


def rules_history(checkin: CheckIn, t: Thresholds) -> list[CheckIn]:
    """The check-ins the rules read for `checkin`, oldest first, ending with it:
    the client's first few (their baseline) and the most recent window."""
    upto = CheckIn.objects.filter(client_id=checkin.client_id, week_start__lte=checkin.week_start)
    first = list(upto.order_by("week_start")[: t.baseline_checkins])
    recent = list(upto.order_by("-week_start")[:HISTORY_WINDOW])
    by_week = {c.week_start: c for c in first + recent}
    return [by_week[week] for week in sorted(by_week)]
