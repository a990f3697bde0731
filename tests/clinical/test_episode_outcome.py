"""The outcome of an episode of care on the PHQ-9 and GAD-7 together, as NHS
Talking Therapies defines it, worked by hand: caseness at the first paired
score on either, recovery as below caseness on both at the last, reliable
improvement as one falling by its reliable change (6, 4) with neither rising
by its own, reliable deterioration as one rising by its own with the other not
falling by its own."""

import pytest

from clinical.measures import (
    GAD7,
    NO_RELIABLE_CHANGE,
    PHQ9,
    RECOVERY,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    RELIABLE_RECOVERY,
    episode_outcome,
    paired_ends,
)


def both(phq9: int, gad7: int) -> dict[str, int]:
    return {PHQ9.key: phq9, GAD7.key: gad7}


@pytest.mark.parametrize(
    ("first", "last", "category"),
    [
        # PHQ-9 down 10 to below 10, GAD-7 down 6 to below 8: reliable recovery.
        (both(16, 12), both(6, 6), RELIABLE_RECOVERY),
        # PHQ-9 down 7 but still 11, at caseness: improved, not recovered.
        (both(18, 9), both(11, 7), RELIABLE_IMPROVEMENT),
        # A case only on the GAD-7 (8), below on both at the end, neither moved
        # by its reliable change (8->6 is 2, 7->5 is 2): recovered, within error.
        (both(7, 8), both(5, 6), RECOVERY),
        # GAD-7 up 5 (>= 4), PHQ-9 down 2 (< 6): reliable deterioration.
        (both(12, 9), both(10, 14), RELIABLE_DETERIORATION),
        # Moves smaller than either reliable change: no reliable change.
        (both(12, 10), both(9, 11), NO_RELIABLE_CHANGE),
    ],
)
def test_the_five_categories(first, last, category):
    assert episode_outcome(first, last).category == category


def test_falling_on_one_while_the_other_climbs_to_caseness_is_neither_recovered_nor_improved():
    """PHQ-9 14->8 falls by its reliable change (6) to below 10; GAD-7 6->11 rises
    by more than its own (4) to above 8. Improvement needs neither to rise
    reliably: not improved. Deterioration needs the other not to fall reliably,
    and the PHQ-9 fell by 6: not deteriorated either. Recovery needs both below
    caseness at the end, and the GAD-7 is at 11: not recovered. So: no reliable
    change, although each questionnaire alone says the opposite of the other."""
    outcome = episode_outcome(both(14, 6), both(8, 11))
    phq9, gad7 = outcome.changes
    assert phq9.outcome == "Reliable recovery" and gad7.outcome == "Reliable deterioration"
    assert outcome.case
    assert not outcome.recovered
    assert not outcome.reliably_improved
    assert not outcome.reliably_deteriorated
    assert outcome.category == NO_RELIABLE_CHANGE
    assert str(outcome.label) == "No reliable change"


def test_recovery_is_only_for_a_case():
    outcome = episode_outcome(both(9, 7), both(2, 2))
    assert not outcome.case and not outcome.recovered
    assert outcome.category == RELIABLE_IMPROVEMENT


def test_deterioration_with_the_other_only_slightly_better_is_deterioration():
    # GAD-7 up 4 exactly (its reliable change); PHQ-9 down 5, one short of its own.
    assert episode_outcome(both(15, 5), both(10, 9)).category == RELIABLE_DETERIORATION


def test_a_practice_that_asks_one_questionnaire_is_judged_on_it_alone():
    assert episode_outcome({PHQ9.key: 15}, {PHQ9.key: 8}).category == RELIABLE_RECOVERY
    assert episode_outcome({GAD7.key: 5}, {GAD7.key: 9}).category == RELIABLE_DETERIORATION


def test_the_ends_must_be_on_the_same_questionnaires():
    with pytest.raises(ValueError):
        episode_outcome(both(15, 9), {PHQ9.key: 8})


def test_the_first_and_last_paired_scores_skip_check_ins_with_one_questionnaire():
    weeks = [{PHQ9.key: 20}, both(15, 12), {GAD7.key: 3}, both(9, 6), {PHQ9.key: 2}]
    assert paired_ends(weeks, {PHQ9.key, GAD7.key}) == (both(15, 12), both(9, 6))
    # One paired check-in is a baseline, not yet an outcome.
    assert paired_ends(weeks[:3], {PHQ9.key, GAD7.key}) is None
    # A client only ever asked the PHQ-9: every PHQ-9 score pairs.
    assert paired_ends([{PHQ9.key: 20}, {PHQ9.key: 2}], {PHQ9.key}) == (
        {PHQ9.key: 20},
        {PHQ9.key: 2},
    )
