"""When reminders and digests are due: pure functions of a person's local time.

Times are built from the local date and hour each day, so a reminder set for
18:00 goes out at 18:00 on both sides of a daylight-saving change.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import NotificationKind

# The follow-up goes two days after the reminder if the check-in is still
# missing, but only inside the same week: once the week has closed, its
# check-in can no longer be filled.
FOLLOW_UP_AFTER_DAYS = 2
# A scheduler that was down catches up for this long after the chosen time;
# after that the week's reminder is skipped rather than arriving at an odd hour
# (or at once, when a client moves their reminder to a day already past).
CATCH_UP = timedelta(hours=12)
WORKING_DAYS = {0, 1, 2, 3, 4}


def local_at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def reminder_due(
    *,
    now: datetime,
    tz: ZoneInfo,
    week_start: date,
    weekday: int,
    hour: int,
    checked_in: bool,
    sent: dict[str, datetime],
) -> str | None:
    """Which reminder, if any, is due now for the week starting `week_start`.

    `sent` holds what was already sent this week, by kind.
    """
    if checked_in:
        return None
    reminder_day = week_start + timedelta(days=weekday)
    reminder_at = local_at(reminder_day, hour, tz)
    follow_up_day = reminder_day + timedelta(days=FOLLOW_UP_AFTER_DAYS)
    follow_up_at = local_at(follow_up_day, hour, tz)
    if NotificationKind.REMINDER not in sent:
        return NotificationKind.REMINDER if reminder_at <= now < reminder_at + CATCH_UP else None
    if (
        NotificationKind.FOLLOW_UP not in sent
        and follow_up_day < week_start + timedelta(days=7)
        and follow_up_at <= now < follow_up_at + CATCH_UP
        # A reminder sent late (reminders just turned on, say) gets its full
        # two days before the follow-up.
        and now - sent[NotificationKind.REMINDER]
        >= timedelta(days=FOLLOW_UP_AFTER_DAYS) - timedelta(hours=1)
    ):
        return NotificationKind.FOLLOW_UP
    return None


def digest_due(*, now: datetime, tz: ZoneInfo, hour: int, sent_today: bool) -> bool:
    local = now.astimezone(tz)
    return (
        not sent_today
        and local.weekday() in WORKING_DAYS
        and now >= local_at(local.date(), hour, tz)
    )
