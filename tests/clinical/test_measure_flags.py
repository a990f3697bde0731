"""Flags from the PHQ-9 and GAD-7, against worked examples (pure: no database).

Each check-in here carries its questionnaire answers the way the rules read
them; totals are built item by item, so the rules score them as the form would.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from checkins.models import CheckIn, FlagKind, Severity
from clinical.measures import GAD7, PHQ9, example_answers
from clinical.reading import evaluate
from clinical.trends import DEFAULT_THRESHOLDS as T
from clinical.trends import is_falling, needs_crisis_help
from tests.factories import answers

START = date(2026, 6, 1)


def week(i: int, *, sessions: int, phq9=None, gad7=None, item9: int = 0, **row) -> CheckIn:
    checkin = CheckIn(
        week_start=START + timedelta(weeks=i), **answers(sessions_attended=sessions, **row)
    )
    given = {}
    if phq9 is not None:
        given["phq9"] = example_answers(PHQ9, phq9, safety=item9)
    if gad7 is not None:
        given["gad7"] = example_answers(GAD7, gad7)
    checkin.measure_answers = given
    return checkin


def course(*scores, key="phq9", every=1, start_session=1, **row) -> list[CheckIn]:
    """One check-in a week with a session each; a score every `every` weeks."""
    return [
        week(
            i * every,
            sessions=start_session + i * every,
            **{key: score},
            **row,
        )
        for i, score in enumerate(scores)
    ]


def replace_answers(checkin: CheckIn, **given) -> CheckIn:
    """The same check-in with other questionnaire answers (none by default)."""
    copy = CheckIn(
        **{f.attname: getattr(checkin, f.attname) for f in CheckIn._meta.concrete_fields}
    )
    copy.measure_answers = given
    return copy


def flags(history, t=T):
    return evaluate(history, current_week=history[-1].week_start + timedelta(days=1), t=t)


# ----- PHQ-9 item 9 --------------------------------------------------------


def test_item_9_above_0_is_a_safety_flag_on_the_very_first_check_in():
    found = flags([week(0, sessions=1, phq9=4, item9=1)])
    flag = found[FlagKind.SAFETY_ITEM]
    assert flag.severity == Severity.URGENT
    assert "“Several days”" in str(flag.summary) and "item 9" in str(flag.summary)
    assert needs_crisis_help(week(0, sessions=1, phq9=4, item9=1))


def test_item_9_at_0_is_no_safety_flag_however_high_the_total():
    history = [week(0, sessions=1, phq9=24, item9=0)]
    assert FlagKind.SAFETY_ITEM not in flags(history)
    assert not needs_crisis_help(history[0])


def test_item_9_last_week_only_is_not_this_weeks_flag():
    history = [week(0, sessions=1, phq9=10, item9=2), week(1, sessions=2, phq9=10)]
    assert FlagKind.SAFETY_ITEM not in flags(history)


# ----- Reliable deterioration --------------------------------------------


@pytest.mark.parametrize(
    "scores, flagged",
    [((8, 14), True), ((8, 13), False), ((8, 10, 14), True), ((14, 8, 13), False)],
    ids=["exactly-6-up", "5-up", "6-up-over-three", "measured-from-the-first-not-the-best"],
)
def test_phq9_reliable_deterioration_is_6_points_over_the_first_score(scores, flagged):
    found = flags(course(*scores))
    assert (FlagKind.RELIABLE_DETERIORATION in found) is flagged
    if flagged:
        assert found[FlagKind.RELIABLE_DETERIORATION].severity == Severity.HIGH


@pytest.mark.parametrize("scores, flagged", [((5, 9), True), ((5, 8), False)])
def test_gad7_reliable_deterioration_is_4_points(scores, flagged):
    assert (FlagKind.RELIABLE_DETERIORATION in flags(course(*scores, key="gad7"))) is flagged


def test_reliable_deterioration_counts_as_falling_so_no_advice_says_give_it_time():
    assert is_falling(course(8, 14, wellbeing=6), T)
    assert not is_falling(course(8, 13, wellbeing=6), T)


def test_the_latest_score_stands_in_the_weeks_between_questionnaires():
    """Asked every other week: the week without it keeps the flag (it does not come
    and go with the schedule), until the score is more than four weeks old."""
    history = course(8, 14, every=2)
    history.append(week(3, sessions=4))
    assert FlagKind.RELIABLE_DETERIORATION in flags(history)
    history.append(week(6, sessions=7))  # the score is four weeks old
    assert FlagKind.RELIABLE_DETERIORATION in flags(history)
    history.append(week(7, sessions=8))
    assert FlagKind.RELIABLE_DETERIORATION not in flags(history)


# ----- No reliable improvement ---------------------------------------------


def test_no_reliable_improvement_after_12_sessions_for_a_client_who_started_as_a_case():
    history = course(15, 14, 13, 12, every=4)  # sessions 1, 5, 9, 13: 12 since the first
    flag = flags(history)[FlagKind.NO_RELIABLE_IMPROVEMENT]
    assert flag.severity == Severity.MEDIUM
    assert "12 sessions" in str(flag.summary)


def test_11_sessions_is_too_early_to_call_no_improvement():
    history = course(15, 14, 13, every=4)
    history.append(week(11, sessions=12, phq9=12))  # 11 sessions since the first score
    assert FlagKind.NO_RELIABLE_IMPROVEMENT not in flags(history)


def test_a_reliable_improvement_by_12_sessions_is_not_flagged():
    assert FlagKind.NO_RELIABLE_IMPROVEMENT not in flags(course(15, 13, 11, 9, every=4))


def test_a_client_now_below_the_cut_off_has_recovered_and_is_not_called_stalled():
    assert FlagKind.NO_RELIABLE_IMPROVEMENT not in flags(course(12, 11, 10, 9, every=4))
    assert FlagKind.NO_RELIABLE_IMPROVEMENT in flags(course(12, 11, 10, 10, every=4))


def test_a_client_who_started_below_the_cut_off_is_not_called_stalled():
    assert not flags(course(8, 8, 8, 8, every=4))


def test_the_wellbeing_stall_defers_to_the_questionnaire():
    """Wellbeing flat for 13 sessions but the PHQ-9 down 6: the validated measure
    says therapy is working, so no "no improvement" flag of either kind."""
    scores = {0: 15, 4: 13, 8: 11, 12: 9}
    history = [week(i, sessions=i + 1, phq9=scores.get(i), wellbeing=4) for i in range(13)]
    assert FlagKind.NO_IMPROVEMENT in flags([replace_answers(c) for c in history])
    found = flags(history)
    assert FlagKind.NO_IMPROVEMENT not in found
    assert FlagKind.NO_RELIABLE_IMPROVEMENT not in found


# ----- Not on track ---------------------------------------------------------


def test_not_on_track_against_the_expected_curve():
    # First 19, 8 sessions later expected about 14: 17 is 3 above, half of 6.
    history = [week(0, sessions=1, phq9=19), week(8, sessions=9, phq9=17)]
    flag = flags(history)[FlagKind.NOT_ON_TRACK]
    assert flag.severity == Severity.MEDIUM
    assert str(flag.summary) == (
        "PHQ-9 17 after 8 sessions, from 19; a rough expected course (a heuristic from the "
        "dose-effect curve) would be about 14 by now."
    ), "the expected course is said to be an approximation, not a fitted trajectory"


def test_on_track_within_the_margin():
    history = [week(0, sessions=1, phq9=19), week(8, sessions=9, phq9=16)]
    assert FlagKind.NOT_ON_TRACK not in flags(history)


def test_not_on_track_waits_for_three_sessions():
    # 21 against an expected 17 after two sessions, 16.3 after three.
    history = [week(0, sessions=1, phq9=19), week(2, sessions=3, phq9=21)]
    assert FlagKind.NOT_ON_TRACK not in flags(history)
    history = [week(0, sessions=1, phq9=19), week(3, sessions=4, phq9=21)]
    assert FlagKind.NOT_ON_TRACK in flags(history)


def test_one_score_flag_at_a_time_the_strongest():
    """Reliably worse is also off track and not improved: only the strongest shows."""
    found = flags([week(0, sessions=1, phq9=12), week(12, sessions=13, phq9=18)])
    assert FlagKind.RELIABLE_DETERIORATION in found
    assert FlagKind.NOT_ON_TRACK not in found
    assert FlagKind.NO_RELIABLE_IMPROVEMENT not in found


def test_the_on_track_threshold_is_a_setting():
    history = [week(0, sessions=1, phq9=19), week(2, sessions=3, phq9=21)]
    assert FlagKind.NOT_ON_TRACK not in flags(history)
    t = replace(T, measure_on_track_from_sessions=2)
    assert FlagKind.NOT_ON_TRACK in flags(history, t)


def test_wellbeing_and_questionnaire_deterioration_are_one_flag():
    history = [
        week(i, sessions=i + 1, wellbeing=7 if i < 4 else 3, phq9=8 if i < 4 else 15)
        for i in range(7)
    ]
    found = flags(history)
    assert FlagKind.DETERIORATION not in found
    flag = found[FlagKind.RELIABLE_DETERIORATION]
    assert "PHQ-9 up from 8 to 15" in str(flag.summary) and "Wellbeing" in str(flag.summary)
    assert {str(e.measure) for e in flag.evidence} == {"PHQ-9", "Wellbeing"}


def test_the_wellbeing_stall_stays_until_a_questionnaire_can_judge_one():
    """Two PHQ-9 scores are not enough to replace the wellbeing flag: the questionnaire
    must start at the cut-off and have 12 sessions behind it."""
    stalled = [week(i, sessions=10 + i, wellbeing=4) for i in range(8)]
    assert FlagKind.NO_IMPROVEMENT in flags(stalled)
    below_cut = [replace_answers(c) for c in stalled]
    below_cut[-3].measure_answers = {"phq9": example_answers(PHQ9, 6)}
    below_cut[-1].measure_answers = {"phq9": example_answers(PHQ9, 6)}
    assert FlagKind.NO_IMPROVEMENT in flags(below_cut), "not a case: the PHQ-9 cannot judge"
    too_soon = [replace_answers(c) for c in stalled]
    too_soon[-3].measure_answers = {"phq9": example_answers(PHQ9, 15)}
    too_soon[-1].measure_answers = {"phq9": example_answers(PHQ9, 15)}
    assert FlagKind.NO_IMPROVEMENT in flags(too_soon), "two sessions since the first score"


def test_a_stored_answer_outside_the_scale_is_skipped_not_raised():
    history = course(8, 14)
    history[0].measure_answers = {"phq9": [9] * 9}
    assert FlagKind.RELIABLE_DETERIORATION not in flags(history)
