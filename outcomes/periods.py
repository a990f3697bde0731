"""The periods the outcomes page reports on: calendar quarters.

Quarters only, never a year or a running window beside them: periods that
overlap would let one figure minus others give away a held-back cell.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext

# Eight quarters: two years back, enough to see a trend across a practice's year.
QUARTERS_OFFERED = 8


@dataclass(frozen=True)
class Period:
    start: date  # the first day
    end: date  # the day after the last
    key: str  # "2026-Q4"

    @property
    def label(self) -> str:
        """ "October to December 2026"."""
        last = date.fromordinal(self.end.toordinal() - 1)
        return gettext("%(first)s to %(last)s %(year)s") % {
            "first": date_format(self.start, "F"),
            "last": date_format(last, "F"),
            "year": self.start.year,
        }


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, end, f"{year}-Q{number}")


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def periods_offered(today: date) -> list[Period]:
    """The current quarter first (the default), then the earlier ones."""
    periods = []
    current = quarter_of(today)
    y, q = current.start.year, (current.start.month - 1) // 3 + 1
    for _ in range(QUARTERS_OFFERED):
        periods.append(quarter(y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return periods
