"""Each figure of the outcomes page against a small practice worked out by hand.

The practice, in America/New_York, seen on Wednesday 18 November 2026 for the
fourth quarter (1 October to 31 December; the week of 16 November is still
open, so weeks on the caseload run to Monday 9 November: six of them for a
client there all quarter):

- c1, with Maya since June: checks in every week. PHQ-9 18 in June, 8 in November.
- c2, with Maya since June: checks in 5, 12 and 19 October (a crisis answer
  on the 12th), then stops. PHQ-9 12 in June, 14 in October.
- c3, with Maya since June, moved to Dan on Thursday 29 October: checks in
  every week (4 with Maya, 2 with Dan). PHQ-9 10 in June, 17 in November, and
  item 9 answered "Several days" on 2 November.
- c4, new with Dan on Wednesday 14 October: checks in 19 October and 9
  November, of 4 weeks. One PHQ-9 score only.
- c5, with Dan since June, therapy ended Wednesday 21 October: checks in 5 and
  12 October, of 3 weeks.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.models import (
    Flag,
    FlagKind,
    FlagStatus,
    SafetyAction,
    SafetyActionKind,
    SafetyAlert,
    SafetyAlertKind,
    Severity,
)
from checkins.services import submit_checkin
from clinical.measures import EPISODE_MEASURES, GAD7, PHQ9, episode_outcome, example_answers
from outcomes.periods import quarter
from outcomes.queries import PRACTICE, episode_conditions, practice_outcomes
from portal.models import CaseloadAssignment
from tests.factories import ClientFactory, PracticeFactory, TherapistFactory, answers

NOW = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
Q4 = quarter(2026, 4)
JUNE = date(2026, 6, 1)


def at(day: date, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def check_in(client, monday: date, phq9: int | None = None, *, item9: int = 0, **extra):
    """A check-in submitted on the Wednesday of the week starting `monday`."""
    data = answers(**extra)
    if phq9 is not None:
        data["measures"] = {PHQ9.key: {"answers": example_answers(PHQ9, phq9, safety=item9)}}
    return submit_checkin(client=client, data=data, now=at(monday + timedelta(days=2), 17))


def weekly(client, first: date, last: date):
    monday = first
    while monday <= last:
        yield monday
        monday += timedelta(weeks=1)


def client_of(therapist, since: date, until: date | None = None):
    client = ClientFactory(practice=therapist.practice, therapist=therapist)
    CaseloadAssignment.objects.filter(client=client).update(
        started_at=at(since), ended_at=at(until) if until else None
    )
    return client


@pytest.fixture
def world(db):
    practice = PracticeFactory(time_zone="America/New_York")
    maya = TherapistFactory(practice=practice, first_name="Maya")
    dan = TherapistFactory(practice=practice, first_name="Dan")
    c1 = client_of(maya, JUNE)
    c2 = client_of(maya, JUNE)
    c3 = client_of(maya, JUNE, date(2026, 10, 29))
    CaseloadAssignment.objects.create(client=c3, therapist=dan, started_at=at(date(2026, 10, 29)))
    c4 = client_of(dan, date(2026, 10, 14))
    c5 = client_of(dan, JUNE, date(2026, 10, 21))

    check_in(c1, JUNE, 18)
    for monday in weekly(c1, date(2026, 10, 5), date(2026, 11, 9)):
        check_in(c1, monday, 8 if monday == date(2026, 11, 9) else None)
    check_in(c2, JUNE, 12)
    check_in(c2, date(2026, 10, 5))
    check_in(c2, date(2026, 10, 12), in_crisis=True)
    check_in(c2, date(2026, 10, 19), 14)
    check_in(c3, JUNE, 10)
    for monday in weekly(c3, date(2026, 10, 5), date(2026, 11, 9)):
        if monday == date(2026, 11, 2):
            check_in(c3, monday, 12, item9=1)
        else:
            check_in(c3, monday, 17 if monday == date(2026, 11, 9) else None)
    check_in(c4, date(2026, 10, 19), 15)
    check_in(c4, date(2026, 11, 9))
    check_in(c5, date(2026, 10, 5))
    check_in(c5, date(2026, 10, 12))
    return {"practice": practice, "maya": maya, "dan": dan}


def figures(world, period=Q4):
    report = practice_outcomes(world["practice"], period, now=NOW)
    return (
        report,
        report.rows[PRACTICE],
        report.rows[world["maya"].pk],
        report.rows[world["dan"].pk],
    )


def values(row, *keys):
    return [row[key].value for key in keys]


def test_caseload(world):
    _, practice, maya, dan = figures(world)
    keys = ("active_clients", "new_clients", "ended_clients")
    # A move is not a new client nor an ending for the practice...
    assert values(practice, *keys) == [5, 1, 1]
    # ...but it is for each therapist: c3 left Maya's caseload and joined Dan's.
    assert values(maya, *keys) == [3, 0, 1]
    assert values(dan, *keys) == [3, 2, 1]


def test_check_in_completion_counts_each_week_once_with_the_therapist_of_that_week(world):
    _, practice, maya, dan = figures(world)
    rate = practice["completion_rate"]
    assert (rate.count, rate.base, rate.clients) == (19, 25, 5)
    assert rate.value == pytest.approx(19 / 25)
    assert (maya["completion_rate"].count, maya["completion_rate"].base) == (13, 16)
    assert (dan["completion_rate"].count, dan["completion_rate"].base) == (6, 9)


def test_check_ins_stopped_among_those_still_on_the_caseload(world):
    _, practice, maya, dan = figures(world)
    # c2's last check-in (19 October) is 3 weeks before the open week's Monday:
    # 2 whole weeks missed. c4 checked in last week; c5's therapy has ended.
    stopped = practice["checkins_stopped"]
    assert (stopped.count, stopped.base) == (1, 4)
    assert (maya["checkins_stopped"].count, maya["checkins_stopped"].base) == (1, 2)
    assert (dan["checkins_stopped"].count, dan["checkins_stopped"].base) == (0, 2)


def test_median_weeks_in_therapy(world):
    _, practice, maya, dan = figures(world)
    # From 1 June to today (18 November, counted whole) is 171 days for c1, c2
    # and c3; c4 has 36 days, c5 142. The middle of the five is 171 days.
    assert practice["median_weeks"].value == pytest.approx(171 / 7)
    # Maya: c1 and c2 171 days, c3 150 (1 June to 29 October).
    assert maya["median_weeks"].value == pytest.approx(171 / 7)
    # Dan: c3 21 days (29 October on), c4 36, c5 142.
    assert dan["median_weeks"].value == pytest.approx(36 / 7)


def test_change_over_each_course_on_the_one_questionnaire_asked(world):
    _, practice, maya, dan = figures(world)
    # Nobody is asked the GAD-7, so each course is judged on the PHQ-9 alone.
    # c1 18 -> 8: reliably improved and recovered; c2 12 -> 14: no reliable
    # change; c3 10 -> 17: reliably deteriorated, with Dan at the latest score.
    # c4 has one score only, so no change to speak of.
    improved = practice["episode_reliably_improved"]
    assert (improved.count, improved.base, improved.clients) == (1, 3, 3)
    assert (
        practice["episode_no_reliable_change"].count,
        practice["episode_reliably_deteriorated"].count,
    ) == (1, 1)
    recovered = practice["episode_recovered"]
    assert (recovered.count, recovered.base) == (1, 3)
    assert practice["episode_reliably_recovered"].count == 1
    maya_improved = maya["episode_reliably_improved"]
    assert (maya_improved.count, maya_improved.base) == (1, 2)
    assert maya["episode_reliably_deteriorated"].count == 0
    dan_worse = dan["episode_reliably_deteriorated"]
    assert (dan_worse.count, dan_worse.base) == (1, 1)


def test_crisis_and_item_9_answers_count_for_the_therapist_of_that_week(world):
    _, practice, maya, dan = figures(world)
    assert values(practice, "crisis_answers", "item9_answers") == [1, 1]
    assert values(maya, "crisis_answers", "item9_answers") == [1, 0]
    assert values(dan, "crisis_answers", "item9_answers") == [0, 1]


def test_a_period_with_no_data(world):
    _, practice, maya, _ = figures(world, quarter(2026, 1))
    assert values(practice, "active_clients", "new_clients", "crisis_answers") == [0, 0, 0]
    assert values(practice, "completion_rate", "median_weeks", "episode_reliably_improved") == [
        None,
        None,
        None,
    ]
    assert maya["active_clients"].value == 0


def test_another_practice_is_never_counted(world):
    other = PracticeFactory()
    stranger = ClientFactory(practice=other, therapist=TherapistFactory(practice=other))
    CaseloadAssignment.objects.filter(client=stranger).update(started_at=at(JUNE))
    check_in(stranger, date(2026, 10, 5), 20, in_crisis=True)
    _, practice, _, _ = figures(world)
    assert values(practice, "active_clients", "crisis_answers") == [5, 1]


def both(phq9: int, gad7: int) -> dict:
    return {
        PHQ9.key: {"answers": example_answers(PHQ9, phq9)},
        GAD7.key: {"answers": example_answers(GAD7, gad7)},
    }


def test_each_course_is_judged_on_its_paired_scores(db):
    """A practice worked by hand, every score a PHQ-9 and GAD-7 pair unless said:

    - ana, with Maya since June: 14/6 in June, a PHQ-9 alone in October (2, not
      paired: skipped), 8/11 in November. PHQ-9 down 6 and GAD-7 up 5, to 11, at
      caseness: neither improved nor deteriorated, not recovered.
    - ben, ended with Maya in March 2025 at 20/15 -> 5/3, came back on 12
      October: 9/9 then 16/9. Measured from the new course's 9/9: PHQ-9 up 7,
      reliably deteriorated (from 20 it would have been no change at all).
    - cal, with Dan from June, therapy ended 21 October: 16/12 in June, 8/6 on
      12 October, in the period: reliably recovered, counted for Dan.
    - dee, with Dan: one paired score only, in no share.
    """
    practice = PracticeFactory(time_zone="America/New_York")
    maya = TherapistFactory(practice=practice)
    dan = TherapistFactory(practice=practice)
    ana = client_of(maya, JUNE)
    ben = client_of(maya, date(2024, 9, 4), date(2025, 3, 5))
    CaseloadAssignment.objects.create(client=ben, therapist=maya, started_at=at(date(2026, 10, 12)))
    cal = client_of(dan, JUNE, date(2026, 10, 21))
    dee = client_of(dan, JUNE)

    def scored(client, monday, measures):
        data = answers(measures=measures)
        submit_checkin(client=client, data=data, now=at(monday + timedelta(days=2), 17))

    scored(ana, JUNE, both(14, 6))
    scored(ana, date(2026, 10, 5), {PHQ9.key: {"answers": example_answers(PHQ9, 2)}})
    scored(ana, date(2026, 11, 2), both(8, 11))
    scored(ben, date(2024, 9, 9), both(20, 15))
    scored(ben, date(2025, 3, 2), both(5, 3))
    scored(ben, date(2026, 10, 12), both(9, 9))
    scored(ben, date(2026, 11, 9), both(16, 9))
    scored(cal, JUNE, both(16, 12))
    scored(cal, date(2026, 10, 12), both(8, 6))
    scored(dee, date(2026, 10, 19), both(15, 10))

    report = practice_outcomes(practice, Q4, now=NOW)
    row, of_maya, of_dan = report.rows[PRACTICE], report.rows[maya.pk], report.rows[dan.pk]

    def counts(r, key):
        return (r[key].count, r[key].base)

    assert counts(row, "episode_reliably_improved") == (1, 3)  # cal
    assert counts(row, "episode_reliably_deteriorated") == (1, 3)  # ben
    assert counts(row, "episode_no_reliable_change") == (1, 3)  # ana
    # All three were cases at their first paired score; only cal ended below both.
    assert counts(row, "episode_recovered") == (1, 3)
    assert counts(row, "episode_reliably_recovered") == (1, 3)
    assert counts(of_maya, "episode_no_reliable_change") == (1, 2)
    assert counts(of_maya, "episode_reliably_deteriorated") == (1, 2)
    assert counts(of_dan, "episode_reliably_recovered") == (1, 1)


COLUMNS = [f"{end}_{i.key}" for end in ("first", "last") for i in EPISODE_MEASURES]


def classify_in_sql(first: dict, last: dict) -> dict[str, bool]:
    """`episode_conditions` run by the database over one episode's columns."""
    rules = episode_conditions()
    values = {f"first_{k}": first.get(k) for k in (i.key for i in EPISODE_MEASURES)}
    values |= {f"last_{k}": last.get(k) for k in (i.key for i in EPISODE_MEASURES)}
    quote = connection.ops.quote_name
    row = ", ".join(f"CAST(%s AS INTEGER) AS {quote(c)}" for c in COLUMNS)
    cases = ", ".join(f"CASE WHEN {sql} THEN 1 ELSE 0 END" for sql in rules.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cases} FROM (SELECT {row}) AS episode",  # noqa: S608 - our own SQL
            [values[c] for c in COLUMNS],
        )
        return dict(zip(rules, (bool(v) for v in cursor.fetchone()), strict=True))


def paired_scores():
    """Random first and last paired scores: both questionnaires, or one alone."""
    keys = st.sampled_from([(PHQ9, GAD7), (PHQ9,), (GAD7,)])

    def ends(instruments):
        score = {i.key: st.integers(0, i.max_total) for i in instruments}
        return st.tuples(st.fixed_dictionaries(score), st.fixed_dictionaries(score))

    return keys.flatmap(ends)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paired_scores())
def test_the_database_classifies_each_course_as_episode_outcome_does(ends):
    first, last = ends
    outcome = episode_outcome(first, last)
    assert classify_in_sql(first, last) == {
        "case": outcome.case,
        "recovered": outcome.recovered,
        "improved": outcome.reliably_improved,
        "deteriorated": outcome.reliably_deteriorated,
        "unchanged": not (outcome.reliably_improved or outcome.reliably_deteriorated),
        "reliably_recovered": outcome.reliably_recovered,
    }


@pytest.fixture
def flagged(db):
    """Six clients of one therapist, each with a trend flag and a safety flag opened
    on 10 October, handled (or not) as the tests below say."""
    practice = PracticeFactory(time_zone="America/New_York")
    therapist = TherapistFactory(practice=practice)
    clients = [client_of(therapist, JUNE) for _ in range(6)]
    opened = at(date(2026, 10, 10), 12)
    for n, client in enumerate(clients):
        trend = Flag.objects.create(
            client=client,
            kind=FlagKind.DISCOMFORT,
            severity=Severity.MEDIUM,
            score=1,
            summary="",
            opened_at=opened,
        )
        if n < 2:  # raised after 2 and 4 days
            trend.status, trend.handled_at = FlagStatus.RAISED, opened + timedelta(days=2 + 2 * n)
        elif n == 2:  # dismissed after 6 days
            trend.status, trend.handled_at = FlagStatus.DISMISSED, opened + timedelta(days=6)
        trend.save()
        crisis = Flag.objects.create(
            client=client,
            kind=FlagKind.CRISIS,
            severity=Severity.URGENT,
            score=1,
            summary="",
            opened_at=opened,
        )
        if n < 5:  # first action after 1 to 5 hours; a later one does not count
            for hours in (n + 1, n + 30):
                SafetyAction.objects.create(
                    flag=crisis,
                    kind=SafetyActionKind.CONTACTED,
                    method="phone",
                    done_at=opened + timedelta(hours=hours),
                )
        else:
            SafetyAlert.objects.create(flag=crisis, kind=SafetyAlertKind.ESCALATION)
    # Opened last quarter: not this quarter's.
    Flag.objects.create(
        client=clients[0],
        kind=FlagKind.BARRIERS,
        severity=Severity.LOW,
        score=1,
        summary="",
        opened_at=at(date(2026, 9, 1)),
        closed_at=at(date(2026, 9, 8)),
    )
    return practice, therapist


def test_flags_opened_and_what_became_of_them(flagged):
    practice, therapist = flagged
    for row in (
        practice_outcomes(practice, Q4, now=NOW).rows[key] for key in (PRACTICE, therapist.pk)
    ):
        assert values(row, "flags_opened", "flags_raised", "flags_dismissed") == [6, 2, 1]
        assert row["flags_opened"].clients == 6
        assert row["days_to_handling_median"].value == pytest.approx(4)
        assert row["days_to_handling_median"].clients == 3


def test_time_to_the_first_action_on_a_safety_flag(flagged):
    practice, _ = flagged
    row = practice_outcomes(practice, Q4, now=NOW).rows[PRACTICE]
    assert row["hours_to_action_median"].value == pytest.approx(3)
    assert row["hours_to_action_longest"].value == pytest.approx(5)
    assert row["hours_to_action_median"].clients == 5
    assert (row["safety_no_action"].value, row["safety_no_action"].clients) == (1, 1)
    assert (row["escalations"].value, row["escalations"].clients) == (1, 1)


def test_a_client_who_comes_back_after_ending_starts_a_new_course(db):
    practice = PracticeFactory(time_zone="America/New_York")
    maya = TherapistFactory(practice=practice)
    returning = client_of(maya, date(2024, 9, 4), date(2025, 3, 5))
    CaseloadAssignment.objects.create(
        client=returning, therapist=maya, started_at=at(date(2026, 10, 12))
    )
    moved = client_of(maya, JUNE, date(2026, 10, 29))
    CaseloadAssignment.objects.create(
        client=moved,
        therapist=TherapistFactory(practice=practice),
        started_at=at(date(2026, 10, 29)),
    )
    row = practice_outcomes(practice, Q4, now=NOW).rows[PRACTICE]
    # The returning client is new this quarter; the moved one is not.
    assert row["new_clients"].value == 1
    assert row["ended_clients"].value == 0
    # Weeks in therapy count from the start of the course: 12 October to
    # 18 November is 38 days; 1 June to 18 November is 171. The middle of two is
    # their mean.
    assert row["median_weeks"].value == pytest.approx((38 + 171) / 2 / 7)


def test_weeks_and_endings_are_counted_in_the_practices_own_time_zone(db):
    """Ended at 12:30 UTC on 30 September: already 1 October in Auckland."""
    practice = PracticeFactory(time_zone="Pacific/Auckland")
    therapist = TherapistFactory(practice=practice)
    client = ClientFactory(practice=practice, therapist=therapist)
    CaseloadAssignment.objects.filter(client=client).update(
        started_at=at(JUNE), ended_at=datetime(2026, 9, 30, 12, 30, tzinfo=UTC)
    )
    q3 = practice_outcomes(practice, quarter(2026, 3), now=NOW).rows[PRACTICE]
    q4 = practice_outcomes(practice, Q4, now=NOW).rows[PRACTICE]
    assert (q3["ended_clients"].value, q4["ended_clients"].value) == (0, 1)
    assert q4["active_clients"].value == 1


def test_a_client_on_no_caseload_counts_in_the_total_and_is_protected_too(db):
    """Five clients of one therapist and a client whose therapy had ended, all with
    a crisis answer: the therapist's 5 beside the practice's 6 would give away the
    sixth, so the therapist's figure is held back."""
    practice = PracticeFactory(time_zone="America/New_York")
    therapist = TherapistFactory(practice=practice)
    for _ in range(5):
        check_in(client_of(therapist, JUNE), date(2026, 10, 5), in_crisis=True)
    ended = client_of(therapist, JUNE, date(2026, 9, 2))
    check_in(ended, date(2026, 10, 5), in_crisis=True)
    report = practice_outcomes(practice, Q4, now=NOW)
    assert report.rows[PRACTICE]["crisis_answers"].value == 6
    assert report.rows[therapist.pk]["crisis_answers"].held_back


def test_nothing_from_another_practice_reaches_any_figure(world):
    """A practice whose every figure would move: clients with scores, crisis and
    item-9 answers, safety actions, escalations and handled flags."""
    before = {
        key: (cell.value, cell.clients)
        for key, cell in practice_outcomes(world["practice"], Q4, now=NOW).rows[PRACTICE].items()
    }
    other = PracticeFactory(time_zone="America/New_York")
    stranger_therapist = TherapistFactory(practice=other)
    for n in range(6):
        stranger = client_of(stranger_therapist, JUNE)
        check_in(stranger, JUNE, 20)
        check_in(stranger, date(2026, 10, 5), 2, in_crisis=True)
        check_in(stranger, date(2026, 10, 12), 12, item9=2)
        for flag in Flag.objects.filter(client=stranger):
            if flag.is_safety:
                SafetyAction.objects.create(
                    flag=flag,
                    kind=SafetyActionKind.CONTACTED,
                    method="phone",
                    done_at=flag.opened_at + timedelta(hours=n + 1),
                )
                SafetyAlert.objects.create(flag=flag, kind=SafetyAlertKind.ESCALATION)
            else:
                flag.status, flag.handled_at = FlagStatus.RAISED, flag.opened_at + timedelta(days=1)
                flag.save()
    after = {
        key: (cell.value, cell.clients)
        for key, cell in practice_outcomes(world["practice"], Q4, now=NOW).rows[PRACTICE].items()
    }
    assert after == before
    theirs = practice_outcomes(other, Q4, now=NOW).rows[PRACTICE]
    moved = [key for key in before if (theirs[key].value, theirs[key].clients) != (0, 0)]
    assert len(moved) >= 15, "the other practice's figures should all have moved"
