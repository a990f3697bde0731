"""A course of therapy is where change is measured from: a client who comes back
after a gap, or whose therapist starts a new course, is compared with the new
course's first scores, never with an old course's."""

from datetime import timedelta

import pytest

from checkins.models import Flag, FlagKind
from checkins.services import rules_histories, rules_history
from clinical.measures import GAD7, PHQ9, example_answers
from clinical.trends import thresholds
from portal.models import CaseloadAssignment
from portal.services import end_therapy, start_new_course
from tests.factories import MIDWEEK, checkin_history

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK
WEEK = timedelta(weeks=1)


def scores(phq9: int, gad7: int) -> dict:
    return {
        "measures": {
            PHQ9.key: {"answers": example_answers(PHQ9, phq9)},
            GAD7.key: {"answers": example_answers(GAD7, gad7)},
        }
    }


@pytest.fixture
def returning(client_a, therapist):
    """A first course at PHQ-9 8 (ended 8 weeks ago) and a return 4 weeks ago."""
    CaseloadAssignment.objects.filter(client=client_a).update(started_at=NOW - 14 * WEEK)
    checkin_history(client_a, [scores(8, 5), scores(8, 5)], last_week_at=NOW - 10 * WEEK)
    end_therapy(client=client_a, now=NOW - 8 * WEEK)
    CaseloadAssignment.objects.create(
        client=client_a, therapist=therapist, started_at=NOW - 4 * WEEK
    )
    return client_a


def test_a_returning_client_is_measured_from_the_new_courses_first_score(returning):
    # 8 then 15 would be a reliable deterioration (7 >= 6), but 8 was last course's.
    made = checkin_history(returning, [scores(15, 5), None, scores(16, 5)], last_week_at=NOW)
    assert not Flag.objects.filter(client=returning, kind=FlagKind.RELIABLE_DETERIORATION)
    history = rules_history(made[-1], thresholds())
    assert [c.week_start for c in history] == [c.week_start for c in made]
    assert rules_histories([returning.pk], thresholds())[returning.pk] == history


def test_a_rise_within_the_new_course_is_flagged_from_its_first_score(returning):
    checkin_history(returning, [scores(9, 5), None, scores(15, 5)], last_week_at=NOW)
    flag = Flag.objects.get(client=returning, kind=FlagKind.RELIABLE_DETERIORATION)
    assert "up from 9 to 15" in flag.summary


def test_a_new_course_started_by_the_therapist_is_measured_from_its_own_scores(client_a, therapist):
    CaseloadAssignment.objects.filter(client=client_a).update(started_at=NOW - 14 * WEEK)
    checkin_history(client_a, [scores(8, 5), scores(9, 5)], last_week_at=NOW - 6 * WEEK)
    start_new_course(client=client_a, therapist=therapist, now=NOW - 5 * WEEK)
    checkin_history(client_a, [scores(15, 5), None, scores(15, 5)], last_week_at=NOW)
    assert not Flag.objects.filter(client=client_a, kind=FlagKind.RELIABLE_DETERIORATION)


def test_the_dashboard_and_client_page_judge_the_course_on_both_questionnaires(
    client, therapist, client_a
):
    """PHQ-9 14->8 with GAD-7 6->11: each alone says the opposite; together, no
    reliable change, so the dashboard shows no marker and the client page says so,
    with each questionnaire's own change as detail."""
    checkin_history(client_a, [scores(14, 6), None, scores(8, 11)], last_week_at=NOW)
    client.force_login(therapist)
    page = client.get("/caseload/")
    (row,) = page.context["rows"]
    assert row.episode.outcome.category == "no_reliable_change"
    assert "Reliable recovery" not in page.text and "Reliable deterioration" not in page.text
    detail = client.get(f"/clients/{client_a.public_id}/").text
    assert "Course outcome on the PHQ-9 and GAD-7 together" in detail
    assert "No reliable change</strong>" in detail
    assert "reliable recovery" in detail and "reliable deterioration" in detail
    prep = client.get(f"/clients/{client_a.public_id}/prep/").text
    assert "No reliable change</strong>" in prep


def test_a_returning_clients_dashboard_scores_start_from_the_new_course(
    client, therapist, returning
):
    checkin_history(returning, [scores(15, 9), None, scores(8, 4)], last_week_at=NOW)
    client.force_login(therapist)
    (row,) = client.get("/caseload/").context["rows"]
    assert [(m.first, m.latest) for m in row.measures] == [(15, 8), (9, 4)]
    assert row.episode.first == {PHQ9.key: 15, GAD7.key: 9}
    assert row.episode.marker == ("better", "▼ Reliable recovery")
