"""Signals read from a client's check-in history, and the thresholds behind them.

Everything here is a pure function of a list of check-ins (oldest first): no
database, no clock unless given one. The advice rules (guidance.rules) and the
therapist's trend flags both read these signals, so they can never disagree
about, say, whether a client is getting worse.

The defaults are defended one by one below; a practice can override any of
them with the TREND_THRESHOLDS setting (see `thresholds()`).
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from statistics import median
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

from .measures import (
    INSTRUMENTS,
    Change,
    Instrument,
    expected_score,
    is_case,
    off_track_by,
    safety_answers,
    total,
)
from .text import WORDED, Choice, Date, InstrumentText, Joined, Message, english
from .vocabulary import FlagKind, Severity


def mean(values):
    """`statistics.mean`, to the bit and the type, without its exact fractions for
    whole numbers (the answers are): a whole-number mean is an int, and any other
    is their sum divided once, which Python rounds correctly, as statistics does.
    Anything else (floats, mixed) goes to statistics.mean itself."""
    values = list(values)
    if values and all(type(v) is int for v in values):
        total, n = sum(values), len(values)
        return total // n if total % n == 0 else total / n
    return statistics.mean(values)


class CheckInLike(Protocol):
    """What the rules read of a check-in; a CheckIn instance fits, saved or not."""

    week_start: object
    sessions_attended: int
    expectations: int
    discomfort: int
    homework: str
    wellbeing: int
    felt_worse_after_session: bool
    in_crisis: bool
    # Questionnaire item answers this week, by instrument key (clinical.measures).
    measure_answers: dict

    @property
    def homework_share(self) -> float | None: ...

    @property
    def barriers(self) -> list[str]: ...

    @property
    def barrier_labels(self) -> list[str]: ...

    def get_homework_display(self) -> str: ...


@dataclass(frozen=True)
class Thresholds:
    # About half of clients improve by their eighth session (Howard et al.,
    # 1986), so fewer sessions than this is early to judge whether it works.
    early_sessions: int = 8
    # Across clinical trials about half of clients recover within 13-18
    # sessions, and fewer do in routine care (Hansen, Lambert & Forman, 2002);
    # no reliable gain by the 12th is worth raising with the client.
    no_improvement_sessions: int = 12
    # The client's baseline is the mean of their first few check-ins, so one
    # unusual first week does not set it.
    baseline_checkins: int = 3
    # "Recent" is the mean of the last few check-ins: one bad week is noise,
    # three in a row is a trend.
    recent_checkins: int = 3
    # No gain is not a stall for a client already doing well: the Outcome
    # Rating Scale's clinical cut-off is 25 of 40 (Miller et al., 2003), 6.25
    # on each of its 0-10 items. A recent mean at or above it is in the range
    # of people not in treatment, so it is never "no improvement".
    no_improvement_ceiling: float = 6.25
    # Wellbeing (0-10) that has not risen by at least this much over baseline
    # counts as no improvement: a one-point move is within week-to-week noise.
    improvement_points: float = 1.0
    # A recent mean this far below baseline is a clear drop. The figure is
    # borrowed from pain ratings: on a 0-10 pain rating, Farrar et al. (2001)
    # found two points or 30% the smallest clinically important change; the
    # portal borrows it for its 0-10 wellbeing item, where it is also a fifth
    # of the scale, beyond week-to-week noise. Clients rarely worsen before
    # they improve (Lambert, 2007), so this is a flag, never something to
    # reassure away.
    deterioration_points: float = 2.0
    # Early decline: the last two check-ins each sit this many points below the
    # client's own level in the check-ins just before them (same two-point
    # figure as above). Two in a row is "sustained": one bad week is not a
    # trend. Three check-ins (a level, then two weeks below it) is the portal's
    # own choice, the fewest that show a sustained fall, so that a decline is
    # raised early: clinicians rarely see deterioration coming (Hannan et al.,
    # 2005: therapists predicted 1 of the 40 clients who deteriorated, where an
    # actuarial method identified 36 of them).
    decline_sustained_checkins: int = 2
    # The client's level is their best three-check-in mean among this many
    # check-ins before the sustained fall (two months of weekly check-ins): a
    # decline that lasts does not lower its own yardstick.
    decline_reference_checkins: int = 8
    # Expectations of 1-2 on the 1-5 scale mean therapy is not meeting hopes.
    expectations_low: int = 2
    # That many low answers in a row is "several weeks", not a passing mood.
    expectations_unmet_checkins: int = 3
    # Discomfort of 3-4 on the 0-4 scale is clear unease or dread.
    discomfort_high: int = 3
    # Alliance monitors flag any drop in alliance; a rise of this many points
    # above the client's own usual (median) level is worth a question.
    discomfort_rise: int = 2
    # Homework is "falling off" when the share done over the recent window is
    # at most this fraction of the share done before it (half as much or less).
    homework_drop_ratio: float = 0.5
    homework_window: int = 3
    # Feeling worse after sessions in this many of the last few check-ins is
    # "repeatedly" rather than one hard session.
    worse_after_sessions: int = 3
    worse_after_window: int = 4
    # Two or more weeks with no check-in is the dropout signal outcome
    # monitoring systems use (missed questionnaires predict dropout).
    missed_weeks: int = 2
    # A barrier is a flag only when it repeats (in this many of the last
    # `barrier_window` check-ins), when it is money, or beside another trend:
    # one tick of "energy" in an otherwise good week is ordinary life.
    barrier_repeats: int = 2
    barrier_window: int = 3
    # A finding rests on the latest check-in; once that is more than this many
    # weeks old it no longer describes the client, and the flag closes (the
    # check-ins-stopped flag speaks for the silence instead). Four weeks is a
    # month of weekly sessions, twice the missed-weeks signal above.
    evidence_recent_weeks: int = 4
    # Questionnaire scores are judged against the expected course from the
    # third session after the first score. Three is the portal's own choice,
    # not a published figure: fewer sessions leave too little time for any
    # change to show against a course that is itself a rough heuristic, and
    # waiting longer would delay raising a client who is off course.
    measure_on_track_from_sessions: int = 3


DEFAULT_THRESHOLDS = Thresholds()


def weeks_missed(last_week, current_week) -> int:
    """Whole weeks with no check-in between the week of the last one and the current
    week, not counting the current week, which is still open."""
    return max(0, (current_week - last_week).days // 7 - 1)


def thresholds() -> Thresholds:
    """The defaults, with any overrides from settings.TREND_THRESHOLDS applied."""
    overrides = getattr(settings, "TREND_THRESHOLDS", {}) or {}
    known = {f.name for f in fields(Thresholds)}
    unknown = set(overrides) - known
    if unknown:
        raise ImproperlyConfigured(f"Unknown TREND_THRESHOLDS: {sorted(unknown)}")
    return replace(DEFAULT_THRESHOLDS, **overrides)


def baseline_wellbeing(history: Sequence[CheckInLike], t: Thresholds) -> float | None:
    """Mean wellbeing of the first check-ins, once there are enough to compare against."""
    if len(history) < t.baseline_checkins + t.recent_checkins:
        return None
    return mean(c.wellbeing for c in history[: t.baseline_checkins])


def recent_wellbeing(history: Sequence[CheckInLike], t: Thresholds) -> float | None:
    if len(history) < t.recent_checkins:
        return None
    return mean(c.wellbeing for c in history[-t.recent_checkins :])


def wellbeing_drop(history: Sequence[CheckInLike], t: Thresholds) -> float | None:
    """How far recent wellbeing sits below baseline (positive = worse), if measurable."""
    baseline = baseline_wellbeing(history, t)
    if baseline is None:
        return None
    return baseline - recent_wellbeing(history, t)


@dataclass(frozen=True)
class Decline:
    """A sustained fall in wellbeing: the weeks it is measured from and to."""

    reference: float  # the client's level before the fall
    drop: float  # how far below that level the fall sits (positive = worse)
    before: tuple  # the check-ins that set the level
    after: tuple  # the check-ins that sit below it


def early_decline(history: Sequence[CheckInLike], t: Thresholds) -> Decline | None:
    """The last check-ins each clearly below the client's own recent level.

    That level is the best mean of three check-ins in a row (fewer when the
    history is short) among the `decline_reference_checkins` before the fall:
    their recent best, so that a decline that lasts does not lower its own
    yardstick, and not one unusually good week.
    """
    n = t.decline_sustained_checkins
    if len(history) < n + 1:
        return None
    after = tuple(history[-n:])
    earlier = history[-n - t.decline_reference_checkins : -n]
    size = min(3, len(earlier))
    runs = [earlier[i : i + size] for i in range(len(earlier) - size + 1)]
    before = tuple(max(runs, key=lambda run: mean(c.wellbeing for c in run)))
    reference = mean(c.wellbeing for c in before)
    drop = min(reference - c.wellbeing for c in after)
    if drop < t.deterioration_points:
        return None
    return Decline(reference, mean(reference - c.wellbeing for c in after), before, after)


def baseline_decline(history: Sequence[CheckInLike], t: Thresholds) -> Decline | None:
    """Recent wellbeing clearly below the client's first check-ins."""
    drop = wellbeing_drop(history, t)
    if drop is None or drop < t.deterioration_points:
        return None
    return Decline(
        baseline_wellbeing(history, t),
        drop,
        tuple(history[: t.baseline_checkins]),
        tuple(history[-t.recent_checkins :]),
    )


def decline(history: Sequence[CheckInLike], t: Thresholds) -> Decline | None:
    """The stronger of the two ways a client can be clearly getting worse."""
    found = [d for d in (baseline_decline(history, t), early_decline(history, t)) if d]
    return max(found, key=lambda d: d.drop, default=None)


def is_deteriorating(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    return decline(history, t) is not None


def is_falling(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Wellbeing clearly getting worse, or going down week on week by a clear margin
    (two falls in a row adding up to the deterioration figure): not the moment for
    "too soon to judge" or "hard sessions mean it is working"."""
    if is_deteriorating(history, t) or measure_deteriorated(history, t):
        return True
    return sudden_drop(history, t) or steady_fall(history, t)


def steady_fall(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Wellbeing down in each of the last check-ins, by the deterioration figure in
    all (9, 8, 7): not yet a sustained decline from the client's level, but a
    direction nobody should be told to wait out."""
    if len(history) < 3:
        return False
    a, b, c = (checkin.wellbeing for checkin in history[-3:])
    return a > b > c and a - c >= t.deterioration_points


def sudden_drop(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Twice the deterioration figure in a single week (8 to 4, say): one week, so not a
    flag on its own, but never a week to be told that hard means it is working."""
    return (
        len(history) >= 2
        and history[-2].wellbeing - history[-1].wellbeing >= 2 * t.deterioration_points
    )


def is_improving(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Wellbeing clearly above where the client started, and therapy meeting their hopes.

    The start and the latest are each the mean of up to three check-ins (fewer
    when the history is short), so one good week is not "improving".
    """
    if len(history) < 3 or is_falling(history, t):
        return False
    window = min(t.recent_checkins, len(history) // 2)
    start = mean(c.wellbeing for c in history[:window])
    latest = mean(c.wellbeing for c in history[-window:])
    return latest - start >= t.improvement_points and history[-1].expectations > t.expectations_low


def is_stalled(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Many sessions in, and wellbeing no better than where the client started.

    A client who is clearly worse is deteriorating, not stalled: that is the
    stronger signal, and showing both would bury it.
    """
    if not history or history[-1].sessions_attended < t.no_improvement_sessions:
        return False
    drop = wellbeing_drop(history, t)
    return (
        drop is not None
        and -drop < t.improvement_points
        and recent_wellbeing(history, t) < t.no_improvement_ceiling
        and not is_deteriorating(history, t)
    )


def trailing_run(history: Sequence[CheckInLike], predicate) -> int:
    """How many of the latest check-ins in a row satisfy `predicate`."""
    run = 0
    for checkin in reversed(history):
        if not predicate(checkin):
            break
        run += 1
    return run


def usual_discomfort(history: Sequence[CheckInLike]) -> float | None:
    """The client's usual discomfort: the median of all but the latest check-in."""
    earlier = history[:-1]
    return median(c.discomfort for c in earlier) if len(earlier) >= 2 else None


def homework_shares(history: Sequence[CheckInLike]) -> list[float]:
    """Share of homework done in the weeks it was set, oldest first."""
    return [c.homework_share for c in history if c.homework_share is not None]


def homework_falling_off(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    shares = homework_shares(history)
    if len(shares) < 2 * t.homework_window:
        return False
    before = mean(shares[: -t.homework_window])
    recent = mean(shares[-t.homework_window :])
    return before > 0 and recent <= before * t.homework_drop_ratio


def felt_worse_count(history: Sequence[CheckInLike], t: Thresholds) -> int:
    return sum(c.felt_worse_after_session for c in history[-t.worse_after_window :])


# ---------------------------------------------------------------------------
# Trend flags for the therapist: each rule reads the history (oldest first)
# and the client's current week, and returns a Finding or None.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    week: str  # ISO date of the week's Monday
    # What the therapist reads: a Message (or a choice's label, a questionnaire's
    # words) worded in the reader's language when read, or a plain "6/10".
    measure: "Message | str"
    value: "Message | Choice | InstrumentText | str"
    # What the value stands for, where something reads it besides the therapist (a
    # barrier's code, say): stable whatever language the words are read in.
    code: str = ""

    def as_dict(self) -> dict:
        """As stored: the words in English (for the admin and search), and the
        message behind each worded label, to word it again for each reader."""
        item = {"week": self.week, "measure": english(self.measure), "value": english(self.value)}
        if self.code:
            item["code"] = self.code
        if isinstance(self.measure, WORDED):
            item["measure_message"] = self.measure.as_dict()
        if isinstance(self.value, WORDED):
            item["value_message"] = self.value.as_dict()
        return item


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: int
    score: float  # higher is worse; a handled flag comes back when this rises
    summary: "Message | Joined"  # worded when read: str(summary) in the reader's language
    evidence: tuple[Evidence, ...]


def _ev(checkin: CheckInLike, measure, value, code: str = "") -> Evidence:
    value = value if isinstance(value, WORDED) else str(value)
    return Evidence(checkin.week_start.isoformat(), measure, value, code)


def _week(day) -> Date:
    """A week's Monday as the summaries name it, at read time: "Dec 1"."""
    return Date(day)


YES, NO = Message(gettext_noop("yes")), Message(gettext_noop("no"))


def crisis_flag(history, reading, t):
    """Any crisis answer in the latest check-in: always on top until cleared."""
    latest = history[-1]
    if not latest.in_crisis:
        return None
    return Finding(
        FlagKind.CRISIS,
        Severity.URGENT,
        # A crisis answer in a later week is a new event, so it outranks a
        # cleared one: the week's ordinal is the score.
        float(latest.week_start.toordinal()),
        Message(
            gettext_noop("Answered that they are in crisis in the week of %(week)s."),
            {"week": _week(latest.week_start)},
        ),
        (_ev(latest, Message(gettext_noop("In crisis")), YES),),
    )


WELLBEING = Message(gettext_noop("Wellbeing"))


def deterioration_flag(history, reading, t):
    found = reading.decline
    if found is None:
        return None
    if found == baseline_decline(history, t):
        summary = Message(
            gettext_noop(
                "Wellbeing averages %(recent).1f/10 over the last %(count)d check-ins, "
                "%(drop).1f below their baseline of %(baseline).1f."
            ),
            {
                "recent": found.reference - found.drop,
                "count": len(found.after),
                "drop": found.drop,
                "baseline": found.reference,
            },
        )
    else:
        summary = Message(
            gettext_noop(
                "Wellbeing %(latest)s in the last %(count)d check-ins, "
                "%(drop).1f below their level of %(level).1f just before."
            ),
            {
                "latest": ", ".join(f"{c.wellbeing}/10" for c in found.after),
                "count": len(found.after),
                "drop": found.drop,
                "level": found.reference,
            },
        )
    weeks = {c.week_start: c for c in found.before + found.after}
    measure = WELLBEING
    return Finding(
        FlagKind.DETERIORATION,
        Severity.HIGH,
        round(found.drop, 2),
        summary,
        tuple(_ev(c, measure, f"{c.wellbeing}/10") for _, c in sorted(weeks.items())),
    )


def discomfort_flag(history, reading, t):
    latest = history[-1]
    usual = usual_discomfort(history)
    high = latest.discomfort >= t.discomfort_high
    rising = usual is not None and latest.discomfort - usual >= t.discomfort_rise
    if not (high or rising):
        return None
    run = trailing_run(history, lambda c: c.discomfort >= t.discomfort_high)
    recent = history[-max(run, 3) :]
    if high and run > 1:
        summary = Message(
            gettext_noop("Discomfort with you rated %(rating)d/4 for %(run)d check-ins in a row."),
            {"rating": latest.discomfort, "run": run},
        )
    elif high:
        summary = Message(
            gettext_noop("Discomfort with you rated %(rating)d/4."), {"rating": latest.discomfort}
        )
    else:
        summary = Message(
            gettext_noop("Discomfort rose to %(rating)d/4 from a usual %(usual)g/4."),
            {"rating": latest.discomfort, "usual": usual},
        )
    measure = Message(gettext_noop("Discomfort"))
    return Finding(
        FlagKind.DISCOMFORT,
        Severity.HIGH if high and run > 1 else Severity.MEDIUM,
        float(latest.discomfort),
        summary,
        tuple(_ev(c, measure, f"{c.discomfort}/4") for c in recent),
    )


def checkins_stopped_flag(history, current_week, t):
    """Whole weeks since the last check-in, not counting the week still open."""
    last = history[-1].week_start
    missed = weeks_missed(last, current_week)
    if missed < t.missed_weeks:
        return None
    return Finding(
        FlagKind.CHECKINS_STOPPED,
        Severity.HIGH if missed >= 2 * t.missed_weeks else Severity.MEDIUM,
        float(missed),
        Message(
            gettext_noop("No check-in for %(weeks)d weeks; the last was the week of %(week)s."),
            {"weeks": missed, "week": _week(last)},
        ),
        (
            _ev(
                history[-1],
                Message(gettext_noop("Last check-in")),
                Message(
                    gettext_noop("%(sessions)d sessions"),
                    {"sessions": history[-1].sessions_attended},
                ),
            ),
        ),
    )


def expectations_flag(history, reading, t):
    run = trailing_run(history, lambda c: c.expectations <= t.expectations_low)
    if run < t.expectations_unmet_checkins:
        return None
    recent = history[-run:]
    lowest = min(c.expectations for c in recent)
    return Finding(
        FlagKind.EXPECTATIONS_UNMET,
        Severity.MEDIUM,
        # Lower ratings are worse; so is a run twice as long as the threshold.
        float(t.expectations_low + 1 - lowest + (run >= 2 * t.expectations_unmet_checkins)),
        Message(
            gettext_noop(
                "Therapy rated %(low)s/5 or lower for meeting their hopes, "
                "%(run)d check-ins in a row."
            ),
            {"low": t.expectations_low, "run": run},
        ),
        tuple(_ev(c, Message(gettext_noop("Expectations")), f"{c.expectations}/5") for c in recent),
    )


def no_improvement_flag(history, reading, t):
    # Stalled on wellbeing alone: where the client answers a validated
    # questionnaire that can judge, its own "no reliable improvement" speaks
    # instead, and a client getting worse is falling, not stalled.
    if not (reading.stalled and reading.stalled_wellbeing):
        return None
    latest = history[-1]
    baseline = baseline_wellbeing(history, t)
    recent = recent_wellbeing(history, t)
    measure = WELLBEING
    return Finding(
        FlagKind.NO_IMPROVEMENT,
        Severity.MEDIUM,
        # More sessions without gain is worse: one step per review period.
        float(latest.sessions_attended // t.no_improvement_sessions),
        Message(
            gettext_noop(
                "%(sessions)d sessions in, wellbeing averages %(recent).1f/10 against a "
                "baseline of %(baseline).1f."
            ),
            {"sessions": latest.sessions_attended, "recent": recent, "baseline": baseline},
        ),
        tuple(_ev(c, measure, f"{c.wellbeing}/10") for c in history[: t.baseline_checkins])
        + tuple(_ev(c, measure, f"{c.wellbeing}/10") for c in history[-t.recent_checkins :]),
    )


def worse_after_flag(history, reading, t):
    count = felt_worse_count(history, t)
    if count < t.worse_after_sessions:
        return None
    window = history[-t.worse_after_window :]
    measure = Message(gettext_noop("Felt worse after a session"))
    return Finding(
        FlagKind.WORSE_AFTER_SESSIONS,
        Severity.MEDIUM,
        float(count),
        Message(
            gettext_noop(
                "Felt worse after a session in %(count)d of the last %(window)d check-ins."
            ),
            {"count": count, "window": len(window)},
        ),
        tuple(_ev(c, measure, YES if c.felt_worse_after_session else NO) for c in window),
    )


def homework_flag(history, reading, t):
    if not homework_falling_off(history, t):
        return None
    shares = homework_shares(history)
    before = mean(shares[: -t.homework_window])
    recent = mean(shares[-t.homework_window :])
    set_weeks = [c for c in history if c.homework_share is not None]
    return Finding(
        FlagKind.HOMEWORK_FALLING,
        Severity.LOW,
        round(1 - recent / before, 2),
        Message(
            gettext_noop(
                "Homework done fell from %(before).0f%% to %(recent).0f%% of what was set."
            ),
            {"before": before * 100, "recent": recent * 100},
        ),
        tuple(
            _ev(c, Message(gettext_noop("Homework")), Choice("homework", c.homework))
            for c in set_weeks[-2 * t.homework_window :]
        ),
    )


def repeated_barriers(history: Sequence[CheckInLike], t: Thresholds) -> list[str]:
    """Barriers of this week that were also reported often enough just before."""
    window = history[-t.barrier_window :]
    return [
        barrier
        for barrier in history[-1].barriers
        if sum(barrier in c.barriers for c in window) >= t.barrier_repeats
    ]


def barriers_flag(history, current_week, t, *, other_trends: bool = False):
    """Barriers are context, worth a mention: repeated, money, or beside another trend.

    Money is a flag on its own because cost is a reason clients stop without
    saying so; a single tick of anything else in a good week is not.
    """
    latest = history[-1]
    if not latest.barriers:
        return None
    repeated = repeated_barriers(history, t)
    if not (repeated or "money" in latest.barriers or other_trends):
        return None
    window = history[-t.barrier_window :]
    named = Joined(tuple(Choice("barrier", code, lower=True) for code in latest.barriers), ", ")
    if repeated:
        times = sum(any(b in c.barriers for b in repeated) for c in window)
        summary = Message(
            gettext_noop(
                "Reported getting in the way: %(barriers)s (in %(times)d of the last %(window)d "
                "check-ins)."
            ),
            {"barriers": named, "times": times, "window": len(window)},
        )
    else:
        summary = Message(
            gettext_noop("Reported getting in the way: %(barriers)s."), {"barriers": named}
        )
    # The label is what the therapist reads; the code is what the advice is chosen by,
    # whatever language the label is read in.
    measure = Message(gettext_noop("Got in the way"))
    return Finding(
        FlagKind.BARRIERS,
        Severity.LOW,
        float(len(latest.barriers)),
        summary,
        tuple(
            _ev(c, measure, Choice("barrier", code), code=code)
            for c in window
            for code in c.barriers
        ),
    )


# ---------------------------------------------------------------------------
# Validated questionnaires (clinical.measures): a check-in may carry answers to
# the PHQ-9 and the GAD-7. Scores are read against the client's first score on
# the same questionnaire, the way NHS Talking Therapies reports outcomes.
# ---------------------------------------------------------------------------


def measure_scores(history: Sequence[CheckInLike], instrument: Instrument) -> list[tuple]:
    """(check-in, total) for every check-in with a complete answer to `instrument`."""
    scored = []
    for checkin in history:
        answers = checkin.measure_answers.get(instrument.key)
        try:
            score = total(instrument, answers) if answers is not None else None
        except ValueError:  # a stored answer outside the scale: no score, not an error
            score = None
        if score is not None:
            scored.append((checkin, score))
    return scored


@dataclass(frozen=True)
class Course:
    """One questionnaire's course for one client: the first score and the latest."""

    instrument: Instrument
    first: CheckInLike
    latest: CheckInLike
    change: Change
    scores: tuple  # (check-in, total), oldest first

    @property
    def sessions(self) -> int:
        """Sessions attended since the first score."""
        return max(0, self.latest.sessions_attended - self.first.sessions_attended)


def measure_courses(history: Sequence[CheckInLike], t: Thresholds) -> list[Course]:
    """Every questionnaire with a first and a later score. The latest score stands
    in the weeks the questionnaire is not asked, so a flag does not come and go
    with the schedule, until it is older than `evidence_recent_weeks` before
    the latest check-in."""
    courses = []
    for instrument in INSTRUMENTS.values():
        scored = measure_scores(history, instrument)
        if len(scored) < 2:
            continue
        age_weeks = (history[-1].week_start - scored[-1][0].week_start).days // 7
        if age_weeks > t.evidence_recent_weeks:
            continue
        (first, first_score), (latest, latest_score) = scored[0], scored[-1]
        change = Change(instrument, first_score, latest_score)
        courses.append(Course(instrument, first, latest, change, tuple(scored)))
    return courses


def questionnaire_judges_a_stall(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Whether a questionnaire can say if the client is stalled: a case at its first
    score and enough sessions since. Only then does the wellbeing item give way."""
    return any(
        is_case(c.instrument, c.change.first) and c.sessions >= t.no_improvement_sessions
        for c in measure_courses(history, t)
    )


def measure_deteriorated(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Reliably worse on any questionnaire since the first score."""
    return any(course.change.reliably_deteriorated for course in measure_courses(history, t))


def safety_item_answers(checkin: CheckInLike) -> list[tuple[Instrument, int, int]]:
    """(instrument, item number, answer) for each safety item answered above the lowest."""
    return [
        (INSTRUMENTS[key], number, answer)
        for key, answers in checkin.measure_answers.items()
        if key in INSTRUMENTS
        for number, answer in safety_answers(INSTRUMENTS[key], answers)
    ]


def needs_crisis_help(checkin: CheckInLike) -> bool:
    """A crisis answer, or a safety item (PHQ-9 item 9) answered above "Not at all"."""
    return checkin.in_crisis or bool(safety_item_answers(checkin))


def safety_item_flag(history, reading, t):
    """PHQ-9 item 9 above "Not at all": the crisis path at once, whatever the total."""
    latest = history[-1]
    found = safety_item_answers(latest)
    if not found:
        return None
    instrument, number, answer = found[0]
    said = InstrumentText(instrument.key, answer=answer)
    return Finding(
        FlagKind.SAFETY_ITEM,
        Severity.URGENT,
        # As with a crisis answer, a later week's answer is a new event.
        float(latest.week_start.toordinal()),
        Message(
            gettext_noop(
                "Answered “%(answer)s” to %(measure)s item %(number)s (“%(item)s”) in the week of "
                "%(week)s."
            ),
            {
                "answer": said,
                "measure": instrument.short_name,
                "number": number,
                "item": InstrumentText(instrument.key, item=number),
                "week": _week(latest.week_start),
            },
        ),
        (
            _ev(
                latest,
                Message(
                    gettext_noop("%(measure)s item %(number)s"),
                    {"measure": instrument.short_name, "number": number},
                ),
                said,
            ),
        ),
    )


def _score_evidence(course: Course) -> tuple[Evidence, ...]:
    """The first score and up to three of the latest."""
    shown = [course.scores[0], *course.scores[1:][-3:]]
    return tuple(_ev(checkin, course.instrument.short_name, score) for checkin, score in shown)


def _deterioration_finding(worse: list[Course]) -> Finding:
    return Finding(
        FlagKind.RELIABLE_DETERIORATION,
        Severity.HIGH,
        max(c.change.delta / c.instrument.reliable_change for c in worse),
        Joined(
            tuple(
                Message(
                    gettext_noop(
                        "%(measure)s up from %(first)s to %(latest)s since the week of %(week)s "
                        "(a change of %(reliable)s or more is reliable)."
                    ),
                    {
                        "measure": c.instrument.short_name,
                        "first": c.change.first,
                        "latest": c.change.latest,
                        "week": _week(c.first.week_start),
                        "reliable": c.instrument.reliable_change,
                    },
                )
                for c in worse
            )
        ),
        tuple(e for c in worse for e in _score_evidence(c)),
    )


def _no_reliable_improvement_finding(stalled: list[Course], t: Thresholds) -> Finding:
    return Finding(
        FlagKind.NO_RELIABLE_IMPROVEMENT,
        Severity.MEDIUM,
        # More sessions without gain is worse: one step per review period.
        float(max(c.sessions for c in stalled) // t.no_improvement_sessions),
        Joined(
            tuple(
                Message(
                    gettext_noop(
                        "%(measure)s %(latest)s, from %(first)s %(sessions)s sessions ago: not "
                        "yet a reliable improvement (%(reliable)s points)."
                    ),
                    {
                        "measure": c.instrument.short_name,
                        "latest": c.change.latest,
                        "first": c.change.first,
                        "sessions": c.sessions,
                        "reliable": c.instrument.reliable_change,
                    },
                )
                for c in stalled
            )
        ),
        tuple(e for c in stalled for e in _score_evidence(c)),
    )


def _off_track_finding(off: list[Course]) -> Finding:
    return Finding(
        FlagKind.NOT_ON_TRACK,
        Severity.MEDIUM,
        max(
            off_track_by(c.instrument, c.change.first, c.change.latest, c.sessions)
            / c.instrument.reliable_change
            for c in off
        ),
        Joined(
            tuple(
                Message(
                    gettext_noop(
                        "%(measure)s %(latest)s after %(sessions)s sessions, from %(first)s; a "
                        "rough expected course (a heuristic from the dose-effect curve) would be "
                        "about %(expected)s by now."
                    ),
                    {
                        "measure": c.instrument.short_name,
                        "latest": c.change.latest,
                        "sessions": c.sessions,
                        "first": c.change.first,
                        "expected": (
                            f"{expected_score(c.instrument, c.change.first, c.sessions):.0f}"
                        ),
                    },
                )
                for c in off
            )
        ),
        tuple(e for c in off for e in _score_evidence(c)),
    )


def measure_progress_flag(history, reading, t):
    """The strongest of three signals on the questionnaires, one flag at a time:

    - reliable deterioration: worse than the first score by the reliable-change
      figure or more. Raised at once and never reassured away: clinicians
      rarely see deterioration coming (therapists predicted 1 of 40 clients who
      deteriorated: Hannan et al., 2005).
    - no reliable improvement after `no_improvement_sessions` sessions since
      the first score, for a client at or above the cut-off then and now (one
      who has dropped below it has recovered, if not yet reliably).
    - not on track: above the expected-change curve for the client's first
      score by half a reliable change (clinical.measures explains the curve, a
      heuristic), from `measure_on_track_from_sessions` sessions on.
    """
    if reading.worse:
        return _deterioration_finding(list(reading.worse))
    if reading.stalled and reading.stalled_courses:
        return _no_reliable_improvement_finding(list(reading.stalled_courses), t)
    return _off_track_finding(list(reading.off_track)) if reading.off_track else None


def wellbeing_falling_flag(history, reading, t):
    """Falling, but not yet a sustained decline from the client's level: a single
    week's drop of twice the deterioration figure, or three falls in a row. The
    client is told to raise it this week, so the therapist sees it too, worth a
    mention: it is one or two weeks of a single item, and a flag for every dip
    would bury the ones worth raising (monitoring systems flag 10-15% of clients)."""
    if not reading.falling or reading.decline or reading.worse:
        return None
    shown = history[-3:] if reading.steady_fall else history[-2:]
    drop = shown[0].wellbeing - shown[-1].wellbeing
    if reading.steady_fall:
        summary = Message(
            gettext_noop("Wellbeing fell in each of the last %(count)d check-ins: %(scores)s."),
            {"count": len(shown), "scores": ", ".join(f"{c.wellbeing}/10" for c in shown)},
        )
    else:
        summary = Message(
            gettext_noop("Wellbeing fell from %(before)s/10 to %(now)s/10 in a week."),
            {"before": shown[0].wellbeing, "now": shown[-1].wellbeing},
        )
    return Finding(
        FlagKind.WELLBEING_FALLING,
        Severity.LOW,
        float(drop),
        summary,
        tuple(_ev(c, WELLBEING, f"{c.wellbeing}/10") for c in shown),
    )


# The rules that read the client's latest answers; barriers come after them
# because a barrier beside another trend is worth a mention.
TREND_RULES = [
    crisis_flag,
    safety_item_flag,
    measure_progress_flag,
    deterioration_flag,
    wellbeing_falling_flag,
    discomfort_flag,
    expectations_flag,
    no_improvement_flag,
    worse_after_flag,
    homework_flag,
]
