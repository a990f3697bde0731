"""The one write path for check-ins: the form view, the demo data and the tests all use it."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Min, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from clinical.measures import INSTRUMENTS
from clinical.reading import evaluate, read_week
from clinical.trends import Finding, Thresholds, crisis_flag, safety_item_flag, thresholds
from guidance.services import attach_advice
from portal.lookups import AnyOf
from portal.models import User, course_start
from portal.services import start_new_course

from .agenda import record_answers
from .measures import save_responses
from .models import (
    CLIENT_KINDS,
    FREE_TEXT_FIELDS,
    SAFETY_KINDS,
    CheckIn,
    Flag,
    FlagStatus,
    MeasureResponse,
    week_start_for,
)
from .safety import alert_on_new_safety_flag

# The rules look at most this many recent check-ins (plus the first few, for
# the baseline), so a save costs the same after two years as after two months.
# A quarter of a year covers every window the thresholds use.
HISTORY_WINDOW = 12

# The answers a client gives; everything else on a CheckIn is set here.
ANSWER_FIELDS = [
    "sessions_attended",
    "sessions_reason",
    "expectations",
    "hoped_for",
    "discomfort",
    "homework",
    "wellbeing",
    "felt_worse_after_session",
    "barrier_time",
    "barrier_money",
    "barrier_energy",
    "barrier_life_events",
    "to_raise",
    "share_text_with_therapist",
    "in_crisis",
]


@transaction.atomic
def submit_checkin(*, client: User, data: dict, now: datetime | None = None) -> CheckIn:
    """Save `client`'s answers for the current week, creating or updating its check-in.

    The week is the client's local week at `now`, so only the open week can
    ever be written. The unique (client, week) constraint and
    update_or_create make a repeated or concurrent submit update the one row.
    """
    if not client.is_client:
        raise CheckInError("Only clients submit check-ins.")
    now = now or timezone.now()
    answers = {field: data[field] for field in ANSWER_FIELDS if field in data}
    week_start = week_start_for(now, client.tz)
    checkin, created = _save_week(client=client, week_start=week_start, answers=answers, now=now)
    if data.get("measures"):
        save_responses(checkin=checkin, measures=data["measures"])
    t = thresholds()
    history = rules_history(checkin, t)
    # The client is locked already (by _save_week).
    active = _active_flags(client)
    reading = read_week(history, t, safety_open=_safety_open(active))
    _apply_findings(
        client,
        evaluate(history, current_week=week_start, t=t, reading=reading),
        now=now,
        active=active,
    )
    _keep_trajectory(checkin, reading)
    # Advice is kept word for word as the client reads it: in their language.
    with translation.override(client.language):
        attach_advice(checkin=checkin, history=history, reading=reading, t=t, replace=not created)
    # After the flags: an answer that brings a talked-about trend back reopens its
    # flag only if the trend is still there, and opens a flag of its own if not.
    if data.get("agenda_answers"):
        record_answers(client=client, answers=data["agenda_answers"], week=week_start)
    return checkin


def _safety_open(active: dict[str, "Flag"]) -> bool:
    """Whether any of the client's active flags is a safety flag not yet cleared."""
    return any(flag.is_safety and flag.is_open for flag in active.values())


def _keep_trajectory(checkin: CheckIn, reading) -> None:
    """Store the week's reading on its check-in, written only when it changed."""
    if checkin.trajectory != reading.trajectory:
        checkin.trajectory = reading.trajectory
        CheckIn.objects.filter(pk=checkin.pk).update(trajectory=reading.trajectory)


def record_safety_answer(
    *,
    client: User,
    in_crisis: bool,
    safety_items: Mapping[str, Mapping[int, int]],
    now: datetime | None = None,
) -> list[Flag]:
    """Act on a crisis answer, or a safety item (PHQ-9 item 9) answered above "Not at
    all", from a check-in that cannot be saved yet because another answer needs a
    second look: the week's safety flag is opened (or kept) and its alert queued at
    once, exactly as `submit_checkin` would for the same answers. Returns the
    week's safety flags; none (and no query) for a "no".

    `safety_items` holds, by questionnaire key, the safety items answered (item
    number: answer); any other item given is ignored, and nothing is filled in.

    The flag is the record of what was answered and when: its evidence is the
    answer and its week, its history the time it was opened or changed, and it is
    in the client's export and erased with them. The week's check-in is not
    touched: a check-in is saved whole or not at all, with the advice made from
    it, and this week may have none yet. When the client sends the form again the
    rules find the same answer with the same score, so `_apply_finding` leaves
    the flag as it is and no second alert goes out; a repeated post does the same.
    """
    now = now or timezone.now()
    week_start = week_start_for(now, client.tz)
    # The answers as the rules read a week, never saved: only what was given.
    said = CheckIn(client=client, week_start=week_start, in_crisis=in_crisis)
    said.measure_answers = _safety_items_only(safety_items)
    t = thresholds()
    findings = [
        finding
        for rule in (crisis_flag, safety_item_flag)
        # Both read this week's answers alone, never the reading of a week half answered.
        if (finding := rule([said], None, t)) is not None
    ]
    if not findings:
        return []
    with transaction.atomic():
        # As in a submit: the client locked first, so a submit or the daily
        # recompute meanwhile waits, and only one of them opens the flag.
        _lock_client(client)
        active = _active_flags(client)
        return [
            _apply_finding(client, finding.kind, finding, now=now, active=active)
            for finding in findings
        ]


def _safety_items_only(safety_items: Mapping[str, Mapping[int, int]]) -> dict[str, list]:
    """Each questionnaire's answers as the rules read them, with only its safety
    items given (None for every item not answered here)."""
    answers = {}
    for key, given in safety_items.items():
        instrument = INSTRUMENTS.get(key)
        if instrument is None:
            raise CheckInError(f"No questionnaire {key!r}.")
        values = {option.value for option in instrument.options}
        items: list[int | None] = [None] * len(instrument.items)
        for number, answer in given.items():
            if number not in instrument.safety_items:
                continue
            if answer not in values:
                raise CheckInError(f"{answer!r} is not an answer to {key} item {number}.")
            items[number - 1] = answer
        answers[key] = items
    return answers


def _save_week(*, client: User, week_start, answers: dict, now: datetime) -> tuple[CheckIn, bool]:
    """Update the week's row if there is one, else create it; and whether it was created.

    The week's row and the client are locked in one statement (FOR NO KEY UPDATE:
    rows that only refer to them are not held up), so two submits queue, and the
    daily recompute and a submit never both open a flag (see `sync_flags`). A
    concurrent create loses to the unique constraint and updates the row that won.
    """
    checkin = (
        CheckIn.objects.select_for_update(no_key=True, of=("self", "client"))
        .select_related("client")
        .only(*CHECKIN_FIELDS, "client__id")
        .filter(client_id=client.pk, week_start=week_start)
        .first()
    )
    if checkin is None:
        _lock_client(client)
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(
                    client=client, week_start=week_start, submitted_at=now, **answers
                )
                return checkin, True
        except IntegrityError:
            checkin = CheckIn.objects.select_for_update().get(client=client, week_start=week_start)
    checkin.client = client
    for name, value in answers.items():
        setattr(checkin, name, value)
    checkin.save(update_fields=[*answers, "updated_at"])
    return checkin, False


# The week's row is read with every field of its own and its client's id alone.
CHECKIN_FIELDS = [field.name for field in CheckIn._meta.concrete_fields]


# What the rules read of a check-in: the answers without the client's own words,
# which stay in the database.
RULES_READ = [
    "client_id",
    "week_start",
    *(f for f in ANSWER_FIELDS if f not in (*FREE_TEXT_FIELDS, "share_text_with_therapist")),
    # The reading stored last time, so the recompute writes only a changed one.
    "trajectory",
]


def _rules_history_query(client_id, week_start, baseline_checkins: int, since) -> QuerySet:
    """The weeks `rules_history` reads, each joined to its questionnaire answers
    (one row per week and questionnaire, or one with none), from `since`: the
    current course of therapy only, so a returning client, or one whose therapist
    began a new course, is measured from the new course's start."""
    upto = CheckIn.objects.filter(
        client_id=client_id, week_start__lte=week_start, submitted_at__gte=since
    )
    # The baseline weeks, the recent window, and the week of each questionnaire's
    # first score in the course (change is measured from it, however long ago).
    first_scores = (
        MeasureResponse.objects.filter(client_id=client_id, checkin__submitted_at__gte=since)
        .values("instrument")
        .annotate(first=Min("week_start"))
        .values("first")
    )
    baseline = upto.order_by("week_start").values("week_start")[:baseline_checkins]
    recent = upto.order_by("-week_start").values("week_start")[:HISTORY_WINDOW]
    return (
        upto.filter(
            Q(week_start__in=baseline) | Q(week_start__in=recent) | Q(week_start__in=first_scores)
        )
        .order_by("week_start")
        .values_list(
            "id", *RULES_READ, "measure_responses__instrument", "measure_responses__answers"
        )
    )


def rules_history(checkin: CheckIn, t: Thresholds) -> list[CheckIn]:
    """The check-ins the rules read for `checkin`, oldest first, ending with it:
    the first few of the client's current course of therapy (their baseline) and
    the most recent window, each with its questionnaire answers. Two statements:
    when the course began, then the weeks; asked inside the second, the course's
    start made it four times longer to build."""
    ((since, _),) = _course_starts([checkin.client_id]).items()
    query = _rules_history_query(checkin.client_id, checkin.week_start, t.baseline_checkins, since)
    names = ["id", *RULES_READ]
    history: list[CheckIn] = []
    for *values, instrument, given in query:
        if not history or history[-1].pk != values[0]:
            history.append(CheckIn.from_db(query.db, names, values))
            history[-1].measure_answers = {}
        if instrument is not None:
            history[-1].measure_answers[instrument] = given
    return history


def _course_starts(client_ids: list[int]) -> dict[datetime, list[int]]:
    """When each client's current course of therapy began, the clients grouped by
    it (most share BEFORE_ANY_COURSE): one statement for a batch, where a course
    start asked of every check-in row would be one per row."""
    groups: dict[datetime, list[int]] = {}
    for client_id, since in (
        User.objects.filter(pk__in=client_ids)
        .annotate(since=course_start(OuterRef("pk")))
        .values_list("pk", "since")
    ):
        groups.setdefault(since, []).append(client_id)
    return groups


def _in_course(starts: dict[datetime, list[int]], *, checkin: str = "") -> Q:
    """Rows of each client's current course; `checkin` leads from a row to its check-in."""
    found = Q(pk__in=[])
    for since, clients in starts.items():
        found |= Q(client_id__in=clients, **{f"{checkin}submitted_at__gte": since})
    return found


def rules_histories(client_ids: list[int], t: Thresholds) -> dict[int, list[CheckIn]]:
    """What `rules_history` reads for each client's latest check-in, for many clients
    in three queries: the baseline and recent weeks of the current course
    (numbered by window functions), the weeks of each questionnaire's first
    score in it, and the answers."""
    # Each client's current course of therapy only, as in `rules_history`. The
    # course starts are read once per client, not once per check-in row.
    starts = _course_starts(client_ids)
    numbered = (
        CheckIn.objects.filter(_in_course(starts))
        .only(*RULES_READ)
        .annotate(
            from_first=Window(
                RowNumber(), partition_by=[F("client_id")], order_by=F("week_start").asc()
            ),
            from_last=Window(
                RowNumber(), partition_by=[F("client_id")], order_by=F("week_start").desc()
            ),
        )
        .filter(Q(from_first__lte=t.baseline_checkins) | Q(from_last__lte=HISTORY_WINDOW))
    )
    names = ["id", *RULES_READ]  # read as values, made into check-ins here: less work
    kept = {}
    for values in numbered.values_list(*names):
        checkin = CheckIn.from_db(numbered.db, names, values)
        kept[(checkin.client_id, checkin.week_start)] = checkin
    first_scores = set(
        MeasureResponse.objects.filter(_in_course(starts, checkin="checkin__"))
        .values("client_id", "instrument")
        .annotate(first=Min("week_start"))
        .values_list("client_id", "first")
    )
    missing = first_scores - kept.keys()
    if missing:
        for checkin in CheckIn.objects.filter(
            client_id__in={client for client, _ in missing},
            week_start__in={week for _, week in missing},
        ).only(*RULES_READ):
            if (checkin.client_id, checkin.week_start) in missing:
                kept[(checkin.client_id, checkin.week_start)] = checkin
    answers: dict[int, dict[str, list[int]]] = {c.pk: {} for c in kept.values()}
    for checkin_id, instrument, given in MeasureResponse.objects.filter(
        AnyOf(F("checkin_id"), list(answers))
    ).values_list("checkin_id", "instrument", "answers"):
        answers[checkin_id][instrument] = given
    histories: dict[int, list[CheckIn]] = {}
    for (client_id, _), checkin in sorted(kept.items(), key=lambda item: item[0]):
        checkin.measure_answers = answers[checkin.pk]
        histories.setdefault(client_id, []).append(checkin)
    return histories


def recompute_flags_for(clients: list[User], *, now: datetime, t: Thresholds) -> None:
    """Re-evaluate a batch of clients' flags as of `now`, as `recompute_flags` does
    for one: the clients locked first (so a submit meanwhile waits, and is read),
    their histories and active flags read in bulk, the pure rules, and the same
    changes `sync_flags` makes. A handful of queries for the batch, and writes only
    where a flag changes."""
    with transaction.atomic():
        ids = [client.pk for client in clients]
        # FOR NO KEY UPDATE: a submit's lock on the same client waits for it, but
        # rows that only refer to the client (an access-log row, a check-in) do not.
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values("pk")
        )
        histories = rules_histories(ids, t)
        active: dict[int, dict[str, Flag]] = {}
        for flag in Flag.objects.select_for_update().filter(client_id__in=ids).active():
            active.setdefault(flag.client_id, {})[flag.kind] = flag
        for client in clients:
            history = histories.get(client.pk, [])
            flags = active.get(client.pk, {})
            reading = read_week(history, t, safety_open=_safety_open(flags))
            findings = evaluate(
                history, current_week=week_start_for(now, client.tz), t=t, reading=reading
            )
            _apply_findings(client, findings, now=now, active=flags)
            if history:
                _keep_trajectory(history[-1], reading)


@transaction.atomic
def recompute_flags(*, client: User, now: datetime | None = None, t: Thresholds | None = None):
    """Re-evaluate `client`'s flags as of `now`: after a threshold change, and daily so
    that a client who stopped checking in is flagged although nothing was saved."""
    now = now or timezone.now()
    t = t or thresholds()
    latest = CheckIn.objects.filter(client=client).order_by("-week_start").first()
    history = rules_history(latest, t) if latest else []
    current_week = week_start_for(now, client.tz)
    _lock_client(client)
    active = _active_flags(client)
    reading = read_week(history, t, safety_open=_safety_open(active))
    findings = evaluate(history, current_week=current_week, t=t, reading=reading)
    if latest:
        _keep_trajectory(latest, reading)
    return _apply_findings(client, findings, now=now, active=active)


@transaction.atomic
def begin_new_course(*, client: User, therapist: User, now: datetime | None = None) -> None:
    """The client's therapist begins a new course of therapy with them, and the flags
    are read from it at once: a trend measured against the old course's baseline
    does not wait for the nightly recompute to close."""
    now = now or timezone.now()
    start_new_course(client=client, therapist=therapist, now=now)
    recompute_flags(client=client, now=now)


def sync_flags(*, client: User, findings: dict[str, Finding], now: datetime) -> list[Flag]:
    """Bring the client's stored flags in line with `findings`.

    - a new trend opens a flag; an open flag takes the latest evidence;
    - a raised or dismissed flag stays quiet unless its score rises above the
      score it had when handled, which opens a new flag in its place;
    - a trend that has ended closes its flag, except an open safety (crisis)
      flag, which stays until the therapist clears it, and a flag opened by what
      the client said (CLIENT_KINDS), which no rule produces;
    - a new safety flag queues its alert in the same transaction.
    """
    # Lock the client first: a submit and the daily recompute may run at once,
    # and only one of them may open a flag the client has none of yet.
    _lock_client(client)
    return _apply_findings(client, findings, now=now, active=_active_flags(client))


def _lock_client(client: User) -> None:
    User.objects.select_for_update(no_key=True).filter(pk=client.pk).values("pk").first()


def _active_flags(client: User) -> dict[str, Flag]:
    """The client's active flags by kind, locked."""
    flags = Flag.objects.select_for_update().filter(client_id=client.pk).active()
    return {flag.kind: flag for flag in flags}


def _apply_findings(
    client: User, findings: dict[str, Finding], *, now: datetime, active: dict[str, Flag]
) -> list[Flag]:
    """`sync_flags`'s changes, on the client's active flags already read and locked."""
    for kind, flag in active.items():
        if kind in CLIENT_KINDS:
            continue
        if kind not in findings and not (flag.is_safety and flag.is_open):
            flag.closed_at = now
            flag.save(update_fields=["closed_at", "updated_at"])
    return [
        _apply_finding(client, kind, finding, now=now, active=active)
        for kind, finding in findings.items()
    ]


def _apply_finding(
    client: User, kind: str, finding: Finding, *, now: datetime, active: dict[str, Flag]
) -> Flag:
    """Open, update or leave as it is the one flag of `kind`, from its finding; a new
    safety flag queues its alert. The client's other flags are not touched."""
    flag = active.get(kind)
    if flag is not None and flag.is_safety and finding.score > flag.score:
        # A crisis answer in a later week is a new event, with its own alert,
        # actions and escalation, whatever was done about the earlier one.
        flag.closed_at = now
        flag.save(update_fields=["closed_at", "updated_at"])
        flag = None
    if flag is not None and not flag.is_open and finding.score > flag.handled_score:
        flag.closed_at = now
        flag.save(update_fields=["closed_at", "updated_at"])
        flag = None
    new = flag is None
    if new:
        flag = Flag(client=client, kind=kind, opened_at=now)
    # Compared as stored: the messages, not words in whatever language is active.
    evidence = [item.as_dict() for item in finding.evidence]
    unchanged = flag.pk is not None and (
        flag.severity,
        flag.score,
        flag.summary_message,
        flag.evidence,
    ) == (finding.severity, finding.score, finding.summary.as_dict(), evidence)
    if not unchanged:  # an unchanged flag is not rewritten, nor its history grown
        flag.severity = finding.severity
        flag.score = finding.score
        flag.word(finding.summary, finding.evidence)
        flag.save()
    if new and kind in SAFETY_KINDS:
        alert_on_new_safety_flag(flag)
    return flag


# What the therapist is told, translated when it is raised.
FLAG_NOTE_REQUIRED = gettext_noop("Please add a short note.")
SAFETY_FLAG_NOT_RAISED = gettext_noop(
    "A crisis flag is not raised or dismissed: record the contact, the safety plan, or clear it."
)


class FlagError(Exception):
    """A flag action the rules refuse; the message is for the therapist."""


class CheckInError(Exception):
    """A check-in the rules refuse (someone who is not a client, say)."""


RAISED_IN_FUTURE = gettext_noop("That date is in the future. When was it raised in session?")
RAISED_BEFORE_FLAG = gettext_noop(
    "That is before this trend was flagged. When was it raised in session?"
)
# A session held a few days before the check-in that opened the flag may well
# have been where it came up; a date much earlier is a typing slip.
RAISED_EARLIEST = timedelta(days=7)


@transaction.atomic
def raise_flag(*, flag: Flag, by: User, raised_on, note: str) -> Flag:
    """The therapist raised the flag in session on `raised_on` (a real date: not in
    the future, not long before the flag opened)."""
    today = timezone.localdate(timezone=by.tz)
    if raised_on > today:
        raise FlagError(gettext(RAISED_IN_FUTURE))
    if raised_on < timezone.localdate(flag.opened_at, timezone=by.tz) - RAISED_EARLIEST:
        raise FlagError(gettext(RAISED_BEFORE_FLAG))
    return _handle(flag=flag, by=by, status=FlagStatus.RAISED, note=note, raised_on=raised_on)


@transaction.atomic
def dismiss_flag(*, flag: Flag, by: User, reason: str) -> Flag:
    return _handle(flag=flag, by=by, status=FlagStatus.DISMISSED, note=reason, raised_on=None)


def _handle(*, flag: Flag, by: User, status: str, note: str, raised_on) -> Flag:
    if flag.is_safety:
        raise FlagError(gettext(SAFETY_FLAG_NOT_RAISED))
    if not note.strip():
        raise FlagError(gettext(FLAG_NOTE_REQUIRED))
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    flag.status = status
    flag.note = note.strip()
    flag.raised_on = raised_on
    flag.handled_by = by
    flag.handled_at = timezone.now()
    flag.handled_score = flag.score
    flag.client_said = ""  # a new handling waits for the client's new word
    if flag.kind in CLIENT_KINDS:
        # No trend stands behind it to bring it back: handling it ends it.
        flag.closed_at = flag.handled_at
    flag.save()
    return flag
