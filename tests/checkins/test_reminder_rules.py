"""The pure 'is it due' rules, at their edges."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkins.reminders import CATCH_UP, digest_due, reminder_due

NY = ZoneInfo("America/New_York")
WEEK = date(2026, 11, 2)  # Monday
FRIDAY_6PM = datetime(2026, 11, 6, 18, tzinfo=NY)


def due(now, *, sent=None, checked_in=False, weekday=4, hour=18):
    return reminder_due(
        now=now,
        tz=NY,
        week_start=WEEK,
        weekday=weekday,
        hour=hour,
        checked_in=checked_in,
        sent=sent or {},
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (FRIDAY_6PM - timedelta(seconds=1), None),
        (FRIDAY_6PM, "reminder"),
        (FRIDAY_6PM + CATCH_UP - timedelta(seconds=1), "reminder"),
        (FRIDAY_6PM + CATCH_UP, None),
    ],
)
def test_the_reminder_window(now, expected):
    assert due(now) == expected


def test_nothing_once_checked_in():
    assert due(FRIDAY_6PM, checked_in=True) is None


def test_the_follow_up_needs_the_reminder_two_days_before():
    sunday_6pm = FRIDAY_6PM + timedelta(days=2)
    assert due(sunday_6pm, sent={"reminder": FRIDAY_6PM}) == "follow_up"
    assert due(sunday_6pm - timedelta(minutes=1), sent={"reminder": FRIDAY_6PM}) is None
    assert due(sunday_6pm, sent={"reminder": FRIDAY_6PM, "follow_up": sunday_6pm}) is None
    late = sunday_6pm - timedelta(hours=2)
    assert due(sunday_6pm, sent={"reminder": late}) is None, "two days after a late reminder"


def test_the_follow_up_never_falls_in_the_next_week():
    saturday = datetime(2026, 11, 7, 18, tzinfo=NY)
    assert due(saturday + timedelta(days=2), weekday=5, sent={"reminder": saturday}) is None


def test_the_local_hour_holds_across_the_dst_change():
    # 1 November 2026: New York leaves daylight time. Week of 26 October vs 2 November.
    before = reminder_due(
        now=datetime(2026, 10, 30, 22, tzinfo=UTC),
        tz=NY,
        week_start=date(2026, 10, 26),
        weekday=4,
        hour=18,
        checked_in=False,
        sent={},
    )
    after_too_early = due(datetime(2026, 11, 6, 22, tzinfo=UTC))
    after = due(datetime(2026, 11, 6, 23, tzinfo=UTC))
    assert (before, after_too_early, after) == ("reminder", None, "reminder")


@pytest.mark.parametrize(
    ("local", "sent_today", "expected"),
    [
        (datetime(2026, 11, 10, 6, 59, tzinfo=NY), False, False),
        (datetime(2026, 11, 10, 7, 0, tzinfo=NY), False, True),
        (datetime(2026, 11, 10, 7, 0, tzinfo=NY), True, False),
        (datetime(2026, 11, 14, 9, 0, tzinfo=NY), False, False),  # Saturday
    ],
)
def test_the_digest_comes_on_working_mornings(local, sent_today, expected):
    assert digest_due(now=local, tz=NY, hour=7, sent_today=sent_today) is expected
