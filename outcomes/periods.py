"""The periods the outcomes page reports on: calendar quarters, and whole years."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext

# Eight quarters: two years back, enough to see a trend across a practice's year.
QUARTERS_OFFERED = 8
YEARS_OFFERED = 2


@dataclass(frozen=True)
class Period:
    start: date  # the first day
    end: date  # the day after the last
    key: str  # "2026-Q4" or "2026"

    @property
    def label(self) -> str:
        last = date.fromordinal(self.end.toordinal() - 1)
        return gettext("%(start)s to %(end)s") % {
            "start": date_format(self.start, "N Y"),
            "end": date_format(last, "N Y"),
        }

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, end, f"{year}-Q{number}")


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number + 1, 1, 1), str(number))


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def periods_offered(today: date) -> list[Period]:
    """The current quarter first (the default), then earlier ones, then whole years."""
    periods = []
    current = quarter_of(today)
    y, q = current.start.year, (current.start.month - 1) // 3 + 1
    for _ in range(QUARTERS_OFFERED):
        periods.append(quarter(y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    periods += [year(today.year - n) for n in range(YEARS_OFFERED)]
    return periods


_KEY = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


def period_from_key(key: str) -> Period | None:
    match = _KEY.match(key or "")
    if not match:
        return None
    y, q = int(match[1]), match[2]
    return quarter(y, int(q)) if q else year(y)
