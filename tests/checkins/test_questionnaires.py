"""The PHQ-9 and GAD-7 in the weekly check-in, as clients and therapists meet them:
the published questions on the form, when they are asked, the crisis path for
item 9, and scores where each person reads them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from checkins.models import (
    Flag,
    FlagKind,
    Frequency,
    MeasureResponse,
    MeasureSchedule,
    SafetyAlert,
)
from checkins.safety import ALERT_SUBJECTS
from clinical.measures import GAD7, PHQ9, example_answers
from tests.factories import MIDWEEK, checkin_history, form_data

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK


@pytest.fixture
def signed_in(client, client_a):
    client.force_login(client_a)
    return client


def items(instrument, score, *, safety=0) -> dict:
    return {
        f"{instrument.key}_{n}": answer
        for n, answer in enumerate(example_answers(instrument, score, safety=safety), start=1)
    }


def scores(phq9: int, gad7: int) -> dict:
    """Questionnaire answers as `submit_checkin` takes them."""
    return {
        "measures": {
            PHQ9.key: {"answers": example_answers(PHQ9, phq9)},
            GAD7.key: {"answers": example_answers(GAD7, gad7)},
        }
    }


def test_the_first_check_in_asks_both_questionnaires_in_their_published_words(signed_in):
    page = signed_in.get(reverse("checkin")).text
    for instrument in (PHQ9, GAD7):
        assert escape(instrument.instructions) in page
        for item in instrument.items:
            assert escape(item) in page
        assert escape(instrument.follow_up) in page
    assert "Nearly every day" in page and "More than half the days" in page
    assert "No permission required to reproduce" in page, "the source is named on the page"


def test_scores_are_computed_on_save_never_typed_in(signed_in, client_a):
    response = signed_in.post(
        reverse("checkin"),
        form_data(**items(PHQ9, 14), **items(GAD7, 9), phq9_follow_up=2, phq9_total=0),
    )
    assert response.status_code == 302
    phq9 = MeasureResponse.objects.get(client=client_a, instrument="phq9")
    assert phq9.total == 14 == sum(phq9.answers) and phq9.follow_up == 2
    assert MeasureResponse.objects.get(client=client_a, instrument="gad7").total == 9


def test_a_skipped_item_is_named_and_nothing_typed_is_lost(signed_in, client_a):
    data = form_data(to_raise="My week was long", **items(PHQ9, 10))
    del data["phq9_4"]
    response = signed_in.post(reverse("checkin"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["phq9_4"] == ["Please choose one answer."]
    assert "My week was long" in response.text
    assert form["phq9_3"].value() == str(data["phq9_3"])
    assert not MeasureResponse.objects.exists()


def test_asked_every_other_week_by_default(signed_in, client_a):
    checkin_history(client_a, [scores(8, 6), None], last_week_at=NOW)
    assert "phq9_1" not in signed_in.get(reverse("checkin")).context["form"].fields, "last week"
    MeasureResponse.objects.all().delete()
    checkin_history(client_a, [scores(8, 6), None, None], last_week_at=NOW)
    assert "phq9_1" in signed_in.get(reverse("checkin")).context["form"].fields, "two weeks on"


@pytest.mark.parametrize(
    "every, asked",
    [
        (Frequency.EVERY_CHECKIN, True),
        (Frequency.EVERY_FOUR_WEEKS, False),
        (Frequency.NEVER, False),
    ],
)
def test_the_practice_chooses_how_often(signed_in, client_a, every, asked):
    for key in (PHQ9.key, GAD7.key):
        MeasureSchedule.objects.create(
            practice=client_a.practice, instrument=key, every_weeks=every
        )
    checkin_history(client_a, [scores(8, 6), None], last_week_at=NOW)
    fields = signed_in.get(reverse("checkin")).context["form"].fields
    assert ("phq9_1" in fields) is asked and ("gad7_1" in fields) is asked


def test_editing_the_week_shows_the_answers_given(signed_in, client_a):
    checkin_history(client_a, [scores(11, 6)], last_week_at=NOW)
    form = signed_in.get(reverse("checkin")).context["form"]
    assert [form.initial[f"phq9_{n}"] for n in range(1, 10)] == example_answers(PHQ9, 11)


def test_item_9_above_0_shows_crisis_help_at_once_and_tells_the_therapist(
    signed_in, client_a, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("checkin"), form_data(**items(PHQ9, 6, safety=1), **items(GAD7, 3))
        )
    saved = signed_in.get(response.url).text
    assert "tel:988" in saved, "tap-to-call crisis help on the saved page"
    assert "tel:988" in signed_in.get(reverse("client_home")).text, "and on the home page"
    flag = Flag.objects.get(client=client_a, kind=FlagKind.SAFETY_ITEM)
    assert flag.is_open and flag.is_safety
    assert "“Several days” to PHQ-9 item 9" in flag.summary
    assert SafetyAlert.objects.filter(flag=flag).exists()
    assert [m.to for m in mailoutbox if m.subject in ALERT_SUBJECTS.values()] == [[therapist.email]]


def test_item_9_tops_the_dashboard_with_the_answer_given(client, therapist, client_a, client_b):
    from tests.factories import ClientFactory

    other = ClientFactory(practice=therapist.practice, therapist=therapist)
    checkin_history(other, [{"discomfort": 4}] * 3, last_week_at=NOW)
    checkin_history(
        client_a,
        [{"measures": {PHQ9.key: {"answers": example_answers(PHQ9, 5, safety=3)}}}],
        last_week_at=NOW,
    )
    client.force_login(therapist)
    page = client.get(reverse("caseload"))
    rows = page.context["rows"]
    assert rows[0].client == client_a and rows[0].in_crisis
    assert "“Nearly every day” to PHQ-9 item 9" in page.text


def test_the_dashboard_marks_a_reliable_deterioration(client, therapist, client_a):
    checkin_history(client_a, [scores(8, 5), None, scores(14, 6)], last_week_at=NOW)
    client.force_login(therapist)
    page = client.get(reverse("caseload"))
    (row,) = page.context["rows"]
    phq9 = row.measures[0]
    assert (phq9.latest, phq9.since_first, phq9.band.label) == (14, "+6", "Moderate")
    assert row.episode.marker == ("worse", "▲ Reliable deterioration")
    assert page.text.count("▲ Reliable deterioration") == 1
    assert FlagKind.RELIABLE_DETERIORATION in {f.kind for f in row.open_flags}


def test_the_client_page_draws_the_bands_the_cut_off_and_the_first_scores_band(
    client, therapist, client_a
):
    checkin_history(client_a, [scores(16, 12), None, scores(9, 6)], last_week_at=NOW)
    client.force_login(therapist)
    page = client.get(reverse("client_detail", args=[client_a.public_id])).text
    assert "Moderately severe" in page and "cut-off 10" in page and "cut-off 8" in page
    assert "within 6 points of the first score" in page
    assert "▼ Reliable recovery" in page


def test_the_client_reads_their_scores_in_plain_words(signed_in, client_a):
    checkin_history(client_a, [scores(16, 12), None, scores(9, 6)], last_week_at=NOW)
    page = signed_in.get(reverse("checkin_history")).text
    assert "Your latest PHQ-9 score is 9 out of 27" in page
    assert "7 points lower than your first (16): a real improvement" in page


def test_a_practice_can_keep_scores_from_clients(signed_in, client_a):
    client_a.practice.show_scores_to_clients = False
    client_a.practice.save()
    checkin_history(client_a, [scores(16, 12), None, scores(9, 6)], last_week_at=NOW)
    page = signed_in.get(reverse("checkin_history")).text
    assert "PHQ-9 score" not in page and "cut-off" not in page


def test_a_questionnaire_from_months_ago_is_still_the_first_score(therapist, client_a):
    """Change is measured from the first score however long ago, not from the
    rules' recent window."""
    rows = [scores(8, 5)] + [{}] * 20 + [scores(15, 5)]
    checkin_history(client_a, rows, last_week_at=NOW)
    flag = Flag.objects.get(client=client_a, kind=FlagKind.RELIABLE_DETERIORATION)
    assert "up from 8 to 15" in flag.summary


def test_a_client_reliably_worse_is_told_to_act_now_not_to_wait(signed_in, client_a):
    checkin_history(client_a, [scores(8, 5), None, scores(14, 5)], last_week_at=NOW)
    page = signed_in.get(reverse("checkin_history")).text
    assert "a real change for the worse, worth acting on now" in page
    assert "Tell your therapist this week" in page and "next session" not in page


def test_item_9_posted_after_the_week_closed_is_kept_and_reaches_crisis_help(signed_in, client_a):
    checkin_history(client_a, [scores(6, 4)], last_week_at=NOW - timedelta(weeks=1))
    last_week = (NOW - timedelta(weeks=1)).date()
    monday = last_week - timedelta(days=last_week.weekday())
    data = form_data(week=monday.isoformat(), **items(PHQ9, 6, safety=1), **items(GAD7, 4))
    response = signed_in.post(reverse("checkin"), data)
    assert response.status_code == 200, "the week closed: shown again to save"
    form = response.context["form"]
    assert "phq9_9" in form.fields and form["phq9_9"].value() == "1", "the answer is not lost"
    data["week"], data["carried"] = form["week"].value(), form["carried"].value()
    saved = signed_in.post(reverse("checkin"), data)
    assert saved.status_code == 302
    assert Flag.objects.filter(client=client_a, kind=FlagKind.SAFETY_ITEM).exists()
    assert "tel:988" in signed_in.get(saved.url).text


def test_the_alert_email_names_the_questionnaire_answer_not_a_crisis_answer(
    signed_in, client_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("checkin"), form_data(**items(PHQ9, 6, safety=1), **items(GAD7, 3)))
    (alert,) = [m for m in mailoutbox if m.subject in ALERT_SUBJECTS.values()]
    assert "thoughts of being better off dead or of self-harm" in alert.body
    assert "in crisis" not in alert.body
    assert client_a.email not in alert.body


def test_the_therapists_table_marks_an_item_9_week(client, therapist, client_a):
    checkin_history(
        client_a,
        [{"measures": {PHQ9.key: {"answers": example_answers(PHQ9, 6, safety=2)}}}],
        last_week_at=NOW,
    )
    client.force_login(therapist)
    page = client.get(reverse("client_detail", args=[client_a.public_id])).text
    assert 'class="table-danger"' in page


def test_the_client_reading_their_scores_after_item_9_is_pointed_to_crisis_help(
    signed_in, client_a
):
    checkin_history(
        client_a,
        [{"measures": {PHQ9.key: {"answers": example_answers(PHQ9, 6, safety=1)}}}],
        last_week_at=NOW,
    )
    page = signed_in.get(reverse("checkin_history")).text
    assert "thoughts of being better off dead or of hurting yourself" in page
    assert "use the crisis help at the top of this page" in page


def test_a_stored_answer_outside_the_scale_breaks_no_page(signed_in, client_a):
    (week,) = checkin_history(client_a, [scores(8, 5)], last_week_at=NOW - timedelta(weeks=2))
    MeasureResponse.objects.filter(checkin=week, instrument="phq9").update(answers=[9] * 9)
    assert (
        signed_in.post(
            reverse("checkin"), form_data(**items(PHQ9, 8), **items(GAD7, 4))
        ).status_code
        == 302
    )
    assert signed_in.get(reverse("my_data_json")).status_code == 200
    assert signed_in.get(reverse("my_data_csv")).status_code == 200
