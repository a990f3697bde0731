"""One reading of a client's week: what the client is told and what the therapist's
flags show rest on it, so they cannot tell opposite stories (pure: no database)."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinical.reading import Trajectory, evaluate, read_week
from clinical.trends import DEFAULT_THRESHOLDS as T
from clinical.vocabulary import FlagKind, Homework, Severity
from guidance.rules import STOP_KEYS, WAIT_KEYS, before_stopping, match_advice
from tests.clinical.test_measure_flags import week

FALLING_KINDS = {
    FlagKind.DETERIORATION,
    FlagKind.RELIABLE_DETERIORATION,
    FlagKind.WELLBEING_FALLING,
}
STALLED_KINDS = {FlagKind.NO_IMPROVEMENT, FlagKind.NO_RELIABLE_IMPROVEMENT}


def weeks(*wellbeing, sessions_from=1, **row):
    return [
        week(i, sessions=sessions_from + i, wellbeing=w, **row) for i, w in enumerate(wellbeing)
    ]


def flags(history, reading=None):
    return evaluate(
        history, current_week=history[-1].week_start + timedelta(days=1), t=T, reading=reading
    )


def told(history, **reading):
    return {m.key for m in match_advice(history, T, read_week(history, T, **reading))}


def test_a_steady_fall_is_told_to_the_client_and_shown_to_the_therapist():
    """9, 8, 7: the client is told to raise it this week, and the therapist's
    dashboard shows it too (worth a mention), never "nothing flagged"."""
    history = weeks(9, 8, 7)
    assert read_week(history, T).trajectory == Trajectory.FALLING
    assert "hard-sessions-vs-decline" in told(history)
    found = flags(history)
    assert FlagKind.WELLBEING_FALLING in found
    assert found[FlagKind.WELLBEING_FALLING].severity == Severity.LOW
    assert str(found[FlagKind.WELLBEING_FALLING].summary) == (
        "Wellbeing fell in each of the last 3 check-ins: 9/10, 8/10, 7/10."
    )


def test_a_sudden_drop_in_one_week_is_shown_to_the_therapist():
    found = flags(weeks(7, 8, 4))
    assert str(found[FlagKind.WELLBEING_FALLING].summary) == (
        "Wellbeing fell from 8/10 to 4/10 in a week."
    )


def test_a_sustained_decline_is_the_raise_this_session_flag_not_a_mention_as_well():
    found = flags(weeks(7, 7, 7, 7, 4, 4))
    assert FlagKind.DETERIORATION in found
    assert FlagKind.WELLBEING_FALLING not in found


def test_no_improvement_never_sits_beside_questionnaire_scores_reliably_worse():
    """Twelve sessions with wellbeing flat, and a PHQ-9 that started below the cut-off
    and rose by the reliable change: the client is getting worse, not stalled."""
    history = [
        week(i, sessions=1 + i, wellbeing=5, phq9=5 if i < 10 else 11) for i in range(0, 14, 1)
    ]
    reading = read_week(history, T)
    assert reading.trajectory == Trajectory.FALLING
    found = flags(history)
    assert FlagKind.RELIABLE_DETERIORATION in found
    assert FlagKind.NO_IMPROVEMENT not in found


def test_stalled_is_one_definition_for_the_advice_and_the_flag():
    history = weeks(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4)
    assert read_week(history, T).trajectory == Trajectory.STALLED
    assert "change-the-approach" in told(history)
    assert FlagKind.NO_IMPROVEMENT in flags(history)


def test_a_questionnaire_stall_tells_the_client_in_words_about_their_answers():
    """Wellbeing up a little, PHQ-9 still at caseness after 12 sessions: the
    questionnaire judges, and the client hears it without the scores."""
    history = [week(i, sessions=1 + i, wellbeing=4 + (i > 6), phq9=15) for i in range(14)]
    reading = read_week(history, T)
    assert reading.trajectory == Trajectory.STALLED
    (match,) = [m for m in match_advice(history, T, reading) if m.key == "change-the-approach"]
    assert match.reason == (
        "You have had 14 sessions and your questionnaire answers have not changed much since "
        "you began."
    )
    assert FlagKind.NO_RELIABLE_IMPROVEMENT in flags(history)


def test_improving_is_not_improving_while_a_questionnaire_is_off_course():
    history = [week(i, sessions=1 + i, wellbeing=3 + i, phq9=20) for i in range(5)]
    reading = read_week(history, T)
    assert reading.off_track
    assert reading.trajectory == Trajectory.STEADY
    assert "keep-it-going" not in told(history)


def test_fewer_than_three_check_ins_is_too_early_to_tell():
    assert read_week(weeks(6, 6), T).trajectory == Trajectory.EARLY


# ---------------------------------------------------------------------------
# Safety: while a safety flag is open, nothing about waiting or stopping.
# ---------------------------------------------------------------------------


def test_the_week_after_a_crisis_with_the_flag_open_gets_no_reassurance():
    """Early in therapy, low hopes and feeling worse after a session would bring
    "give it a little longer" and "working but unpleasant"; not while the safety
    flag from last week is open."""
    history = weeks(5, 5, 5, expectations=2, felt_worse_after_session=True)
    assert {"timeline-too-early", "working-but-unpleasant"} <= told(history)
    shown = told(history, safety_open=True)
    assert not shown & (WAIT_KEYS | STOP_KEYS)
    assert "reassess-expectations" in shown


def test_before_stopping_is_chosen_by_the_reading():
    early = read_week(weeks(6, 6, 6), T)
    assert before_stopping(early, T)[:2] == ["open-a-dialogue", "timeline-too-early"]
    falling = read_week(weeks(9, 8, 7), T)
    steps = before_stopping(falling, T)
    assert steps[:2] == ["open-a-dialogue", "hard-sessions-vs-decline"]
    assert not set(steps) & WAIT_KEYS
    stalled = read_week(weeks(*[4] * 13), T)
    steps = before_stopping(stalled, T)
    assert steps[:2] == ["open-a-dialogue", "change-the-approach"]
    assert "timeline-too-early" not in steps
    unsafe = read_week(weeks(6, 6, 6), T, safety_open=True)
    assert not set(before_stopping(unsafe, T)) & (WAIT_KEYS | STOP_KEYS)


# ---------------------------------------------------------------------------
# Advice that fits the week.
# ---------------------------------------------------------------------------


def test_an_improving_client_is_not_told_therapy_feels_stuck():
    history = weeks(5, 5, 6, 7, 8, 8, expectations=4)
    assert read_week(history, T).trajectory == Trajectory.IMPROVING
    shown = told(history)
    assert "keep-it-going" in shown
    assert "open-a-dialogue" not in shown


def test_an_improving_client_who_says_hopes_are_unmet_is_invited_to_say_so():
    history = [*weeks(5, 5, 6, 7, 8, expectations=4), *weeks(8, expectations=3)]
    history[-1] = week(5, sessions=6, wellbeing=8, expectations=4, discomfort=3)
    assert "open-a-dialogue" in told(history)


def test_an_improving_client_with_one_tired_week_is_not_told_they_can_pause():
    history = weeks(5, 5, 6, 7, 8, 8, expectations=4)
    history[-1] = week(
        5, sessions=6, wellbeing=8, expectations=4, barrier_energy=True, homework=Homework.SOME
    )
    assert read_week(history, T).trajectory == Trajectory.IMPROVING
    assert "not-ready-yet" not in told(history)


def test_the_same_week_without_the_improvement_still_offers_the_pause():
    history = weeks(6, 6, 6, 6, 6, 6, expectations=4)
    history[-1] = week(
        5, sessions=6, wellbeing=6, expectations=4, barrier_energy=True, homework=Homework.SOME
    )
    assert "not-ready-yet" in told(history)


# ---------------------------------------------------------------------------
# Thousands of histories: the client and the therapist never contradict.
# ---------------------------------------------------------------------------

HOMEWORK = [h.value for h in Homework]


@st.composite
def histories(draw):
    length = draw(st.integers(min_value=1, max_value=16))
    sessions = draw(st.integers(min_value=0, max_value=20))
    asked = draw(st.booleans())
    rows = []
    for i in range(length):
        sessions += draw(st.integers(min_value=0, max_value=2))
        scores = {}
        if asked and i % 2 == 0:
            scores = {
                "phq9": draw(st.integers(min_value=0, max_value=24)),  # item 9 at 0
                "gad7": draw(st.integers(min_value=0, max_value=21)),
            }
        rows.append(
            week(
                i,
                sessions=sessions,
                wellbeing=draw(st.integers(min_value=0, max_value=10)),
                expectations=draw(st.integers(min_value=1, max_value=5)),
                discomfort=draw(st.integers(min_value=0, max_value=4)),
                homework=draw(st.sampled_from(HOMEWORK)),
                felt_worse_after_session=draw(st.booleans()),
                barrier_energy=draw(st.booleans()),
                barrier_life_events=draw(st.booleans()),
                **scores,
            )
        )
    return rows


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), safety_open=st.booleans())
def test_the_client_and_the_therapist_are_never_told_opposite_stories(history, safety_open):
    reading = read_week(history, T, safety_open=safety_open)
    shown = {m.key for m in match_advice(history, T, reading)}
    found = set(flags(history, reading))
    if reading.crisis_now:
        assert FlagKind.CRISIS in found or FlagKind.SAFETY_ITEM in found
        return
    # Told to raise a fall this week, exactly when the therapist sees one.
    assert ("hard-sessions-vs-decline" in shown) == bool(found & FALLING_KINDS)
    # Told that it has stalled, exactly when the therapist sees a stall.
    assert ("change-the-approach" in shown) == bool(found & STALLED_KINDS)
    # Told they are doing better: the therapist sees no fall, stall or course gone astray.
    if "keep-it-going" in shown:
        assert not found & (FALLING_KINDS | STALLED_KINDS | {FlagKind.NOT_ON_TRACK})
    # Stalled and getting worse are never both said.
    assert not (found & STALLED_KINDS and found & FALLING_KINDS)
    # No waiting while falling; no waiting or stopping while a safety flag is open.
    if reading.falling:
        assert not shown & WAIT_KEYS
    if safety_open:
        assert not shown & (WAIT_KEYS | STOP_KEYS)
