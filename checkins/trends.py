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
    """Many sessions in, and wellbeing no better than where the client started."""
    if not history or history[-1].sessions_attended < t.no_improvement_sessions:
        return False
    drop = wellbeing_drop(history, t)
    return drop is not None and -drop < t.improvement_points


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
