"""The advice rules, case by case at the edges of their thresholds.

Histories are lists of unsaved check-ins, oldest first: the rules are pure and
need no database.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkins.models import CheckIn, Flag
from clinical.reading import read_week
from clinical.trends import DEFAULT_THRESHOLDS as T
from clinical.trends import barriers_flag, is_deteriorating, is_falling
from guidance import rules
from guidance.content import ADVICE
from tests.factories import answers

START = date(2026, 1, 5)


def history(*rows: dict, **common) -> list[CheckIn]:
    """Consecutive weekly check-ins; each row overrides the neutral answers."""
    return [
        CheckIn(week_start=START + timedelta(weeks=i), **answers(**{**common, **row}))
        for i, row in enumerate(rows)
    ]


def steady(n: int, **row) -> list[dict]:
    return [dict(row) for _ in range(n)]


def keys(matches) -> set[str]:
    return {m.key for m in matches}


# (rule, history, keys that must appear, keys that must not)
CASES = [
    # Deterioration: a drop of exactly the threshold counts, just under does not.
    pytest.param(
        rules.falling,
        history(*steady(3, wellbeing=7), *steady(3, wellbeing=5)),
        {"hard-sessions-vs-decline", "therapist-deterioration"},
        set(),
        id="deterioration-at-threshold",
    ),
    pytest.param(
        rules.falling,
        history(*steady(3, wellbeing=7), {"wellbeing": 5}, {"wellbeing": 5}, {"wellbeing": 6}),
        set(),
        {"hard-sessions-vs-decline"},
        id="deterioration-just-under",
    ),
    pytest.param(
        rules.falling,
        history(*steady(5, wellbeing=2)),
        set(),
        {"hard-sessions-vs-decline"},
        id="deterioration-needs-a-baseline-first",
    ),
    # Discomfort: 3 of 4 is high, 2 is not; three high weeks in a row add the
    # "a new therapist is not a failure" piece.
    pytest.param(
        rules.discomfort,
        history({"discomfort": 3}),
        {"discomfort-with-therapist", "therapist-alliance-rupture"},
        {"new-therapist-not-failure"},
        id="discomfort-high-once",
    ),
    pytest.param(
        rules.discomfort,
        history({"discomfort": 2}),
        set(),
        {"discomfort-with-therapist"},
        id="discomfort-just-under",
    ),
    pytest.param(
        rules.discomfort,
        history(*steady(3, discomfort=4)),
        {"new-therapist-not-failure"},
        set(),
        id="discomfort-persistent",
    ),
    # Stalled: 12 sessions and no gain counts; 11 sessions does not; a real gain does not.
    pytest.param(
        rules.stalled,
        history(*[{"sessions_attended": 7 + i, "wellbeing": 5} for i in range(6)]),
        {"change-the-approach", "other-kinds-of-therapy", "therapist-no-improvement"},
        {"medication-as-complement", "choosing-to-stop"},
        id="stalled-at-12-sessions",
    ),
    pytest.param(
        rules.stalled,
        history(*[{"sessions_attended": 6 + i, "wellbeing": 5} for i in range(6)]),
        set(),
        {"change-the-approach"},
        id="stalled-11-sessions-too-early",
    ),
    pytest.param(
        rules.stalled,
        history(
            *[{"sessions_attended": 10 + i, "wellbeing": 4} for i in range(3)],
            *[{"sessions_attended": 13 + i, "wellbeing": 5} for i in range(3)],
        ),
        set(),
        {"change-the-approach"},
        id="stalled-not-when-improved-by-one-point",
    ),
    pytest.param(
        rules.stalled,
        history(
            *[{"sessions_attended": 12 + i, "wellbeing": 3, "expectations": 2} for i in range(6)]
        ),
        {"medication-as-complement", "choosing-to-stop", "therapist-medication-and-other-care"},
        set(),
        id="stalled-low-and-unmet",
    ),
    # Expectations: 2 of 5 is low, 3 is not; early on, "a clinician, not a magician".
    pytest.param(
        rules.expectations,
        history({"expectations": 2, "sessions_attended": 3}),
        {"reassess-expectations", "clinician-not-magician"},
        {"therapist-unmet-expectations", "short-term-goals", "therapists-role"},
        id="expectations-low-early",
    ),
    pytest.param(
        rules.expectations,
        history({"expectations": 3}),
        set(),
        {"reassess-expectations"},
        id="expectations-just-over",
    ),
    pytest.param(
        rules.expectations,
        history(*steady(3, expectations=1, sessions_attended=9)),
        {"therapist-unmet-expectations", "short-term-goals", "therapists-role"},
        {"clinician-not-magician"},
        id="expectations-unmet-three-in-a-row",
    ),
    pytest.param(
        rules.expectations,
        history({"expectations": 1}, {"expectations": 3}, {"expectations": 2}),
        {"reassess-expectations"},
        {"therapist-unmet-expectations", "short-term-goals"},
        id="expectations-run-broken",
    ),
    # Feeling worse after sessions: reassure only while wellbeing holds.
    pytest.param(
        rules.felt_worse,
        history({"felt_worse_after_session": True}),
        {"working-but-unpleasant"},
        {"therapist-worse-after-sessions"},
        id="worse-after-once",
    ),
    pytest.param(
        rules.felt_worse,
        history(*steady(3, felt_worse_after_session=True), {"felt_worse_after_session": True}),
        {"therapist-worse-after-sessions"},
        set(),
        id="worse-after-repeatedly",
    ),
    pytest.param(
        rules.match_advice,
        history(
            *steady(3, wellbeing=8),
            *steady(3, wellbeing=4, felt_worse_after_session=True),
        ),
        set(),
        {"working-but-unpleasant"},
        id="worse-after-but-deteriorating-no-reassurance",
    ),
    # Homework: none or some done; falling off against earlier weeks.
    pytest.param(
        rules.homework,
        history({"homework": "not_done"}),
        {"homework-between-sessions"},
        {"life-outside-therapy"},
        id="homework-not-done",
    ),
    pytest.param(
        rules.homework,
        history({"homework": "none_set"}),
        set(),
        {"homework-between-sessions"},
        id="homework-none-set",
    ),
    pytest.param(
        rules.homework,
        history(*steady(3, homework="all"), *steady(2, homework="some"), {"homework": "some"}),
        {"life-outside-therapy", "therapist-homework-falling-off"},
        set(),
        id="homework-falling-off",
    ),
    pytest.param(
        rules.homework,
        history(*steady(3, homework="most"), *steady(2, homework="most"), {"homework": "some"}),
        {"homework-between-sessions"},
        {"therapist-homework-falling-off"},
        id="homework-dip-not-a-fall",
    ),
    # Barriers.
    pytest.param(
        rules.barriers,
        history({"barrier_money": True}),
        {"time-and-money", "therapist-barriers"},
        {"not-ready-yet"},
        id="barrier-money",
    ),
    pytest.param(
        rules.barriers,
        history({"barrier_life_events": True, "homework": "not_done"}),
        {"not-ready-yet", "therapist-not-ready", "life-outside-therapy"},
        {"time-and-money", "therapist-barriers"},
        id="barrier-life-events-homework-slipping",
    ),
    pytest.param(
        rules.barriers,
        history({"barrier_energy": True, "homework": "most", "wellbeing": 7}),
        set(),
        {"not-ready-yet", "therapist-not-ready"},
        id="barrier-one-energy-tick-in-a-good-week",
    ),
    # Improving: clearly up from the start, with therapy meeting hopes.
    pytest.param(
        rules.improving,
        history(*[{"wellbeing": w, "expectations": 4} for w in (4, 4, 5, 6, 7, 7)]),
        {"keep-it-going"},
        set(),
        id="improving",
    ),
    pytest.param(
        rules.improving,
        history(*[{"wellbeing": w, "expectations": 4} for w in (5, 5, 5, 5, 6, 5)]),
        set(),
        {"keep-it-going"},
        id="improving-not-on-one-good-week",
    ),
    # A crisis week: the crisis pieces and nothing else.
    pytest.param(
        rules.match_advice,
        history({"in_crisis": True, "sessions_attended": 2, "expectations": 1}),
        {rules.CRISIS_CLIENT_KEY, rules.CRISIS_THERAPIST_KEY},
        {"timeline-too-early", "reassess-expectations", "open-a-dialogue"},
        id="crisis-week",
    ),
    pytest.param(rules.barriers, history({}), set(), {"therapist-barriers"}, id="no-barriers"),
    # Coming back after missed weeks: two missed weeks count, one does not.
    pytest.param(
        rules.returning_after_gap,
        [history({})[0], *history({}, {}, {}, {})[3:]],
        {"therapist-dropout-risk"},
        set(),
        id="back-after-two-missed-weeks",
    ),
    pytest.param(
        rules.returning_after_gap,
        [history({})[0], *history({}, {}, {})[2:]],
        set(),
        {"therapist-dropout-risk"},
        id="back-after-one-missed-week",
    ),
    # Timeline: under 8 sessions with low expectations or wellbeing; 8 is no longer early.
    pytest.param(
        rules.timeline,
        history({"sessions_attended": 7, "expectations": 2}),
        {"timeline-too-early", "therapist-early-sessions"},
        set(),
        id="timeline-7-sessions",
    ),
    pytest.param(
        rules.timeline,
        history({"sessions_attended": 8, "expectations": 2}),
        set(),
        {"timeline-too-early"},
        id="timeline-8-sessions",
    ),
    pytest.param(
        rules.timeline,
        history({"sessions_attended": 3, "expectations": 4, "wellbeing": 7}),
        set(),
        {"timeline-too-early"},
        id="timeline-early-but-content",
    ),
]


def apply(rule, checkins):
    """A rule as match_advice runs it: on the week's one reading."""
    if rule is rules.match_advice:
        return rule(checkins, T)
    return rule(checkins, read_week(checkins, T), T)


@pytest.mark.parametrize(("rule", "checkins", "must", "must_not"), CASES)
def test_rule(rule, checkins, must, must_not):
    found = keys(apply(rule, checkins))
    assert must <= found, f"missing {must - found}"
    assert not (must_not & found), f"unexpected {must_not & found}"


def test_reasons_speak_to_their_reader_with_the_numbers():
    (client_match,) = [
        m
        for m in apply(rules.timeline, history({"sessions_attended": 3, "expectations": 1}))
        if m.key == "timeline-too-early"
    ]
    assert client_match.reason.startswith("You have had 3 sessions so far")
    assert "8th session" in client_match.reason


def test_every_rule_points_at_existing_advice_and_every_piece_is_reachable():
    library = {piece["key"] for piece in ADVICE}
    reached = {rules.CLOSING_KEY}
    for case in CASES:
        rule, checkins, *_ = case.values
        reached |= keys(apply(rule, checkins))
    reached |= keys(apply(rules.dialogue, history({"expectations": 1})))
    assert reached <= library, f"rules name unknown advice: {reached - library}"
    assert library <= reached, f"advice no rule can reach: {library - reached}"


def test_a_quiet_week_gets_no_advice_but_a_concern_adds_the_dialogue_pieces():
    quiet = {"expectations": 4, "wellbeing": 7, "homework": "most", "discomfort": 0}
    assert rules.match_advice(history(quiet), T) == []
    found = rules.match_advice(history({"discomfort": 4}), T)
    assert found[0].key == "discomfort-with-therapist"
    assert {"open-a-dialogue", "therapist-open-the-conversation"} <= keys(found)
    assert [m.weight for m in found] == sorted((m.weight for m in found), reverse=True)


def test_deterioration_outranks_everything():
    found = rules.match_advice(
        history(
            *steady(3, wellbeing=8),
            *steady(3, wellbeing=3, discomfort=4, expectations=1, homework="not_done"),
        ),
        T,
    )
    assert found[0].key == "hard-sessions-vs-decline"


week_rows = st.fixed_dictionaries(
    {
        "wellbeing": st.integers(0, 10),
        "expectations": st.integers(1, 5),
        "discomfort": st.integers(0, 4),
        "felt_worse_after_session": st.booleans(),
        "homework": st.sampled_from(["none_set", "not_done", "some", "most", "all"]),
        "sessions_attended": st.integers(0, 40),
    }
)


@given(rows=st.lists(week_rows, min_size=1, max_size=14))
def test_a_clear_drop_is_never_met_with_reassurance(rows):
    checkins = history(*rows)
    found = keys(rules.match_advice(checkins, T))
    if is_deteriorating(checkins, T):
        assert "working-but-unpleasant" not in found
        assert "hard-sessions-vs-decline" in found


# -- What a clinician expects of the advice ----------------------------------


def client_keys(checkins) -> list[str]:
    """What the client is shown, in order, as select_advice picks it."""
    from guidance.models import Advice
    from guidance.services import select_advice

    library = {
        piece["key"]: Advice(**{**piece, "questions": "\n".join(piece["questions"])})
        for piece in ADVICE
    }
    return [
        advice.key
        for advice, _ in select_advice(checkins, T, library)
        if advice.audience in ("client", "both")
    ]


@given(rows=st.lists(week_rows, min_size=1, max_size=10))
def test_a_client_in_crisis_is_never_told_to_give_therapy_more_time(rows):
    rows[-1] = {**rows[-1], "in_crisis": True}
    assert client_keys(history(*rows)) == [rules.CRISIS_CLIENT_KEY]


@given(rows=st.lists(week_rows, min_size=3, max_size=12))
def test_a_client_whose_wellbeing_is_falling_is_never_told_to_wait(rows):
    checkins = history(*rows)
    if is_falling(checkins, T):
        found = keys(rules.match_advice(checkins, T))
        assert not found & rules.WAIT_KEYS
        assert "hard-sessions-vs-decline" in found


def test_early_decline_gets_the_piece_that_tells_a_hard_session_from_a_decline():
    for n in (3, 4, 5):
        shown = client_keys(
            history(
                *[{"wellbeing": w, "felt_worse_after_session": True} for w in (8, 7, 5, 3, 2)[:n]]
            )
        )
        assert shown[0] == "hard-sessions-vs-decline", n
        assert "timeline-too-early" not in shown and "working-but-unpleasant" not in shown


def test_a_low_but_stable_start_hears_that_it_is_too_soon_to_judge():
    shown = client_keys(history(*steady(3, wellbeing=3, sessions_attended=2)))
    assert shown[0] == "timeline-too-early"


def test_an_improving_client_with_one_barrier_hears_they_are_on_track():
    checkins = history(
        *[{"wellbeing": w, "expectations": 4, "homework": "most"} for w in (4, 5, 6, 7)]
    )
    checkins[-1].barrier_energy = True
    shown = client_keys(checkins)
    assert shown[0] == "keep-it-going"
    assert "not-ready-yet" not in shown


def test_life_events_and_low_energy_bring_the_not_ready_pieces_ahead_of_expectations():
    shown = client_keys(
        history(
            {"expectations": 3},
            {
                "expectations": 2,
                "barrier_life_events": True,
                "barrier_energy": True,
                "homework": "not_done",
            },
        )
    )
    assert "not-ready-yet" in shown
    assert shown.index("not-ready-yet") < shown.index("reassess-expectations")
    assert shown[-1] == rules.CLOSING_KEY


BARRIERS_NAMED = [
    ("life_events", "Things happening in my life", "therapist-not-ready"),
    ("energy", "Energy", "therapist-not-ready"),
    ("money", "Money", "therapist-barriers"),
    ("time", "Time", "therapist-barriers"),
]


@pytest.mark.parametrize(("code", "label", "piece"), BARRIERS_NAMED)
def test_the_therapists_question_matches_the_barrier_named(code, label, piece):
    finding = barriers_flag(history({f"barrier_{code}": True}), START, T, other_trends=True)
    evidence = [item.as_dict() for item in finding.evidence]
    # Stored with the English words, and what words them again for each reader.
    assert evidence == [
        {
            "week": "2026-01-05",
            "measure": "Got in the way",
            "value": label,
            "code": code,
            "measure_message": {"msgid": "Got in the way"},
            "value_message": {"choice": "barrier", "code": code},
        }
    ]
    assert rules.advice_keys_for_flag("barriers", evidence)[0] == piece
    # The therapist reads the label; the advice goes by the code, so a label
    # written in another language finds the same piece.
    assert Flag(kind="barriers", evidence=evidence).evidence_lines == [
        f"Got in the way: {label} (Jan 5)"
    ]
    elsewhere = [{**item, "value": "(another language)"} for item in evidence]
    assert rules.advice_keys_for_flag("barriers", elsewhere)[0] == piece


@pytest.mark.parametrize(("code", "label", "piece"), BARRIERS_NAMED)
def test_a_barrier_flag_stored_with_labels_only_still_finds_its_question(code, label, piece):
    stored = [{"week": "2026-11-02", "measure": "Got in the way", "value": label}]
    assert rules.advice_keys_for_flag("barriers", stored)[0] == piece


def test_a_crisis_flag_leads_with_safety_not_a_conversation_about_the_stall():
    assert rules.advice_keys_for_flag("crisis") == [rules.CRISIS_THERAPIST_KEY]


def test_a_sudden_collapse_in_one_week_is_never_met_with_reassurance():
    shown = client_keys(
        history({"wellbeing": 8}, {"wellbeing": 1, "felt_worse_after_session": True})
    )
    assert shown[0] == "hard-sessions-vs-decline"
    assert "working-but-unpleasant" not in shown and "timeline-too-early" not in shown


def scored(checkins, *scores, item9=0):
    """The same weeks with PHQ-9 totals (None: not asked that week)."""
    from clinical.measures import PHQ9, example_answers

    for checkin, score in zip(checkins, scores, strict=True):
        checkin.measure_answers = (
            {}
            if score is None
            else {
                PHQ9.key: example_answers(
                    PHQ9, score, safety=item9 if checkin is checkins[-1] else 0
                )
            }
        )
    return checkins


def test_a_reliable_deterioration_leads_to_the_decline_piece_never_to_waiting():
    """Wellbeing steady, but the PHQ-9 up 6 points three sessions in: the early-
    sessions "too soon to judge" pieces give way to the decline piece."""
    checkins = scored(history(*steady(3, wellbeing=6), sessions_attended=3), 8, None, 14)
    found = rules.match_advice(checkins, T)
    assert "hard-sessions-vs-decline" in keys(found)
    assert not keys(found) & rules.WAIT_KEYS
    reason = next(m.reason for m in found if m.key == "hard-sessions-vs-decline")
    assert "answers to the PHQ-9 questionnaire show things have got harder" in reason
    assert "14" not in reason, "no scores: the practice may keep them from the client"
    calm = scored(history(*steady(3, wellbeing=6), sessions_attended=3), 8, None, 13)
    assert "hard-sessions-vs-decline" not in keys(rules.match_advice(calm, T))


def test_item_9_above_0_gets_the_crisis_pieces_only():
    checkins = scored(history(*steady(2)), 4, 5, item9=1)
    assert [m.key for m in rules.match_advice(checkins, T)] == [m.key for m in rules.crisis_week()]
