"""A few Spanish entries for tests, without a Spanish catalogue: put into the
translation object Django itself reads for "es", so that anything worded
through gettext while Spanish is active (a stored message read on a page
included) finds them, and nothing else changes."""

from django.utils.translation import trans_real


def add_spanish(monkeypatch, entries: dict[str, str], plurals: dict | None = None) -> None:
    """`entries`: msgid to Spanish; `plurals`: (singular, plural) to (one, other)."""
    spanish = trans_real.translation("es")
    gettext, ngettext = spanish.gettext, spanish.ngettext
    plurals = plurals or {}

    def fake_ngettext(singular, plural, n):
        forms = plurals.get((singular, plural))
        return (forms[0] if n == 1 else forms[1]) if forms else ngettext(singular, plural, n)

    monkeypatch.setattr(spanish, "gettext", lambda msgid: entries.get(msgid) or gettext(msgid))
    monkeypatch.setattr(spanish, "ngettext", fake_ngettext)
