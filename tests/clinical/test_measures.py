"""Scoring and change on the PHQ-9 and GAD-7, against worked examples from the
published definitions (Kroenke et al., 2001; Spitzer et al., 2006; NHS Talking
Therapies' caseness and reliable-change figures)."""

from datetime import date, timedelta

import pytest

from clinical.measures import (
    GAD7,
    INSTRUMENTS,
    PHQ9,
    Change,
    band,
    example_answers,
    expected_score,
    is_case,
    is_due,
    is_off_track,
    safety_answers,
    total,
)


def test_the_published_items_are_there_word_for_word():
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert PHQ9.items[8] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert GAD7.items[1] == "Not being able to stop or control worrying"
    assert [o.label for o in PHQ9.options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert PHQ9.instructions.startswith("Over the last 2 weeks, how often have you been bothered")
    assert all("No permission required" in i.source for i in INSTRUMENTS.values())


def test_totals_run_0_27_and_0_21():
    assert PHQ9.max_total == 27 and GAD7.max_total == 21
    assert total(PHQ9, [3] * 9) == 27
    assert total(GAD7, [0] * 7) == 0
    assert total(PHQ9, [1, 2, 0, 3, 1, 0, 2, 1, 0]) == 10


@pytest.mark.parametrize(
    "answers",
    [[1] * 8, [1] * 8 + [None], [None] * 9, [1] * 10],
    ids=["8 items", "one blank", "none", "10 items"],
)
def test_a_missing_item_leaves_no_total(answers):
    """The published scoring sums all nine items; it defines no way to fill a gap."""
    assert total(PHQ9, answers) is None


def test_an_answer_outside_the_options_is_refused():
    with pytest.raises(ValueError):
        total(GAD7, [4, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "instrument, score, label",
    [
        (PHQ9, 0, "Minimal"),
        (PHQ9, 4, "Minimal"),
        (PHQ9, 5, "Mild"),
        (PHQ9, 9, "Mild"),
        (PHQ9, 10, "Moderate"),
        (PHQ9, 14, "Moderate"),
        (PHQ9, 15, "Moderately severe"),
        (PHQ9, 19, "Moderately severe"),
        (PHQ9, 20, "Severe"),
        (PHQ9, 27, "Severe"),
        (GAD7, 4, "Minimal"),
        (GAD7, 5, "Mild"),
        (GAD7, 10, "Moderate"),
        (GAD7, 14, "Moderate"),
        (GAD7, 15, "Severe"),
        (GAD7, 21, "Severe"),
    ],
)
def test_severity_bands_at_their_edges(instrument, score, label):
    assert band(instrument, score).label == label


def test_bands_cover_every_total_once():
    for instrument in INSTRUMENTS.values():
        for score in range(instrument.max_total + 1):
            assert sum(score in b for b in instrument.bands) == 1


@pytest.mark.parametrize(
    "instrument, score, case",
    [(PHQ9, 9, False), (PHQ9, 10, True), (GAD7, 7, False), (GAD7, 8, True)],
)
def test_caseness_starts_exactly_at_the_cut_off(instrument, score, case):
    assert is_case(instrument, score) is case


@pytest.mark.parametrize(
    "instrument, first, latest, improved, deteriorated",
    [
        (PHQ9, 18, 12, True, False),  # exactly 6 points down
        (PHQ9, 18, 13, False, False),  # 5 points: within measurement error
        (PHQ9, 8, 14, False, True),  # exactly 6 points up
        (PHQ9, 8, 13, False, False),
        (GAD7, 12, 8, True, False),  # exactly 4 points down
        (GAD7, 12, 9, False, False),
        (GAD7, 5, 9, False, True),  # exactly 4 points up
    ],
)
def test_reliable_change_is_the_published_figure_or_more(
    instrument, first, latest, improved, deteriorated
):
    change = Change(instrument, first, latest)
    assert change.reliably_improved is improved
    assert change.reliably_deteriorated is deteriorated


@pytest.mark.parametrize(
    "instrument, first, latest, recovered, reliably, outcome",
    [
        # A case at the start (15), below the cut-off now (9), 6 points better.
        (PHQ9, 15, 9, True, True, "Reliable recovery"),
        # Below the cut-off now but only 2 points better: recovered, not reliably.
        (PHQ9, 11, 9, True, False, "Recovered, within measurement error"),
        # Exactly at the cut-off now is still a case.
        (PHQ9, 16, 10, False, False, "Reliable improvement"),
        # Not a case at the start: cannot recover, however far it falls.
        (GAD7, 7, 0, False, False, "Reliable improvement"),
        (GAD7, 8, 7, True, False, "Recovered, within measurement error"),
        (GAD7, 8, 12, False, False, "Reliable deterioration"),
        (GAD7, 10, 10, False, False, "No reliable change"),
    ],
)
def test_recovery_and_reliable_recovery(instrument, first, latest, recovered, reliably, outcome):
    change = Change(instrument, first, latest)
    assert change.recovered is recovered
    assert change.reliably_recovered is reliably
    assert change.outcome == outcome


def test_item_9_above_not_at_all_is_a_safety_answer():
    assert safety_answers(PHQ9, [0] * 9) == []
    assert safety_answers(PHQ9, [0] * 8 + [1]) == [(9, 1)]
    assert safety_answers(PHQ9, [None] * 8 + [3]) == [(9, 3)], "even with other items blank"
    assert safety_answers(GAD7, [3] * 7) == [], "the GAD-7 has no safety item"


def test_the_expected_curve_halves_the_distance_to_the_cut_off_by_session_8():
    # First score 19, goal 9 (just below the cut-off of 10): half of 10 points by session 8.
    assert expected_score(PHQ9, 19, 0) == 19
    assert expected_score(PHQ9, 19, 8) == 14
    assert expected_score(PHQ9, 19, 24) == pytest.approx(11.5)
    # A client who started below the cut-off is expected to stay where they are.
    assert expected_score(PHQ9, 6, 10) == 6


@pytest.mark.parametrize(
    "first, latest, sessions, off",
    [
        (19, 17, 8, True),  # expected 14; 3 above it is half of 6
        (19, 16, 8, False),  # 2 above: within the margin
        (19, 19, 2, False),  # expected 17; 2 above after only two sessions
        (19, 20, 2, True),
        (8, 13, 8, False),  # not a case at the start: the deterioration flag speaks
    ],
)
def test_not_on_track_is_half_a_reliable_change_above_the_curve(first, latest, sessions, off):
    assert is_off_track(PHQ9, first, latest, sessions) is off


@pytest.mark.parametrize(
    "last, weeks_later, every, due",
    [
        (None, 0, 2, True),  # the first check-in sets the baseline
        (0, 0, 2, True),  # the same week: the answers can be edited
        (0, 1, 2, False),
        (0, 2, 2, True),
        (0, 1, 1, True),
        (0, 3, 4, False),
        (0, 4, 4, True),
        (0, 9, 4, True),  # after a gap, the next check-in asks
    ],
)
def test_a_questionnaire_is_due_every_so_many_weeks(last, weeks_later, every, due):
    monday = date(2026, 11, 2)
    last_week = None if last is None else monday
    week = monday + timedelta(weeks=weeks_later)
    assert is_due(last_week=last_week, week=week, every_weeks=every) is due


@pytest.mark.parametrize("score", [0, 1, 13, 24])
def test_example_answers_add_up_and_keep_the_safety_item_apart(score):
    answers = example_answers(PHQ9, score, safety=0)
    assert total(PHQ9, answers) == score and answers[8] == 0
    assert example_answers(PHQ9, score + 2, safety=2)[8] == 2
    with pytest.raises(ValueError):
        example_answers(GAD7, 22)
