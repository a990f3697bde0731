"""The Spanish catalogue and the messages the code marks, read without GNU
gettext: Django's own template-to-Python step, then Babel's Python extractor
with the keywords `makemessages` gives xgettext."""

import html
import io
import re
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
CODE_DIRS = ("portal", "checkins", "guidance", "outcomes", "clinical")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _messages(source: str) -> set[tuple[str | None, str]]:
    found = set()
    for _line, function, args, _comments in extract_python(
        io.BytesIO(source.encode()), KEYWORDS.keys(), [], {}
    ):
        args = args if isinstance(args, tuple) else (args,)
        if function.startswith(("pgettext", "npgettext")):
            context, msgid = args[0], args[1]
        else:
            context, msgid = None, args[0]
        if msgid:
            found.add((context, msgid))
    return found


@cache
def marked_messages() -> set[tuple[str | None, str]]:
    """Every (context, msgid) the project's code and templates mark."""
    found = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                found |= _messages(path.read_text())
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in (".html", ".txt"):
            # Template text becomes padding around the calls; unindented, it
            # tokenizes as Python whatever the template's own indentation.
            python = templatize(path.read_text(), origin=str(path))
            found |= _messages("\n".join(line.lstrip() for line in python.splitlines()))
    return found


@cache
def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="es")


# Words that read the same in both languages, or are names.
SAME_IN_BOTH = {"PHQ-9", "GAD-7", "Email", "Error", "No", "Total"}


@cache
def english_messages() -> list[str]:
    """Catalogue messages whose Spanish differs, long enough that finding them
    in a Spanish page cannot be chance (two words or more)."""
    found = []
    for message in catalogue():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            text = re.sub(r"%\(\w+\)[sdf]|%\(\w+\)\.\d+f|<[^>]+>", "\0", msgid)
            for piece in text.split("\0"):
                piece = piece.strip(" .,:;()“”\"'—–-\n")
                if (
                    len(piece.split()) >= 2
                    and piece not in SAME_IN_BOTH
                    and all(piece not in s for s in strings)
                ):
                    found.append(piece)
    return sorted(set(found), key=len, reverse=True)


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(
        r'(?s)<[^>]*?\b(?:aria-label|title|placeholder|alt)="([^"]*)"[^>]*>', r" \1 ", page
    )
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def english_in(text: str) -> list[str]:
    return [m for m in english_messages() if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text)]
