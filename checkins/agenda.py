"""The client's agenda for their next session, and the loop that closes it: the
therapist marks an item talked about, and the client's next check-in asks how
that conversation went.

The follow-up rule: "It helped" and "Somewhat" close the item (the answer is
kept on the item and on its flag, which stays handled and comes back only if
its trend gets worse). "Not really" and "We did not get to it" bring it back to
the therapist at once: the item's flag reopens with the answer beside it, or,
for the client's own words, a flag of its own opens. A conversation that did
not happen or did not help is the very signal the articles behind the portal
ask not to let drop.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from clinical.reading import Reading
from clinical.text import Choice, Message, without_full_stop
from clinical.trends import Evidence, thresholds
from guidance.models import Advice
from guidance.rules import before_stopping
from portal.models import User

from .models import (
    CLIENT_KINDS,
    SAFETY_KINDS,
    UNRESOLVED,
    AgendaItem,
    AgendaOutcome,
    Flag,
    FlagKind,
    FlagStatus,
    Severity,
)


class AgendaError(Exception):
    """An agenda change that cannot be made (someone else's item, or one already closed)."""


# The trends as the client reads them: what their own check-ins suggest, as a
# question they may take up or leave, never the therapist's labels or tiers.
# Crisis flags are not here: they have their own path, at once.
CLIENT_WORDING = {
    FlagKind.DETERIORATION: _(
        "Your check-ins suggest things have been harder lately. Would you like to talk about it?"
    ),
    FlagKind.WELLBEING_FALLING: _(
        "Your check-ins suggest things have been harder lately. Would you like to talk about it?"
    ),
    FlagKind.RELIABLE_DETERIORATION: _(
        "Your questionnaire scores suggest things have been harder lately. Would you like to "
        "talk about it?"
    ),
    FlagKind.NOT_ON_TRACK: _(
        "Your questionnaire scores have not moved the way we would hope by now. Would you like "
        "to talk about what might help?"
    ),
    FlagKind.NO_RELIABLE_IMPROVEMENT: _(
        "Your questionnaire scores have not changed much in a while. Would you like to talk "
        "about what might help?"
    ),
    FlagKind.NO_IMPROVEMENT: _(
        "Things have not changed much in a while. Would you like to talk about what might help?"
    ),
    FlagKind.DISCOMFORT: _(
        "Your check-ins suggest sessions have felt uncomfortable lately. Would you like to talk "
        "about it?"
    ),
    FlagKind.EXPECTATIONS_UNMET: _(
        "Your check-ins suggest therapy has not been meeting what you hoped for. Would you like "
        "to talk about it?"
    ),
    FlagKind.WORSE_AFTER_SESSIONS: _(
        "You have felt worse after several sessions. Would you like to talk about how sessions "
        "feel?"
    ),
    FlagKind.HOMEWORK_FALLING: _(
        "The work between sessions has been harder to get to. Would you like to talk about it?"
    ),
    FlagKind.BARRIERS: _(
        "Some things have been getting in the way of therapy. Would you like to talk about them?"
    ),
    FlagKind.STOPPING_CONSIDERED: _("I am thinking about stopping or changing therapy."),
}

# The same trends as a topic, for "Last session you talked about ...". Marked,
# not translated: a flag stores the topic as a message, worded when read.
CLIENT_TOPIC = {
    FlagKind.DETERIORATION: gettext_noop("how things have been harder lately"),
    FlagKind.WELLBEING_FALLING: gettext_noop("how things have been harder lately"),
    FlagKind.RELIABLE_DETERIORATION: gettext_noop("how things have been harder lately"),
    FlagKind.NOT_ON_TRACK: gettext_noop("what might help things move"),
    FlagKind.NO_RELIABLE_IMPROVEMENT: gettext_noop("what might help things move"),
    FlagKind.NO_IMPROVEMENT: gettext_noop("what might help things move"),
    FlagKind.DISCOMFORT: gettext_noop("how sessions have felt"),
    FlagKind.EXPECTATIONS_UNMET: gettext_noop("what you hoped therapy would bring"),
    FlagKind.WORSE_AFTER_SESSIONS: gettext_noop("feeling worse after sessions"),
    FlagKind.HOMEWORK_FALLING: gettext_noop("the work between sessions"),
    FlagKind.BARRIERS: gettext_noop("what gets in the way of therapy"),
    FlagKind.STOPPING_CONSIDERED: gettext_noop("stopping or changing therapy"),
}


def topic_message(item: AgendaItem) -> Message | str:
    """What the item was about: a trend's topic as a message, the client's own words
    as they wrote them (less a closing full stop: the sentences quoting them add
    their own punctuation)."""
    if item.flag_id and item.flag and item.flag.kind in CLIENT_TOPIC:
        return Message(CLIENT_TOPIC[item.flag.kind])
    return without_full_stop(item.text)


def topic(item: AgendaItem) -> str:
    """What the item was about, in a phrase the client recognises."""
    return str(topic_message(item))


# Flags that suggest therapy is not working for the client: with one of these
# open, the page on stopping or switching is offered first, not in small print.
NOT_WORKING_KINDS = frozenset(
    {
        FlagKind.EXPECTATIONS_UNMET,
        FlagKind.NO_IMPROVEMENT,
        FlagKind.NO_RELIABLE_IMPROVEMENT,
        FlagKind.NOT_ON_TRACK,
        FlagKind.WORSE_AFTER_SESSIONS,
        FlagKind.DISCOMFORT,
    }
)


@dataclass(frozen=True)
class Suggestion:
    flag: Flag
    text: str


def agenda_for(client: User) -> list[AgendaItem]:
    """The open items, in the client's order."""
    return list(AgendaItem.objects.open().filter(client=client).select_related("flag"))


def trends_shown(client: User) -> bool:
    """Whether the client's practice shows them the trends in their own check-ins."""
    return client.practice is None or client.practice.show_trends_to_clients


def suggestions_for(client: User, *, flags, agenda) -> list[Suggestion]:
    """The client's open trends they may add, worded for them; none when the practice
    keeps trends from clients, and none already on the agenda."""
    if not trends_shown(client):
        return []
    taken = {item.flag_id for item in agenda}
    return [
        Suggestion(flag, str(CLIENT_WORDING[flag.kind]))
        for flag in flags
        if flag.is_open and flag.kind in CLIENT_WORDING and flag.pk not in taken
    ]


def _next_position(client: User) -> int:
    last = AgendaItem.objects.open().filter(client=client).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def add_item(*, client: User, text: str = "", flag: Flag | None = None) -> AgendaItem:
    """Put the client's words, or one of their own open trends, on the agenda."""
    # One change to a client's agenda at a time: positions stay unique and a
    # double click adds a trend once.
    User.objects.select_for_update().filter(pk=client.pk).first()
    if flag is not None:
        wordable = flag.kind in CLIENT_WORDING and flag.kind not in SAFETY_KINDS
        hidden = flag.kind != FlagKind.STOPPING_CONSIDERED and not trends_shown(client)
        if flag.client_id != client.pk or not wordable or hidden:
            raise AgendaError(gettext("That is not one of your check-ins' trends."))
        existing = AgendaItem.objects.open().filter(client=client, flag=flag).first()
        if existing:
            return existing
        text = str(CLIENT_WORDING[flag.kind])
    text = text.strip()
    if not text:
        raise AgendaError(gettext("Please write what you would like to talk about."))
    return AgendaItem.objects.create(
        client=client, text=text, flag=flag, position=_next_position(client)
    )


def _own_open_item(client: User, pk: int) -> AgendaItem:
    item = AgendaItem.objects.open().select_for_update().filter(client=client, pk=pk).first()
    if item is None:
        raise AgendaError(gettext("That item is no longer on your agenda."))
    return item


@transaction.atomic
def move_item(*, client: User, pk: int, up: bool) -> None:
    """Swap the item with its neighbour above (or below)."""
    _own_open_item(client, pk)
    items = list(AgendaItem.objects.open().select_for_update().filter(client=client))
    index = next(i for i, item in enumerate(items) if item.pk == pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def remove_item(*, client: User, pk: int) -> None:
    item = _own_open_item(client, pk)
    item.removed_at = timezone.now()
    item.save(update_fields=["removed_at"])


@transaction.atomic
def mark_talked_about(*, item: AgendaItem, by: User, note: str = "") -> AgendaItem:
    """The therapist talked it through with the client. A trend the client put on the
    agenda is marked raised in session in the same step."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.talked_about_at is not None or item.removed_at is not None:
        raise AgendaError(gettext("This item is no longer open."))
    now = timezone.now()
    item.talked_about_at, item.talked_about_by = now, by
    item.therapist_note = note.strip()
    item.save(update_fields=["talked_about_at", "talked_about_by", "therapist_note"])
    flag = item.flag
    if flag is not None and flag.closed_at is None and flag.status == FlagStatus.OPEN:
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        flag.status = FlagStatus.RAISED
        flag.raised_on = timezone.localdate(now, timezone=by.tz)
        flag.note = note.strip() or gettext("Talked about from the client's agenda.")
        flag.handled_by, flag.handled_at, flag.handled_score = by, now, flag.score
        flag.client_said = ""
        if flag.kind in CLIENT_KINDS:  # no trend stands behind it: handling ends it
            flag.closed_at = now
        flag.save()
    return item


def record_answers(*, client: User, answers: dict[int, str], week) -> None:
    """The client's "how did that conversation go?" answers, from their check-in."""
    items = AgendaItem.objects.awaiting_answer().filter(client=client, pk__in=answers)
    now = timezone.now()
    for item in items.select_related("flag"):
        item.outcome, item.answered_at = answers[item.pk], now
        item.save(update_fields=["outcome", "answered_at"])
        if item.flag is not None:
            item.flag.client_said = item.outcome
            item.flag.save(update_fields=["client_said", "updated_at"])
        if item.outcome in UNRESOLVED:
            _bring_back(item, week=week, now=now)


# What the client is told after saving, for each item they said did not help or
# was not reached: that it did not vanish, and who sees it next.
BROUGHT_BACK = {
    AgendaOutcome.NOT_REALLY: _(
        "You said talking about “%(topic)s” did not really help. Your therapist will see "
        "that before your next session. To talk about it again, you can add it to your "
        "agenda below."
    ),
    AgendaOutcome.NOT_REACHED: _(
        "You said you did not get to “%(topic)s”. Your therapist will see that before your "
        "next session. To make sure it comes up, you can add it to your agenda below."
    ),
}


def brought_back(client: User, *, week_start) -> list[str]:
    """What the client is told about the items their check-in this week brought
    back, in their words, oldest answer first."""
    since = datetime.combine(week_start, time.min, tzinfo=client.tz)
    items = (
        AgendaItem.objects.filter(client=client, outcome__in=UNRESOLVED, answered_at__gte=since)
        .select_related("flag")
        .order_by("answered_at", "pk")
    )
    return [str(BROUGHT_BACK[item.outcome]) % {"topic": item.words} for item in items]


def _bring_back(item: AgendaItem, *, week, now) -> None:
    """Reopen the item's trend if it is still there (the flag it was added from, or
    the one that has since taken its place), or open a flag for what the client
    said, with their answer as its evidence."""
    about = topic_message(item)
    evidence = Evidence(
        week.isoformat(),
        Message(gettext_noop("After talking about “%(topic)s”"), {"topic": about}),
        Choice("agenda_outcome", item.outcome),
    ).as_dict()
    trend = None
    if item.flag is not None and item.flag.kind not in CLIENT_KINDS:
        trend = Flag.objects.active().filter(client=item.client, kind=item.flag.kind).first()
    if trend is not None:
        trend.status = FlagStatus.OPEN
        trend.client_said = item.outcome
        trend.evidence = [*trend.evidence, evidence]
        trend.save(update_fields=["status", "client_said", "evidence", "updated_at"])
        return
    if item.outcome == AgendaOutcome.NOT_REACHED:
        summary = gettext_noop(
            "“%(topic)s” was on the agenda, and the client says you did not get to it."
        )
    else:
        summary = gettext_noop(
            "“%(topic)s” was talked about, and the client says it did not really help."
        )
    summary = Message(summary, {"topic": about})
    existing = (
        Flag.objects.active().filter(client=item.client, kind=FlagKind.AGENDA_FOLLOW_UP).first()
    )
    if existing is not None:
        evidence = [*existing.evidence, evidence]
        existing.word(summary)
        existing.evidence = evidence
        existing.status = FlagStatus.OPEN
        existing.client_said = item.outcome
        existing.save()
        return
    flag = Flag(
        client=item.client,
        kind=FlagKind.AGENDA_FOLLOW_UP,
        severity=Severity.MEDIUM,
        score=float(now.timestamp()),
        client_said=item.outcome,
        opened_at=now,
    )
    flag.word(summary)
    flag.evidence = [evidence]
    flag.save()


def stopping_steps(reading: Reading) -> list[Advice]:
    """The steps before stopping or switching that fit the client's reading, in
    order, from the advice library."""
    keys = before_stopping(reading, thresholds())
    found = Advice.objects.for_clients().in_bulk(keys, field_name="key")
    return [found[key] for key in keys if key in found]


@transaction.atomic
def consider_stopping(*, client: User, steps_read: list[str]) -> AgendaItem:
    """The client read the steps before stopping or switching and wants to talk it
    over: a flag worth raising in this session, with the steps they read, and the
    item on their agenda."""
    User.objects.select_for_update().filter(pk=client.pk).first()
    now = timezone.now()
    summary = Message(
        gettext_noop(
            "The client says they are thinking about stopping or changing therapy, and asked to "
            "talk about it."
        )
    )
    week = timezone.localdate(now, timezone=client.tz).isoformat()
    # The steps by the titles the client read them by.
    read = Message(gettext_noop("Read"))
    evidence = [Evidence(week, read, step).as_dict() for step in steps_read]
    flag = Flag.objects.active().filter(client=client, kind=FlagKind.STOPPING_CONSIDERED).first()
    if flag is None:
        flag = Flag(
            client=client,
            kind=FlagKind.STOPPING_CONSIDERED,
            severity=Severity.HIGH,
            score=float(now.timestamp()),
            opened_at=now,
        )
        flag.word(summary, ())
        flag.evidence = evidence
        flag.save()
    else:
        flag.status, flag.evidence = FlagStatus.OPEN, evidence
        flag.save(update_fields=["status", "evidence", "updated_at"])
    return add_item(client=client, flag=flag)
