"""The questionnaires in the weekly check-in: which are due, saving the answers
with their scores, and reading each client's first and latest scores in their
current course of therapy, and the course's outcome on both together.

What the scores mean lives in `clinical.measures`; this module only reads and
writes the database."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils.translation import get_language, gettext

from clinical.measures import (
    DEFAULT_EVERY_WEEKS,
    EPISODE_CATEGORIES,
    EPISODE_MEASURES,
    INSTRUMENTS,
    NO_RELIABLE_CHANGE,
    RECOVERY,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    RELIABLE_RECOVERY,
    Band,
    Change,
    EpisodeOutcome,
    Instrument,
    band,
    episode_outcome,
    is_due,
    safety_answers,
    total,
)
from portal.models import User, course_start

from .models import CheckIn, MeasureResponse, MeasureSchedule


class MeasureError(ValueError):
    """Questionnaire answers that cannot be scored (an item left out)."""


def schedule_for(practice_id: int | None) -> list[tuple[Instrument, int]]:
    """The practice's questionnaires and how often each is asked, in weeks; an
    instrument the practice has not set is asked every `DEFAULT_EVERY_WEEKS`."""
    chosen = (
        {
            row.instrument: row.every_weeks
            for row in MeasureSchedule.objects.filter(practice_id=practice_id)
        }
        if practice_id is not None
        else {}
    )
    every = {key: chosen.get(key, DEFAULT_EVERY_WEEKS) for key in INSTRUMENTS}
    return [(INSTRUMENTS[key], weeks) for key, weeks in every.items() if weeks]


def due_instruments(client: User, week_start: date) -> list[Instrument]:
    """The questionnaires that belong in `client`'s check-in for `week_start`: the
    ones answered that week already (to edit), and the ones whose turn it is."""
    schedule = schedule_for(client.practice_id)
    if not schedule:
        return []
    last = dict(
        MeasureResponse.objects.filter(client=client, week_start__lte=week_start)
        .values_list("instrument")
        .annotate(last=Max("week_start"))
    )
    return [
        instrument
        for instrument, every_weeks in schedule
        if is_due(last_week=last.get(instrument.key), week=week_start, every_weeks=every_weeks)
    ]


def save_responses(*, checkin: CheckIn, measures: dict[str, dict]) -> list[MeasureResponse]:
    """Store the week's questionnaire answers with their totals, computed here and
    never typed in. `measures` maps an instrument key to its item `answers` (in
    printed order) and an optional `follow_up` answer.

    The caller holds the week's row locked (as `submit_checkin` does), so the
    week's responses are read once and each is then updated or created: no
    other submit can write them in between.
    """
    existing = {r.instrument: r for r in MeasureResponse.objects.filter(checkin=checkin)}
    saved = []
    for key, given in measures.items():
        instrument = INSTRUMENTS[key]
        answers = list(given["answers"])
        score = total(instrument, answers)
        if score is None:
            raise MeasureError(f"Every {instrument.short_name} item needs an answer.")
        response = existing.get(key) or MeasureResponse(checkin=checkin, instrument=key)
        response.client_id = checkin.client_id
        response.week_start = checkin.week_start
        response.answers = answers
        response.follow_up = given.get("follow_up")
        response.total = score
        response.save()
        saved.append(response)
    return saved


@dataclass(frozen=True)
class MeasureSummary:
    """A client's first and latest score on one questionnaire, and what the change means."""

    instrument: Instrument
    first: int
    first_week: date
    latest: int
    latest_week: date

    @property
    def band(self) -> Band:
        """The score's range, named in the reader's language."""
        return band(self.instrument.in_language(get_language()), self.latest)

    @property
    def change(self) -> Change:
        return Change(self.instrument, self.first, self.latest)

    @property
    def has_change(self) -> bool:
        return self.latest_week != self.first_week

    @property
    def since_first(self) -> str:
        """The change from the first score, signed: "+7", "−3", "±0"."""
        delta = self.change.delta
        return f"+{delta}" if delta > 0 else (f"−{-delta}" if delta < 0 else "±0")

    @property
    def detail(self) -> str:
        """This questionnaire's own change, in words: the detail under the course's
        outcome (judged on one questionnaire, the rules are `Change`'s)."""
        if not self.has_change:
            return ""
        key = self.instrument.key
        return str(episode_outcome({key: self.first}, {key: self.latest}).label)


# The marker's symbol and style for each outcome: higher scores are worse, so
# a fall points down. No reliable change is left unmarked on the dashboard.
MARKERS = {
    RELIABLE_DETERIORATION: ("worse", "▲"),
    RELIABLE_RECOVERY: ("better", "▼"),
    RELIABLE_IMPROVEMENT: ("better", "▼"),
    RECOVERY: ("", "▽"),
    NO_RELIABLE_CHANGE: ("", ""),
}


@dataclass(frozen=True)
class EpisodeSummary:
    """The first and last paired scores of the client's current course of therapy
    (PHQ-9 and GAD-7 answered in the same check-in, or the one questionnaire the
    client is asked), and the course's outcome on them."""

    first: dict[str, int]
    first_week: date
    last: dict[str, int]
    last_week: date

    @property
    def outcome(self) -> EpisodeOutcome:
        return episode_outcome(self.first, self.last)

    @property
    def measures(self) -> str:
        """The questionnaires it is judged on: "PHQ-9 and GAD-7"."""
        names = [i.short_name for i in EPISODE_MEASURES if i.key in self.first]
        if len(names) == 1:
            return names[0]
        return gettext("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}

    @property
    def marker(self) -> tuple[str, str]:
        """(css, symbol and words) for the course's outcome, decided here rather than
        in a template; empty for no reliable change."""
        category = self.outcome.category
        css, symbol = MARKERS[category]
        if not symbol:
            return "", ""
        return css, f"{symbol} {EPISODE_CATEGORIES[category]}"

    def as_key(self) -> tuple:
        return (
            sorted(self.first.items()),
            self.first_week,
            sorted(self.last.items()),
            self.last_week,
        )


def paired_checkins(checkins):
    """The check-ins among `checkins` with paired scores: a score on each of the
    PHQ-9 and the GAD-7, or on the one of them the client has ever been asked."""
    paired = checkins.filter(Exists(MeasureResponse.objects.filter(checkin=OuterRef("pk"))))
    for instrument in EPISODE_MEASURES:
        paired = paired.filter(
            Exists(
                MeasureResponse.objects.filter(checkin=OuterRef("pk"), instrument=instrument.key)
            )
            | ~Exists(
                MeasureResponse.objects.filter(client=OuterRef("client"), instrument=instrument.key)
            )
        )
    return paired


def score_ends() -> dict[str, Subquery]:
    """Annotations for a queryset of clients: each questionnaire's first and latest
    total and week in the current course, as index lookups on (client,
    instrument, week); and the check-ins, weeks and totals of the course's first
    and last paired scores.

    When the client's current course began (see course_start) is worked out once,
    as `course_since`, and every other annotation reads it: asked in each of them
    it made the statement several times longer to build and to run."""
    ends = {"course_since": course_start(OuterRef("pk"))}
    for key in INSTRUMENTS:
        scored = MeasureResponse.objects.filter(
            client=OuterRef("pk"),
            instrument=key,
            checkin__submitted_at__gte=OuterRef("course_since"),
        )
        for end, order in (("first", "week_start"), ("latest", "-week_start")):
            for column in ("total", "week_start"):
                ends[f"{key}__{end}__{column}"] = Subquery(
                    scored.order_by(order).values(column)[:1]
                )
    paired = paired_checkins(
        CheckIn.objects.filter(client=OuterRef("pk"), submitted_at__gte=OuterRef("course_since"))
    )
    for end, order in (("first", "week_start"), ("last", "-week_start")):
        checkin = f"episode__{end}__checkin"
        ends[checkin] = Subquery(paired.order_by(order).values("pk")[:1])
        answers = MeasureResponse.objects.filter(checkin=OuterRef(checkin))
        ends[f"episode__{end}__week_start"] = Subquery(answers.values("week_start")[:1])
        for instrument in EPISODE_MEASURES:
            ends[f"episode__{end}__{instrument.key}"] = Subquery(
                answers.filter(instrument=instrument.key).values("total")[:1]
            )
    return ends


def summaries_from(row: dict) -> list[MeasureSummary]:
    """A client's summaries from the values of a row annotated with `score_ends`."""
    return [
        MeasureSummary(
            instrument,
            row[f"{key}__first__total"],
            as_date(row[f"{key}__first__week_start"]),
            row[f"{key}__latest__total"],
            as_date(row[f"{key}__latest__week_start"]),
        )
        for key, instrument in INSTRUMENTS.items()
        if row[f"{key}__first__total"] is not None
    ]


def episode_from(row: dict) -> EpisodeSummary | None:
    """The course's first and last paired scores from a row annotated with
    `score_ends`; None until there are two."""
    first, last = row["episode__first__checkin"], row["episode__last__checkin"]
    if first is None or first == last:
        return None

    def totals(end):
        found = {i.key: row[f"episode__{end}__{i.key}"] for i in EPISODE_MEASURES}
        return {key: score for key, score in found.items() if score is not None}

    return EpisodeSummary(
        totals("first"),
        as_date(row["episode__first__week_start"]),
        totals("last"),
        as_date(row["episode__last__week_start"]),
    )


def course_summaries(clients) -> dict[int, tuple[list[MeasureSummary], EpisodeSummary | None]]:
    """Each client's per-questionnaire summaries and course outcome, in one query
    of index lookups whatever the number of clients or the length of their
    histories; clients with no score are left out."""
    ends = score_ends()
    rows = (
        User.objects.filter(pk__in=[client.pk for client in clients])
        .annotate(**ends)
        .values("pk", *ends)
    )
    return {row["pk"]: (found, episode_from(row)) for row in rows if (found := summaries_from(row))}


def summaries_for(clients) -> dict[int, list[MeasureSummary]]:
    """First and latest scores in the current course of every client in `clients`,
    per questionnaire (see `course_summaries`)."""
    return {pk: found for pk, (found, _) in course_summaries(clients).items()}


def as_date(value):
    """A week read through a subquery: a date on PostgreSQL, a string on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def in_plain_words(summary: MeasureSummary, *, latest_answers=()) -> str:
    """What a client's latest score means, for the client: the range it falls in,
    and how it compares with where they started, without jargon."""
    instrument, change = summary.instrument.in_language(get_language()), summary.change
    numbers = {
        "measure": instrument.short_name,
        "score": summary.latest,
        "most": instrument.max_total,
        "range": summary.band.label.lower(),
        "about": instrument.about,
        "first": summary.first,
        "points": abs(change.delta),
        "reliable": instrument.reliable_change,
    }
    said = gettext(
        "Your latest %(measure)s score is %(score)s out of %(most)s: in the “%(range)s” range "
        "for %(about)s."
    )
    if not summary.has_change:
        meaning = gettext("It is your first, so later scores will be compared with it.")
    elif change.reliably_deteriorated:
        meaning = gettext(
            "That is %(points)s points higher than your first (%(first)s): a real change for the "
            "worse, worth acting on now. Tell your therapist this week (they see the score too), "
            "and if you ever feel unsafe, use the crisis help at the top of this page."
        )
    elif change.reliably_improved:
        meaning = gettext(
            "That is %(points)s points lower than your first (%(first)s): a real improvement, "
            "bigger than everyday ups and downs."
        )
    else:
        meaning = gettext(
            "Your first was %(first)s. The difference is within everyday ups and downs (a change "
            "of %(reliable)s points or more is a real one)."
        )
    words = f"{said} {meaning}" % numbers
    if safety_answers(instrument, list(latest_answers)):
        words += " " + gettext(
            "You also told us you have had thoughts of being better off dead or of hurting "
            "yourself. If you feel unsafe now, use the crisis help at the top of this page; "
            "your therapist has been told and will be in touch."
        )
    return words
