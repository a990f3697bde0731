"""Naming the language someone wrote in, for a reader in another language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info, gettext

from portal.formats import local_date as _local_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value, fmt: str) -> str:
    """Like `date`, for the portal's formats, in the reader's word order."""
    if value in (None, ""):
        return ""
    return _local_date(value, fmt)


@register.simple_tag
def written_in(person) -> str:
    """A note such as "(written in Spanish)" beside a person's own words, when the
    reader reads another language; nothing when they share one. The words
    themselves are never translated."""
    language = getattr(person, "language", "")
    if not language or language == get_language():
        return ""
    name = get_language_info(language)["name_translated"]
    return format_html(
        '<span class="written-in small text-body-secondary">({})</span>',
        gettext("written in %(language)s") % {"language": name},
    )
