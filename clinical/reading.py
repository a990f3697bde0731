"""One reading of a client's week, shared by everything that speaks about it.

The client's advice, the therapist's trend flags and dashboard, session prep
and the client's own pages all read the same `Reading`: whether the client is
safe to be told to wait, and which way therapy is going. None of them decides
that again for itself, so the client and the therapist are never told
opposite stories (the client "worse week after week", the therapist "nothing
flagged").

Pure functions of the history (oldest first, the week read last) and of what
only the database knows (whether a safety flag is still open): no ORM, no clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import models
from django.utils.translation import gettext_lazy as _

from .measures import is_case, is_off_track
from .text import Joined
from .trends import (
    TREND_RULES,
    CheckInLike,
    Course,
    Decline,
    Finding,
    Thresholds,
    barriers_flag,
    checkins_stopped_flag,
    decline,
    is_improving,
    is_stalled,
    measure_courses,
    needs_crisis_help,
    questionnaire_judges_a_stall,
    steady_fall,
    sudden_drop,
    weeks_missed,
)
from .vocabulary import WORTH_RAISING, FlagKind


class Trajectory(models.TextChoices):
    """Which way therapy is going, in one word, with one definition each (`read_week`)."""

    EARLY = "early", _("Too early to tell")
    FALLING = "falling", _("Getting worse")
    STALLED = "stalled", _("Not improving")
    STEADY = "steady", _("Steady")
    IMPROVING = "improving", _("Improving")


@dataclass(frozen=True)
class Reading:
    """Everything the portal says about a client's week rests on this.

    - `trajectory`: FALLING when wellbeing is clearly worse (`decline`), a
      questionnaire is reliably worse, wellbeing dropped by twice the
      deterioration figure in one week, or fell three weeks running by that
      figure in all; STALLED after many sessions with no reliable gain (the
      questionnaire's judgement where it can judge, wellbeing's otherwise);
      IMPROVING when wellbeing is clearly up and nothing on the questionnaires
      says otherwise; EARLY with fewer than three check-ins; STEADY otherwise.
    - `crisis_now`: this week's check-in answers crisis, or PHQ-9 item 9 above
      "Not at all".
    - `safety_open`: a safety flag is open (not yet cleared), this week or any
      earlier week.
    """

    trajectory: str
    sessions: int
    crisis_now: bool = False
    safety_open: bool = False
    decline: Decline | None = None  # wellbeing clearly worse
    worse: tuple[Course, ...] = ()  # questionnaires reliably worse
    sudden: bool = False  # a one-week drop of twice the deterioration figure
    steady_fall: bool = False  # three falls in a row, the deterioration figure in all
    stalled_courses: tuple[Course, ...] = ()  # questionnaires with no reliable gain
    stalled_wellbeing: bool = False  # wellbeing no better, where no questionnaire judges
    off_track: tuple[Course, ...] = ()  # questionnaires above the expected course
    weeks_since_previous: int = 0  # whole weeks missed before this check-in

    @property
    def falling(self) -> bool:
        return self.trajectory == Trajectory.FALLING

    @property
    def stalled(self) -> bool:
        return self.trajectory == Trajectory.STALLED

    @property
    def improving(self) -> bool:
        return self.trajectory == Trajectory.IMPROVING

    @property
    def no_waiting(self) -> bool:
        """Nothing that tells the client to wait, pause, stop or give it longer: a
        client in crisis, with a safety flag still open, or clearly getting worse is
        never reassured away (clients rarely worsen before they improve: Lambert, 2007)."""
        return self.crisis_now or self.safety_open or self.falling


def read_week(
    history: Sequence[CheckInLike], t: Thresholds, *, safety_open: bool = False
) -> Reading:
    """The reading of the latest check-in in `history` (oldest first).

    `safety_open` says whether a safety flag is open for the client, which only
    the database knows; a crisis answer this week counts as one whatever it says.
    """
    if not history:
        return Reading(Trajectory.EARLY, 0, safety_open=safety_open)
    latest = history[-1]
    crisis_now = needs_crisis_help(latest)
    courses = measure_courses(history, t)
    found = decline(history, t)
    worse = tuple(c for c in courses if c.change.reliably_deteriorated)
    sudden = sudden_drop(history, t)
    fall = steady_fall(history, t)
    gap = weeks_missed(history[-2].week_start, latest.week_start) if len(history) > 1 else 0
    common = {
        "sessions": latest.sessions_attended,
        "crisis_now": crisis_now,
        "safety_open": safety_open or crisis_now,
        "decline": found,
        "worse": worse,
        "sudden": sudden,
        "steady_fall": fall,
        "weeks_since_previous": gap,
    }
    off_track = tuple(
        c
        for c in courses
        if c.sessions >= t.measure_on_track_from_sessions
        and is_off_track(c.instrument, c.change.first, c.change.latest, c.sessions)
    )
    common["off_track"] = off_track
    if found or worse or sudden or fall:
        return Reading(Trajectory.FALLING, **common)
    stalled_courses = tuple(
        c
        for c in courses
        if is_case(c.instrument, c.change.first)
        and is_case(c.instrument, c.change.latest)
        and c.sessions >= t.no_improvement_sessions
        and not c.change.reliably_improved
    )
    # Where a questionnaire can judge a stall, its judgement speaks instead of the
    # single wellbeing item's.
    stalled_wellbeing = is_stalled(history, t) and not questionnaire_judges_a_stall(history, t)
    common.update(stalled_courses=stalled_courses, stalled_wellbeing=stalled_wellbeing)
    if stalled_courses or stalled_wellbeing:
        return Reading(Trajectory.STALLED, **common)
    if len(history) < 3:
        return Reading(Trajectory.EARLY, **common)
    # Wellbeing up is not "improving" while a questionnaire sits off its expected course.
    if is_improving(history, t) and not off_track:
        return Reading(Trajectory.IMPROVING, **common)
    return Reading(Trajectory.STEADY, **common)


# ---------------------------------------------------------------------------
# The therapist's trend flags, read from the same reading.
# ---------------------------------------------------------------------------


def evaluate(
    history: Sequence[CheckInLike],
    *,
    current_week,
    t: Thresholds,
    reading: Reading | None = None,
) -> dict[str, Finding]:
    """Every flag the history supports as of `current_week`, by kind.

    Findings rest on the latest check-in; when that is older than
    `evidence_recent_weeks` only the silence itself is a finding.
    """
    if not history:
        return {}
    reading = reading or read_week(history, t)
    findings = {}
    stopped = checkins_stopped_flag(history, current_week, t)
    if stopped is not None:
        findings[stopped.kind] = stopped
    age_weeks = (current_week - history[-1].week_start).days // 7
    if age_weeks > t.evidence_recent_weeks:
        return findings
    trends = [f for f in (rule(history, reading, t) for rule in TREND_RULES) if f]
    barriers = barriers_flag(
        history, current_week, t, other_trends=any(f.severity >= WORTH_RAISING for f in trends)
    )
    for finding in [*trends, barriers]:
        if finding is not None:
            findings[finding.kind] = finding
    return merge_deterioration(findings)


def merge_deterioration(findings: dict[str, Finding]) -> dict[str, Finding]:
    """Wellbeing clearly worse and questionnaire scores reliably worse are one
    signal from two sources: one flag, the validated questionnaire's, carrying
    both summaries and both sets of evidence, so the therapist reads it once."""
    scores = findings.get(FlagKind.RELIABLE_DETERIORATION)
    wellbeing = findings.get(FlagKind.DETERIORATION)
    if scores is None or wellbeing is None:
        return findings
    merged = replace(
        scores,
        summary=Joined((scores.summary, wellbeing.summary)),
        evidence=scores.evidence + wellbeing.evidence,
    )
    return {
        **{kind: f for kind, f in findings.items() if kind != FlagKind.DETERIORATION},
        FlagKind.RELIABLE_DETERIORATION: merged,
    }
