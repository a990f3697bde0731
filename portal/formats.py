"""Dates written the way each language writes them.

Django's named formats cover a full date and a month with its day, but the
portal also writes "Nov 5", "Nov 5, 2026" and "Monday, November 5" in tables,
charts and summaries. Each of those is a format string marked for translation
(context "date format"), so Spanish puts the day first: "5 nov", "5 nov 2026",
"lunes, 5 de noviembre". Month and weekday names come from Django's own
catalogue.
"""

from datetime import date
from functools import lru_cache

from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy

DATE_FORMATS = {
    "M j": pgettext_lazy("date format", "M j"),
    "M j, Y": pgettext_lazy("date format", "M j, Y"),
    "F j": pgettext_lazy("date format", "F j"),
    "F j, Y": pgettext_lazy("date format", "F j, Y"),
    "l, F j": pgettext_lazy("date format", "l, F j"),
    "M j, H:i": pgettext_lazy("date format", "M j, H:i"),
    "M j, Y, H:i": pgettext_lazy("date format", "M j, Y, H:i"),
}


def local_date(value, fmt: str) -> str:
    """`value` in the English format `fmt`, as the active language writes it."""
    if type(value) is date:  # not a datetime: equal datetimes may differ in their zone
        return _date_in(get_language(), fmt, value)
    return date_format(value, str(DATE_FORMATS[fmt]))


@lru_cache(maxsize=4096)
def _date_in(language: str | None, fmt: str, value: date) -> str:
    """A day written out, kept: a chart labels each of a year's weeks, several
    charts to a page, and the words for a day in a language never change."""
    return date_format(value, str(DATE_FORMATS[fmt]))
