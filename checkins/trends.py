"""Signals read from a client's check-in history, and the thresholds behind them.

Everything here is a pure function of a list of check-ins (oldest first): no
database, no clock unless given one. The advice rules (guidance.rules) and the
therapist's trend flags both read these signals, so they can never disagree
about, say, whether a client is getting worse.

The defaults are defended one by one below; a practice can override any of
them with the TREND_THRESHOLDS setting (see `thresholds()`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from statistics import mean, median
from typing import Protocol

from django.conf import settings

from .models import FlagKind, Severity


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
    # About half recover within 13-18 sessions; no reliable gain by the 12th
    # is worth raising with the client.
    no_improvement_sessions: int = 12
    # The client's baseline is the mean of their first few check-ins, so one
    # unusual first week does not set it.
    baseline_checkins: int = 3
    # "Recent" is the mean of the last few check-ins: one bad week is noise,
    # three in a row is a trend.
    recent_checkins: int = 3
    # Wellbeing (0-10) that has not risen by at least this much over baseline
    # counts as no improvement: a one-point move is within week-to-week noise.
    improvement_points: float = 1.0
    # A recent mean this far below baseline (a fifth of the scale) is a clear
    # drop. Clients rarely worsen before they improve (Lambert), so this is a
    # flag, never something to reassure away.
    deterioration_points: float = 2.0
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


DEFAULT_THRESHOLDS = Thresholds()


def thresholds() -> Thresholds:
    """The defaults, with any overrides from settings.TREND_THRESHOLDS applied."""
    overrides = getattr(settings, "TREND_THRESHOLDS", {}) or {}
    known = {f.name for f in fields(Thresholds)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown TREND_THRESHOLDS: {sorted(unknown)}")
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


def is_deteriorating(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    drop = wellbeing_drop(history, t)
    return drop is not None and drop >= t.deterioration_points


def is_stalled(history: Sequence[CheckInLike], t: Thresholds) -> bool:
    """Many sessions in, and wellbeing no better than where the client started.

    A client who is clearly worse is deteriorating, not stalled: that is the
    stronger signal, and showing both would bury it.
    """
    if not history or history[-1].sessions_attended < t.no_improvement_sessions:
        return False
    drop = wellbeing_drop(history, t)
    return drop is not None and -drop < t.improvement_points and drop < t.deterioration_points


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
    measure: str
    value: str

    def as_dict(self) -> dict:
        return {"week": self.week, "measure": self.measure, "value": self.value}


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: int
    score: float  # higher is worse; a handled flag comes back when this rises
    summary: str
    evidence: tuple[Evidence, ...]


def _ev(checkin: CheckInLike, measure: str, value) -> Evidence:
    return Evidence(checkin.week_start.isoformat(), measure, str(value))


def crisis_flag(history, current_week, t):
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
        f"Answered that they are in crisis in the week of {latest.week_start:%b %-d}.",
        (_ev(latest, "In crisis", "yes"),),
    )


def deterioration_flag(history, current_week, t):
    if not is_deteriorating(history, t):
        return None
    drop = wellbeing_drop(history, t)
    baseline = baseline_wellbeing(history, t)
    evidence = tuple(
        _ev(c, "Wellbeing", f"{c.wellbeing}/10") for c in history[: t.baseline_checkins]
    )
    evidence += tuple(
        _ev(c, "Wellbeing", f"{c.wellbeing}/10") for c in history[-t.recent_checkins :]
    )
    return Finding(
        FlagKind.DETERIORATION,
        Severity.HIGH,
        round(drop, 2),
        f"Wellbeing averages {baseline - drop:.1f}/10 over the last {t.recent_checkins} "
        f"check-ins, {drop:.1f} below their baseline of {baseline:.1f}.",
        evidence,
    )


def discomfort_flag(history, current_week, t):
    latest = history[-1]
    usual = usual_discomfort(history)
    high = latest.discomfort >= t.discomfort_high
    rising = usual is not None and latest.discomfort - usual >= t.discomfort_rise
    if not (high or rising):
        return None
    run = trailing_run(history, lambda c: c.discomfort >= t.discomfort_high)
    recent = history[-max(run, 3) :]
    if high:
        summary = f"Discomfort with you rated {latest.discomfort}/4" + (
            f" for {run} check-ins in a row." if run > 1 else "."
        )
    else:
        summary = f"Discomfort rose to {latest.discomfort}/4 from a usual {usual:g}/4."
    return Finding(
        FlagKind.DISCOMFORT,
        Severity.HIGH if high and run > 1 else Severity.MEDIUM,
        float(latest.discomfort),
        summary,
        tuple(_ev(c, "Discomfort", f"{c.discomfort}/4") for c in recent),
    )


def checkins_stopped_flag(history, current_week, t):
    """Whole weeks since the last check-in, not counting the week still open."""
    last = history[-1].week_start
    missed = (current_week - last).days // 7 - 1
    if missed < t.missed_weeks:
        return None
    return Finding(
        FlagKind.CHECKINS_STOPPED,
        Severity.HIGH if missed >= 2 * t.missed_weeks else Severity.MEDIUM,
        float(missed),
        f"No check-in for {missed} weeks; the last was the week of {last:%b %-d}.",
        (_ev(history[-1], "Last check-in", f"{history[-1].sessions_attended} sessions"),),
    )


def expectations_flag(history, current_week, t):
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
        f"Therapy rated {t.expectations_low}/5 or lower for meeting their hopes, "
        f"{run} check-ins in a row.",
        tuple(_ev(c, "Expectations", f"{c.expectations}/5") for c in recent),
    )


def no_improvement_flag(history, current_week, t):
    if not is_stalled(history, t):
        return None
    latest = history[-1]
    baseline = baseline_wellbeing(history, t)
    recent = recent_wellbeing(history, t)
    return Finding(
        FlagKind.NO_IMPROVEMENT,
        Severity.MEDIUM,
        # More sessions without gain is worse: one step per review period.
        float(latest.sessions_attended // t.no_improvement_sessions),
        f"{latest.sessions_attended} sessions in, wellbeing averages {recent:.1f}/10 against a "
        f"baseline of {baseline:.1f}.",
        tuple(_ev(c, "Wellbeing", f"{c.wellbeing}/10") for c in history[: t.baseline_checkins])
        + tuple(_ev(c, "Wellbeing", f"{c.wellbeing}/10") for c in history[-t.recent_checkins :]),
    )


def worse_after_flag(history, current_week, t):
    count = felt_worse_count(history, t)
    if count < t.worse_after_sessions:
        return None
    window = history[-t.worse_after_window :]
    return Finding(
        FlagKind.WORSE_AFTER_SESSIONS,
        Severity.MEDIUM,
        float(count),
        f"Felt worse after a session in {count} of the last {len(window)} check-ins.",
        tuple(
            _ev(c, "Felt worse after a session", "yes" if c.felt_worse_after_session else "no")
            for c in window
        ),
    )


def homework_flag(history, current_week, t):
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
        f"Homework done fell from {before:.0%} to {recent:.0%} of what was set.",
        tuple(
            _ev(c, "Homework", c.get_homework_display())
            for c in set_weeks[-2 * t.homework_window :]
        ),
    )


def barriers_flag(history, current_week, t):
    latest = history[-1]
    if not latest.barriers:
        return None
    labels = latest.barrier_labels
    return Finding(
        FlagKind.BARRIERS,
        Severity.LOW,
        float(len(labels)),
        "Reported getting in the way: " + ", ".join(label.lower() for label in labels) + ".",
        tuple(_ev(latest, "Got in the way", label) for label in labels),
    )


FLAG_RULES = [
    crisis_flag,
    deterioration_flag,
    discomfort_flag,
    checkins_stopped_flag,
    expectations_flag,
    no_improvement_flag,
    worse_after_flag,
    homework_flag,
    barriers_flag,
]


def evaluate(history: Sequence[CheckInLike], *, current_week, t: Thresholds) -> dict[str, Finding]:
    """Every flag the history supports as of `current_week`, by kind."""
    if not history:
        return {}
    findings = (rule(history, current_week, t) for rule in FLAG_RULES)
    return {finding.kind: finding for finding in findings if finding is not None}
