"""Trend flag rules at the edges of their thresholds (pure: no database)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from checkins.models import CheckIn, FlagKind, Severity
from clinical.reading import evaluate
from clinical.trends import DEFAULT_THRESHOLDS as T
from clinical.trends import thresholds
from tests.factories import answers

START = date(2026, 6, 1)


def history(*rows: dict | None) -> list[CheckIn]:
    """Weekly check-ins from START; None leaves that week out."""
    return [
        CheckIn(week_start=START + timedelta(weeks=i), **answers(**row))
        for i, row in enumerate(rows)
        if row is not None
    ]


def week_after(checkins: list[CheckIn], weeks: int = 0) -> date:
    return checkins[-1].week_start + timedelta(weeks=weeks)


def flags(checkins, current_week=None, t=T):
    current_week = current_week or week_after(checkins)
    return evaluate(checkins, current_week=current_week, t=t)


def rows(n: int, **row) -> list[dict]:
    return [dict(row) for _ in range(n)]


# (history rows, kind, expected severity or None for "no flag of that kind")
CASES = [
    # Crisis: any crisis answer in the latest check-in, even the very first.
    pytest.param([{"in_crisis": True}], FlagKind.CRISIS, Severity.URGENT, id="crisis-first-week"),
    pytest.param(
        [{"in_crisis": True}, {"in_crisis": False}],
        FlagKind.CRISIS,
        None,
        id="crisis-last-week-only",
    ),
    # Deterioration: a 2-point drop from baseline flags; 1.7 does not; too short a history never.
    pytest.param(
        [*rows(3, wellbeing=7), *rows(3, wellbeing=5)],
        FlagKind.DETERIORATION,
        Severity.HIGH,
        id="deterioration-at-2-points",
    ),
    pytest.param(
        [*rows(3, wellbeing=7), {"wellbeing": 5}, {"wellbeing": 5}, {"wellbeing": 6}],
        FlagKind.DETERIORATION,
        None,
        id="deterioration-1.7-points",
    ),
    pytest.param(
        [{"wellbeing": 9}, {"wellbeing": 1}],
        FlagKind.DETERIORATION,
        None,
        id="deterioration-2-weeks",
    ),
    # Discomfort: 3/4 is high from the first week; a rise of 2 over the usual
    # level flags; one earlier week is not enough to know the usual level.
    pytest.param([{"discomfort": 3}], FlagKind.DISCOMFORT, Severity.MEDIUM, id="discomfort-3"),
    pytest.param([{"discomfort": 2}], FlagKind.DISCOMFORT, None, id="discomfort-2"),
    pytest.param(
        rows(2, discomfort=4), FlagKind.DISCOMFORT, Severity.HIGH, id="discomfort-high-twice"
    ),
    pytest.param(
        [*rows(3, discomfort=0), {"discomfort": 2}],
        FlagKind.DISCOMFORT,
        Severity.MEDIUM,
        id="discomfort-rise-of-2",
    ),
    pytest.param(
        [*rows(3, discomfort=0), {"discomfort": 1}],
        FlagKind.DISCOMFORT,
        None,
        id="discomfort-rise-1",
    ),
    pytest.param(
        [{"discomfort": 0}, {"discomfort": 2}],
        FlagKind.DISCOMFORT,
        None,
        id="discomfort-rise-short",
    ),
    # Expectations: 3 low check-ins in a row; 2 is too few; a 3 breaks the run.
    pytest.param(
        rows(3, expectations=2), FlagKind.EXPECTATIONS_UNMET, Severity.MEDIUM, id="expectations-3"
    ),
    pytest.param(rows(2, expectations=1), FlagKind.EXPECTATIONS_UNMET, None, id="expectations-2"),
    pytest.param(
        [{"expectations": 2}, {"expectations": 3}, {"expectations": 2}, {"expectations": 2}],
        FlagKind.EXPECTATIONS_UNMET,
        None,
        id="expectations-run-broken",
    ),
    # No improvement: 12 sessions with no gain; 11 is too early; a one-point gain is a gain.
    pytest.param(
        [{"sessions_attended": 7 + i, "wellbeing": 5} for i in range(6)],
        FlagKind.NO_IMPROVEMENT,
        Severity.MEDIUM,
        id="no-improvement-12-sessions",
    ),
    pytest.param(
        [{"sessions_attended": 6 + i, "wellbeing": 5} for i in range(6)],
        FlagKind.NO_IMPROVEMENT,
        None,
        id="no-improvement-11-sessions",
    ),
    pytest.param(
        [{"sessions_attended": 7 + i, "wellbeing": 4 if i < 3 else 5} for i in range(6)],
        FlagKind.NO_IMPROVEMENT,
        None,
        id="no-improvement-gained-a-point",
    ),
    pytest.param(
        [{"sessions_attended": 30, "wellbeing": 5}],
        FlagKind.NO_IMPROVEMENT,
        None,
        id="no-improvement-needs-a-baseline",
    ),
    # Feeling worse after sessions: 3 of the last 4.
    pytest.param(
        [{}, *rows(3, felt_worse_after_session=True)],
        FlagKind.WORSE_AFTER_SESSIONS,
        Severity.MEDIUM,
        id="worse-after-3-of-4",
    ),
    pytest.param(
        [*rows(2, felt_worse_after_session=True), {}, {}, {"felt_worse_after_session": True}],
        FlagKind.WORSE_AFTER_SESSIONS,
        None,
        id="worse-after-2-of-4",
    ),
    # Homework: the recent 3 set weeks at half or less of the earlier ones.
    pytest.param(
        [*rows(3, homework="all"), *rows(3, homework="some")],
        FlagKind.HOMEWORK_FALLING,
        Severity.LOW,
        id="homework-all-to-some",
    ),
    pytest.param(
        [*rows(3, homework="all"), *rows(3, homework="most")],
        FlagKind.HOMEWORK_FALLING,
        None,
        id="homework-all-to-most",
    ),
    pytest.param(
        [*rows(3, homework="all"), *rows(2, homework="not_done")],
        FlagKind.HOMEWORK_FALLING,
        None,
        id="homework-too-few-weeks",
    ),
    pytest.param(
        [*rows(3, homework="all"), *rows(3, homework="none_set")],
        FlagKind.HOMEWORK_FALLING,
        None,
        id="homework-none-set-is-not-falling",
    ),
    # Barriers: any reported this week.
    pytest.param([{"barrier_money": True}], FlagKind.BARRIERS, Severity.LOW, id="barrier-money"),
    pytest.param([{}], FlagKind.BARRIERS, None, id="no-barrier"),
]


@pytest.mark.parametrize(("rows_", "kind", "severity"), CASES)
def test_flag_rule(rows_, kind, severity):
    found = flags(history(*rows_))
    if severity is None:
        assert kind not in found
    else:
        assert found[kind].severity == severity
        assert found[kind].evidence, "every flag shows its evidence"


@pytest.mark.parametrize(
    ("weeks_later", "flagged", "severity"),
    [(2, False, None), (3, True, Severity.MEDIUM), (5, True, Severity.HIGH)],
)
def test_checkins_stopped_counts_whole_missed_weeks(weeks_later, flagged, severity):
    checkins = history({}, {})
    found = flags(checkins, current_week=week_after(checkins, weeks_later))
    assert (FlagKind.CHECKINS_STOPPED in found) is flagged
    if flagged:
        assert found[FlagKind.CHECKINS_STOPPED].severity == severity
        assert f"No check-in for {weeks_later - 1} weeks" in str(
            found[FlagKind.CHECKINS_STOPPED].summary
        )


@pytest.mark.parametrize("n", [1, 2])
def test_short_histories_raise_no_trend_flags(n):
    """One or two ordinary check-ins cannot show a trend."""
    checkins = history(*rows(n, wellbeing=2, expectations=1, discomfort=2, homework="not_done"))
    assert set(flags(checkins)) == set()


def test_a_deteriorating_client_is_not_also_called_stalled():
    checkins = history(
        *[{"sessions_attended": 12 + i, "wellbeing": 8 if i < 3 else 3} for i in range(6)]
    )
    found = flags(checkins)
    assert FlagKind.DETERIORATION in found
    assert FlagKind.NO_IMPROVEMENT not in found


def test_evidence_names_the_weeks_and_values():
    checkins = history(*rows(3, wellbeing=8), *rows(3, wellbeing=4))
    finding = flags(checkins)[FlagKind.DETERIORATION]
    assert finding.evidence[0].as_dict() == {
        "week": "2026-06-01",
        "measure": "Wellbeing",
        "value": "8/10",
        "measure_message": {"msgid": "Wellbeing"},  # worded again for each reader
    }
    assert finding.evidence[-1].week == "2026-07-06"
    assert "4.0 below their baseline of 8.0" in str(finding.summary)


def test_no_history_no_flags():
    assert evaluate([], current_week=START, t=T) == {}


def test_thresholds_are_settings(settings):
    settings.TREND_THRESHOLDS = {"discomfort_high": 4}
    assert thresholds() == replace(T, discomfort_high=4)
    assert FlagKind.DISCOMFORT not in flags(history({"discomfort": 3}), t=thresholds())
    settings.TREND_THRESHOLDS = {"no_such_threshold": 1}
    with pytest.raises(ImproperlyConfigured, match="no_such_threshold"):
        thresholds()


# -- What a clinician expects of the flags ----------------------------------


def wellbeing(*scores: int, **row) -> list[CheckIn]:
    return history(*[{"wellbeing": s, **row} for s in scores])


def test_early_decline_8_7_5_3_2_is_flagged_by_the_fourth_check_in():
    """A new client falling fast is not left until six check-ins exist."""
    scores = (8, 7, 5, 3, 2)
    flagged_at = [
        n
        for n in range(1, len(scores) + 1)
        if FlagKind.DETERIORATION in flags(wellbeing(*scores[:n], felt_worse_after_session=True))
    ]
    assert flagged_at == [4, 5]
    finding = flags(wellbeing(*scores))[FlagKind.DETERIORATION]
    assert finding.severity == Severity.HIGH
    assert "3/10, 2/10" in str(finding.summary)


def test_a_fall_from_the_third_check_in_is_flagged():
    assert FlagKind.DETERIORATION in flags(wellbeing(8, 5, 5))


def test_one_bad_week_is_not_a_decline():
    assert FlagKind.DETERIORATION not in flags(wellbeing(7, 7, 7, 4))
    assert FlagKind.DETERIORATION not in flags(wellbeing(7, 7, 7, 4, 7))


def test_a_fall_back_from_one_unusually_good_week_is_not_a_decline():
    assert FlagKind.DETERIORATION not in flags(wellbeing(5, 7, 5, 5))


def test_a_client_already_doing_well_is_not_called_stalled():
    checkins = history(*[{"sessions_attended": 20 + i, "wellbeing": 7} for i in range(6)])
    assert FlagKind.NO_IMPROVEMENT not in flags(checkins)
    just_below = history(*[{"sessions_attended": 20 + i, "wellbeing": 6} for i in range(6)])
    assert FlagKind.NO_IMPROVEMENT in flags(just_below)


def test_a_low_but_stable_start_raises_nothing():
    assert flags(wellbeing(3, 3, 3, sessions_attended=2)) == {}


def test_an_improving_client_with_one_energy_tick_is_not_flagged():
    checkins = history(
        *[{"wellbeing": w, "expectations": 4, "homework": "most"} for w in (4, 5, 6, 7)],
    )
    checkins[-1].barrier_energy = True
    assert flags(checkins) == {}


def test_a_barrier_that_repeats_is_worth_a_mention():
    found = flags(history({"barrier_time": True}, {}, {"barrier_time": True}))
    assert found[FlagKind.BARRIERS].severity == Severity.LOW


def test_a_barrier_beside_another_trend_is_worth_a_mention():
    found = flags(history({"discomfort": 4, "barrier_energy": True}))
    assert FlagKind.DISCOMFORT in found and FlagKind.BARRIERS in found


def test_a_finding_from_six_weeks_ago_closes():
    checkins = history({"barrier_money": True, "discomfort": 4, "expectations": 1})
    assert {FlagKind.BARRIERS, FlagKind.DISCOMFORT} <= set(flags(checkins))
    six_weeks_on = flags(checkins, current_week=week_after(checkins, 6))
    assert set(six_weeks_on) == {FlagKind.CHECKINS_STOPPED}, "only the silence is current"


def test_only_risk_and_off_track_signals_are_worth_raising():
    from checkins.models import TIERS, WORTH_RAISING

    assert not TIERS[Severity.LOW].worth_raising
    assert all(TIERS[s].worth_raising for s in Severity if s >= WORTH_RAISING)
    assert len({tier.label for tier in TIERS.values()}) == len(TIERS)
    assert len({tier.css for tier in TIERS.values()}) == len(TIERS)
    mentions = flags(
        history(*rows(3, homework="all"), *rows(3, homework="some", barrier_money=True))
    )
    assert {f.severity for f in mentions.values()} == {Severity.LOW}


def test_a_decline_that_lasts_does_not_lower_its_own_yardstick():
    scores = (4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 4, 4)
    flagged = [
        n
        for n in range(3, len(scores) + 1)
        if FlagKind.DETERIORATION in flags(wellbeing(*scores[:n]))
    ]
    assert flagged == [9, 10, 11, 12], "still flagged while they stay four points down"
