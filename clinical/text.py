"""Words computed now and read later, in the reader's language.

A flag is worked out when a check-in is saved, overnight, or in a background
task: whatever language is active then is nobody's in particular. So the rules
do not write sentences; they write a `Message`, the English source text (the
msgid) and its parameters, and the sentence is put together when someone reads
it, in their language: `str(message)`.

A message is stored as JSON (`as_dict()`, read back with `from_dict()`).
Parameters are numbers and strings, or values that are themselves worded at
read time: a date (`Date`), a choice's label (`Choice`), a questionnaire's own
words (`InstrumentText`), another message. `Joined` puts messages side by side,
as in a summary of two sentences.

Marking for makemessages: a msgid is passed through `gettext_noop("...")`,
which makemessages extracts; a message with a plural is built with
`Message.ngettext(singular, plural, count, params)`, which xgettext extracts
as a plural entry because the call is named `ngettext` (its default Python
keyword `ngettext:1,2`). Pure: no database.
"""

import json
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.translation import gettext, ngettext

from portal.formats import local_date

from .measures import INSTRUMENTS
from .vocabulary import AgendaOutcome, Barrier, Homework

__all__ = [
    "Choice",
    "Date",
    "InstrumentText",
    "Joined",
    "Message",
    "REWORDED",
    "english",
    "decode",
    "encode",
    "from_dict",
    "without_full_stop",
]

# Messages reworded since flags were stored under them, old msgid to new: a
# stored message reads in today's words, in every language, without rewriting
# the stored flags or keeping the old words in the catalogue. A new msgid here
# is one the code still marks (tests/i18n checks), never itself reworded.
REWORDED = {
    # The not-on-track summary came to say that its expected course is a heuristic.
    "%(measure)s %(latest)s after %(sessions)s sessions, from %(first)s; the "
    "expected course is about %(expected)s by now.": (
        "%(measure)s %(latest)s after %(sessions)s sessions, from %(first)s; a "
        "rough expected course (a heuristic from the dose-effect curve) would be "
        "about %(expected)s by now."
    ),
}

# The language stored text is written in: what the admin list shows and what a
# search matches, whoever's language was active when the flag was computed.
STORED_LANGUAGE = "en"


@dataclass(frozen=True)
class Date:
    """A day, named as the summaries name a week: "Dec 1" (or "dic 1") at read time."""

    day: date

    def __str__(self) -> str:
        return local_date(self.day, "M j")

    def as_dict(self) -> dict:
        return {"date": self.day.isoformat()}


# The choices a stored message may name by code: the label is read at read time,
# so it is in the reader's language and follows any later rewording.
CHOICES = {
    "agenda_outcome": AgendaOutcome,
    "barrier": Barrier,
    "homework": Homework,
}


@dataclass(frozen=True)
class Choice:
    """One of the shared vocabulary's choices, by code: "money" reads "Money"."""

    kind: str  # a key of CHOICES
    code: str
    lower: bool = False  # in lower case, for a label inside a sentence

    def __str__(self) -> str:
        try:
            label = str(CHOICES[self.kind](self.code).label)
        except (KeyError, ValueError):  # a choice since retired: its code, not an error
            label = self.code
        return label.lower() if self.lower else label

    def as_dict(self) -> dict:
        item = {"choice": self.kind, "code": self.code}
        if self.lower:
            item["lower"] = True
        return item


@dataclass(frozen=True)
class InstrumentText:
    """A questionnaire's own words, in the reader's language where it has a
    published translation: an item's text (`item`, numbered from 1) or an
    answer's label (`answer`, its value)."""

    instrument: str  # the instrument's key: "phq9"
    item: int | None = None
    answer: int | None = None

    def __str__(self) -> str:
        instrument = INSTRUMENTS.get(self.instrument)
        if instrument is None:  # a questionnaire no longer offered
            return str(self.item if self.item is not None else self.answer)
        instrument = instrument.in_language(translation.get_language())
        if self.item is not None:
            return instrument.items[self.item - 1]
        return instrument.option_label(self.answer)

    def as_dict(self) -> dict:
        item = {"instrument": self.instrument}
        if self.item is not None:
            item["item"] = self.item
        else:
            item["answer"] = self.answer
        return item


@dataclass(frozen=True, eq=False)
class Message:
    """A sentence (or a word) to translate when it is read.

    `params` fill the msgid's %(name)s placeholders: numbers and strings as they
    are, anything with words in it (`Date`, `Choice`, `InstrumentText`, another
    message) rendered in the reader's language first.
    """

    msgid: str
    params: dict = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None

    @classmethod
    def ngettext(cls, singular: str, plural: str, count: int, params=None) -> "Message":
        """A message with a plural; named so that makemessages extracts both forms."""
        return cls(singular, dict(params or {}), plural=plural, count=count)

    def __str__(self) -> str:
        if self.plural is None:
            text = gettext(self.msgid)
        else:
            text = ngettext(self.msgid, self.plural, self.count)
        if not self.params:
            return text
        return text % {name: _render(value) for name, value in self.params.items()}

    def as_dict(self) -> dict:
        item = {"msgid": self.msgid}
        if self.params:
            item["params"] = {name: encode(value) for name, value in self.params.items()}
        if self.plural is not None:
            item["plural"], item["count"] = self.plural, self.count
        return item

    @classmethod
    def from_dict(cls, data: dict) -> "Message | Joined":
        return from_dict(data)

    def join(self, *others: "Message | Joined", sep: str = " ") -> "Joined":
        """This message and the others side by side: two sentences, one summary."""
        return Joined((self, *others), sep)

    # Messages are equal when they store the same: what decides whether a flag changed.
    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.as_dict(), sort_keys=True))


@dataclass(frozen=True, eq=False)
class Joined:
    """Worded pieces (messages, choices' labels) read one after another, each in
    the reader's language: two sentences of a summary, a list of barriers."""

    parts: tuple
    sep: str = " "

    def __str__(self) -> str:
        return self.sep.join(str(part) for part in self.parts)

    def as_dict(self) -> dict:
        return {"join": [part.as_dict() for part in self.parts], "sep": self.sep}

    def join(self, *others: "Message | Joined", sep: str = " ") -> "Joined":
        return Joined((self, *others), sep)

    def __eq__(self, other) -> bool:
        return isinstance(other, Joined) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.as_dict(), sort_keys=True))


def without_full_stop(text: str) -> str:
    """Words ready for punctuation of their own: "It feels pointless." quoted
    before "." or ";" would otherwise end on two marks. An ellipsis, a question
    or an exclamation is the writer's own and stays."""
    text = text.rstrip()
    if text.endswith(".") and not text.endswith("..."):
        return text[:-1].rstrip()
    return text


def from_dict(data: dict) -> "Message | Joined":
    """A stored message (`as_dict()`) back as one, to render in the active language;
    one stored under words since reworded (`REWORDED`) comes back in the new words."""
    if "join" in data:
        return Joined(tuple(decode(part) for part in data["join"]), data.get("sep", " "))
    msgid = data["msgid"]
    if "plural" not in data:
        msgid = REWORDED.get(msgid, msgid)
    return Message(
        msgid,
        {name: decode(value) for name, value in data.get("params", {}).items()},
        plural=data.get("plural"),
        count=data.get("count"),
    )


def english(value) -> str:
    """The text as stored beside its message: in STORED_LANGUAGE, whatever is active."""
    if translation.get_language() == STORED_LANGUAGE:
        return str(value)
    with translation.override(STORED_LANGUAGE):
        return str(value)


WORDED = (Message, Joined, Date, Choice, InstrumentText)


def _render(value):
    """A parameter as the msgid's placeholder takes it: numbers stay numbers (for
    %(x).1f), anything with words is worded in the active language."""
    return str(value) if isinstance(value, WORDED) else value


def encode(value):
    """A parameter (or an evidence value) as JSON stores it."""
    if isinstance(value, WORDED):
        return value.as_dict()
    if isinstance(value, date):
        raise TypeError("A date parameter is a Date, so that it is named at read time.")
    return value


def decode(value):
    """A stored parameter (or an evidence label) back as what words it at read time."""
    if not isinstance(value, dict):
        return value
    if "date" in value:
        return Date(date.fromisoformat(value["date"]))
    if "choice" in value:
        return Choice(value["choice"], value["code"], value.get("lower", False))
    if "instrument" in value:
        return InstrumentText(value["instrument"], value.get("item"), value.get("answer"))
    return from_dict(value)
