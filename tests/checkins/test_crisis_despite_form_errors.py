"""A crisis answer is never held back by another answer that needs a second look:
it is kept and the therapist alerted at once, the help comes first, and the form
comes back below it with everything typed; fixing the form then alerts no one again."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from checkins.agenda import add_item, mark_talked_about
from checkins.data_rights import export_client_data
from checkins.forms import SESSIONS_LOWER_NEEDS_REASON
from checkins.models import AgendaOutcome, CheckIn, Flag, FlagKind, SafetyAlert, Severity
from checkins.safety import ALERT_SUBJECTS, record_safety_action
from checkins.services import record_safety_answer, submit_checkin
from clinical.measures import GAD7, PHQ9, example_answers
from tests.factories import MIDWEEK, answers, checkin_history, form_data

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK
HELP = "Please get help now"
TOLD = "Your answer about your safety is saved and your therapist has been told"


@pytest.fixture
def signed_in(client, client_a):
    client.force_login(client_a)
    return client


@pytest.fixture
def six_last_week(client_a):
    """Last week the client counted six sessions."""
    checkin_history(client_a, [{"sessions_attended": 6}], last_week_at=NOW - timedelta(weeks=1))


def alerts(outbox) -> list[list[str]]:
    return [m.to for m in outbox if m.subject in ALERT_SUBJECTS.values()]


def items(instrument, score, *, safety=0) -> dict:
    return {
        f"{instrument.key}_{n}": answer
        for n, answer in enumerate(example_answers(instrument, score, safety=safety), start=1)
    }


def typed(**overrides) -> dict:
    """A whole form's answers, every kind of field given something other than its
    default, so a value lost on the way back shows."""
    given = {
        "sessions_since": 0,
        "sessions_attended": 5,  # fewer than last week's six, with no reason
        "expectations": 2,
        "hoped_for": "Sleep through the night",
        "discomfort": 3,
        "homework": "some",
        "wellbeing": 2,
        "felt_worse_after_session": True,
        "barrier_money": True,
        "barrier_life_events": True,
        "to_raise": "I want to talk about my sister",
        "share_text_with_therapist": False,
        **items(PHQ9, 14),
        **items(GAD7, 9),
        **{f"{i.key}_follow_up": 2 for i in (PHQ9, GAD7) if i.follow_up},
    }
    return form_data(**{**given, **overrides})


def post(http, data, capture):
    with capture(execute=True):
        return http.post(reverse("checkin"), data)


def assert_everything_typed_is_kept(response, data) -> None:
    form = response.context["form"]
    for name in form.fields:
        if name in ("week", "carried"):
            continue
        shown = form[name].value()
        posted = data[name]
        if isinstance(posted, list):
            assert sorted(shown) == sorted(posted), name
        else:
            assert str(shown) == str(posted), f"{name}: {shown!r} shown, {posted!r} typed"
    html = response.text
    assert escape("I want to talk about my sister") in html
    assert escape("Sleep through the night") in html
    assert (
        f'value="{data["sessions_attended"]}"'
        in html[html.index('id="div_id_sessions_attended"') :][:1000]
    )
    for name in ("barriers", "in_crisis", "wellbeing", "phq9_9", "share_text_with_therapist"):
        values = data[name] if isinstance(data[name], list) else [data[name]]
        for value in filter(lambda value: value != "", values):
            assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', html), (
                f"{name}={value} is not shown chosen"
            )


def help_comes_first(html: str) -> None:
    assert HELP in html and 'href="tel:988"' in html and 'href="sms:988"' in html
    assert TOLD in html
    help_at = html.index(HELP)
    assert (
        help_at < html.index('id="error-summary"') < html.index('id="div_id_sessions_attended"')
    ), "the crisis help above the errors and the form"


def test_a_crisis_answer_alerts_at_once_though_the_session_count_needs_a_reason(
    signed_in, client_a, therapist, six_last_week, mailoutbox, django_capture_on_commit_callbacks
):
    item = mark_talked_about(item=add_item(client=client_a, text="My sleep"), by=therapist, note="")
    data = typed(in_crisis=True, **{f"agenda_{item.pk}": AgendaOutcome.SOMEWHAT})
    response = post(signed_in, data, django_capture_on_commit_callbacks)

    assert response.status_code == 200, "the form comes back for the session count"
    week_start = response.context["week_start"]
    assert not CheckIn.objects.filter(client=client_a, week_start=week_start).exists()
    flag = Flag.objects.active().get(client=client_a, kind=FlagKind.CRISIS)
    assert flag.is_open and flag.severity == Severity.URGENT
    assert flag.score == float(week_start.toordinal())
    assert SafetyAlert.objects.filter(flag=flag).count() == 1
    assert alerts(mailoutbox) == [[therapist.email]]

    html = response.text
    help_comes_first(html)
    reason_error = SESSIONS_LOWER_NEEDS_REASON.format(previous=6)
    assert response.context["form"].errors["sessions_reason"] == [reason_error]
    assert escape(reason_error) in html[html.index(HELP) :]
    assert_everything_typed_is_kept(response, data)


def test_item_9_above_not_at_all_alerts_at_once_though_another_answer_is_missing(
    signed_in, client_a, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    data = typed(in_crisis=False, sessions_attended=7, **items(PHQ9, 14, safety=1))
    data["wellbeing"] = ""  # not answered
    response = post(signed_in, data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert not CheckIn.objects.filter(client=client_a).exists()
    flag = Flag.objects.active().get(client=client_a, kind=FlagKind.SAFETY_ITEM)
    assert flag.is_open and flag.severity == Severity.URGENT
    assert "“Several days” to PHQ-9 item 9" in flag.summary
    assert not Flag.objects.filter(client=client_a, kind=FlagKind.CRISIS).exists(), (
        "the crisis question was answered no"
    )
    assert alerts(mailoutbox) == [[therapist.email]]
    help_comes_first(response.text)
    assert response.context["form"].errors["wellbeing"] == ["Please choose one answer."]
    assert_everything_typed_is_kept(response, data)


@pytest.mark.parametrize(
    "safety",
    [{"in_crisis": True}, {"in_crisis": False, **items(PHQ9, 14, safety=2)}],
    ids=["crisis answer", "item 9"],
)
def test_fixing_the_form_saves_one_check_in_with_one_flag_and_one_alert(
    signed_in,
    client_a,
    therapist,
    six_last_week,
    safety,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    data = typed(**safety)
    post(signed_in, data, django_capture_on_commit_callbacks)
    post(signed_in, data, django_capture_on_commit_callbacks)  # sent twice, still wrong
    flag = Flag.objects.get(client=client_a, kind__in=[FlagKind.CRISIS, FlagKind.SAFETY_ITEM])
    versions = flag.history.count()

    data["sessions_reason"] = "I miscounted last week"
    response = post(signed_in, data, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    this_week = CheckIn.objects.get(client=client_a, week_start__gt=NOW.date() - timedelta(7))
    assert this_week.sessions_reason == "I miscounted last week"
    assert this_week.needs_crisis_help
    (same,) = Flag.objects.filter(client=client_a, kind__in=[FlagKind.CRISIS, FlagKind.SAFETY_ITEM])
    assert same.pk == flag.pk and same.history.count() == versions, "the flag is left as it was"
    assert SafetyAlert.objects.filter(flag__client=client_a).count() == 1
    assert alerts(mailoutbox) == [[therapist.email]]
    assert HELP in signed_in.get(response.url).text


def test_a_no_with_errors_opens_nothing_and_shows_no_crisis_help(
    signed_in, client_a, six_last_week, mailoutbox, django_capture_on_commit_callbacks
):
    response = post(signed_in, typed(in_crisis=False), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert not Flag.objects.filter(client=client_a).exclude(opened_at__lt=NOW).exists()
    assert not SafetyAlert.objects.exists() and alerts(mailoutbox) == []
    assert HELP not in response.text and TOLD not in response.text
    assert "Some answers need another look" in response.text


def test_an_unanswered_crisis_question_opens_nothing(
    signed_in, client_a, six_last_week, django_capture_on_commit_callbacks
):
    data = typed()
    data["in_crisis"] = ""
    response = post(signed_in, data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert not SafetyAlert.objects.exists()
    assert HELP not in response.text


def test_a_crisis_answer_in_a_new_week_alerts_again_after_the_last_was_cleared(
    signed_in, client_a, therapist, six_last_week, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(
            client=client_a,
            data=answers(in_crisis=True, sessions_attended=6),
            now=NOW - timedelta(weeks=1),
        )
    earlier = Flag.objects.active().get(client=client_a, kind=FlagKind.CRISIS)
    record_safety_action(
        flag=earlier, by=therapist, kind="cleared", done_at=NOW - timedelta(days=3), note="Safe"
    )
    post(signed_in, typed(in_crisis=True), django_capture_on_commit_callbacks)
    now_open = Flag.objects.active().get(client=client_a, kind=FlagKind.CRISIS)
    assert now_open.pk != earlier.pk and now_open.is_open
    assert alerts(mailoutbox) == [[therapist.email], [therapist.email]]


def test_an_edited_week_keeps_its_saved_answers_until_the_form_is_sent_whole(
    signed_in, client_a, six_last_week, django_capture_on_commit_callbacks
):
    saved = submit_checkin(client=client_a, data=answers(sessions_attended=6, to_raise="before"))
    post(signed_in, typed(in_crisis=True), django_capture_on_commit_callbacks)
    saved.refresh_from_db()
    assert (saved.sessions_attended, saved.to_raise, saved.in_crisis) == (6, "before", False)
    assert Flag.objects.active().filter(client=client_a, kind=FlagKind.CRISIS).exists()


def test_only_the_safety_items_are_read_and_nothing_is_filled_in(client_a):
    (flag,) = record_safety_answer(
        client=client_a, in_crisis=False, safety_items={PHQ9.key: {1: 3, 9: 1}}
    )
    assert flag.kind == FlagKind.SAFETY_ITEM
    assert not CheckIn.objects.filter(client=client_a).exists()
    assert not client_a.measure_responses.exists(), "no questionnaire is made up"
    assert record_safety_answer(client=client_a, in_crisis=False, safety_items={}) == []
    assert (
        record_safety_answer(client=client_a, in_crisis=False, safety_items={PHQ9.key: {9: 0}})
        == []
    ), "“Not at all” is no safety answer"


def test_the_answer_is_in_the_clients_data_export(
    signed_in, client_a, six_last_week, django_capture_on_commit_callbacks
):
    post(signed_in, typed(in_crisis=True), django_capture_on_commit_callbacks)
    exported = export_client_data(client_a)
    (crisis,) = [f for f in exported["flags"] if f["kind"] == FlagKind.CRISIS]
    assert crisis["evidence"][0]["value"] == "yes"
    assert crisis["opened_at"] == NOW.isoformat()
    assert [a["what"] for a in crisis["alerts"]] == ["Alert to the therapist"]


def test_after_leaving_the_form_the_crisis_help_still_comes_first_this_week(
    signed_in, client_a, six_last_week, django_capture_on_commit_callbacks
):
    """The client sent a crisis answer with a session count to fix, then left: their
    home page and the form, opened again, lead with the crisis help, and every page
    reads the week as a crisis week (no advice to wait, on the page before stopping)."""
    response = post(signed_in, typed(in_crisis=True), django_capture_on_commit_callbacks)
    week_start = response.context["week_start"]
    assert not CheckIn.objects.filter(client=client_a, week_start=week_start).exists()
    for page in ("client_home", "checkin", "thinking_of_stopping"):
        html = signed_in.get(reverse(page)).text
        assert HELP in html, page
    form_page = signed_in.get(reverse("checkin")).text
    assert TOLD in form_page, "nothing of the week is saved but the safety answer: it says so"


def test_a_cleared_crisis_no_longer_leads_the_home_page(
    signed_in, client_a, therapist, six_last_week, django_capture_on_commit_callbacks
):
    post(signed_in, typed(in_crisis=True), django_capture_on_commit_callbacks)
    flag = Flag.objects.active().get(client=client_a, kind=FlagKind.CRISIS)
    record_safety_action(
        flag=flag, by=therapist, kind="cleared", done_at=NOW, note="Called; safe, plan agreed."
    )
    assert HELP not in signed_in.get(reverse("client_home")).text
