"""The open-dialogue loop: the client's agenda for their next session, the
therapist marking it talked about, and the client saying how it went."""

from datetime import timedelta

import pytest
from django.urls import reverse

from checkins.agenda import CLIENT_WORDING, add_item
from checkins.models import (
    TIERS,
    AgendaItem,
    AgendaOutcome,
    Flag,
    FlagKind,
    FlagStatus,
)
from tests.factories import MIDWEEK, checkin_history, form_data

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK


@pytest.fixture
def uneasy(client_a):
    """A client whose check-ins show rising discomfort with the therapist."""
    checkin_history(client_a, [{"discomfort": 4}] * 2, last_week_at=NOW - timedelta(weeks=1))
    return Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)


def post_as(http, person, name, data=None, **kwargs):
    http.force_login(person)
    return http.post(reverse(name, kwargs=kwargs), data or {})


def test_the_client_adds_a_trend_in_their_own_wording_and_their_own_words(client, client_a, uneasy):
    home = (client.force_login(client_a), client.get(reverse("client_home")))[1].text
    wording = str(CLIENT_WORDING[FlagKind.DISCOMFORT])
    assert wording in home, "the trend is offered in the client's words"
    for label in [tier.label for tier in TIERS.values()] + [str(uneasy.get_kind_display())]:
        assert str(label) not in home, "never the therapist's labels or tiers"
    post_as(client, client_a, "agenda_add", {"flag": uneasy.pk})
    post_as(client, client_a, "agenda_add", {"text": "How to talk to my sister"})
    items = list(AgendaItem.objects.open().filter(client=client_a))
    assert [i.text for i in items] == [wording, "How to talk to my sister"]
    assert items[0].flag == uneasy
    home = client.get(reverse("client_home")).text
    assert home.count(wording) == 1, "an added trend is no longer offered"


def test_an_empty_item_is_refused_on_the_form(client, client_a):
    response = post_as(client, client_a, "agenda_add", {"text": "   "})
    assert response.status_code == 400
    assert "Please write what you would like to talk about." in response.text
    assert not AgendaItem.objects.exists()


def test_the_client_reorders_and_removes_until_the_session(client, client_a):
    first, second, third = (add_item(client=client_a, text=t) for t in ("one", "two", "three"))
    post_as(client, client_a, "agenda_up", pk=third.pk)
    post_as(client, client_a, "agenda_down", pk=first.pk)
    order = [i.text for i in AgendaItem.objects.open().filter(client=client_a)]
    assert order == ["three", "one", "two"]
    post_as(client, client_a, "agenda_remove", pk=second.pk)
    assert [i.text for i in AgendaItem.objects.open().filter(client=client_a)] == ["three", "one"]


def test_a_client_cannot_touch_another_clients_agenda(client, client_a, client_b):
    item = add_item(client=client_a, text="mine")
    assert post_as(client, client_b, "agenda_remove", pk=item.pk).status_code == 404
    assert AgendaItem.objects.open().filter(pk=item.pk).exists()


def test_the_agenda_tops_session_prep_in_the_clients_order(client, client_a, therapist, uneasy):
    add_item(client=client_a, text="My sleep")
    add_item(client=client_a, flag=uneasy)
    client.force_login(therapist)
    page = client.get(reverse("session_prep", args=[client_a.public_id])).text
    agenda = page.index("The client's agenda")
    assert agenda < page.index("Worth raising"), "the agenda comes first"
    assert agenda < page.index("My sleep") < page.index(str(CLIENT_WORDING[FlagKind.DISCOMFORT]))
    assert "relates to: discomfort with the therapist" in page


def test_talked_about_marks_the_trend_raised_in_session(client, client_a, therapist, uneasy):
    item = add_item(client=client_a, flag=uneasy)
    post_as(
        client,
        therapist,
        "agenda_talked_about",
        {f"talked-{item.pk}-note": "We agreed to slow down"},
        client_id=client_a.public_id,
        pk=item.pk,
    )
    item.refresh_from_db()
    uneasy.refresh_from_db()
    assert item.talked_about_at is not None and item.therapist_note == "We agreed to slow down"
    assert uneasy.status == FlagStatus.RAISED and uneasy.note == "We agreed to slow down"
    assert uneasy.raised_on == NOW.date()


def talked_about(item, therapist):
    from checkins.agenda import mark_talked_about

    return mark_talked_about(item=item, by=therapist, note="")


def answer(client, client_a, item, outcome, **answers):
    client.force_login(client_a)
    page = client.get(reverse("checkin"))
    assert "How did that conversation go?" in page.text
    return client.post(reverse("checkin"), form_data(**{f"agenda_{item.pk}": outcome}, **answers))


def test_the_next_check_in_asks_once_how_it_went(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    response = answer(client, client_a, item, AgendaOutcome.HELPED)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == AgendaOutcome.HELPED
    assert "How did that conversation go?" not in client.get(reverse("checkin")).text


def test_the_question_must_be_answered(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    client.force_login(client_a)
    response = client.post(reverse("checkin"), form_data(to_raise="keep me"))
    assert response.status_code == 200
    assert response.context["form"].errors[f"agenda_{item.pk}"] == ["Please choose one answer."]
    assert "keep me" in response.text


def test_it_helped_closes_it_with_that_answer(client, client_a, therapist, uneasy):
    item = talked_about(add_item(client=client_a, flag=uneasy), therapist)
    answer(client, client_a, item, AgendaOutcome.HELPED, discomfort=4)
    uneasy.refresh_from_db()
    assert uneasy.status == FlagStatus.RAISED, "handled: back only if the trend gets worse"
    assert uneasy.client_said == AgendaOutcome.HELPED
    assert not AgendaItem.objects.awaiting_answer().exists()


@pytest.mark.parametrize("outcome", [AgendaOutcome.NOT_REALLY, AgendaOutcome.NOT_REACHED])
def test_not_really_reopens_the_flag_with_the_answer(client, client_a, therapist, uneasy, outcome):
    item = talked_about(add_item(client=client_a, flag=uneasy), therapist)
    answer(client, client_a, item, outcome, discomfort=4)
    uneasy.refresh_from_db()
    assert uneasy.status == FlagStatus.OPEN
    assert uneasy.client_said == outcome
    client.force_login(therapist)
    page = client.get(reverse("caseload")).text
    assert "Discomfort with the therapist" in page


def test_own_words_that_did_not_help_open_a_flag_of_their_own(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    answer(client, client_a, item, AgendaOutcome.NOT_REALLY)
    flag = Flag.objects.active().get(client=client_a, kind=FlagKind.AGENDA_FOLLOW_UP)
    assert flag.is_open and flag.tier.worth_raising
    assert (
        flag.summary == "“My sleep” was talked about, and the client says it did not really help."
    )
    assert flag.evidence[-1]["value"] == "Not really"
    # A later check-in, with no trend behind it, does not close it: only the therapist does.
    checkin_history(client_a, [{}], last_week_at=NOW + timedelta(weeks=1))
    flag.refresh_from_db()
    assert flag.closed_at is None and flag.is_open


def test_somewhat_closes_the_item_without_a_new_flag(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    answer(client, client_a, item, AgendaOutcome.SOMEWHAT)
    assert not Flag.objects.filter(kind=FlagKind.AGENDA_FOLLOW_UP).exists()


def test_the_therapist_sees_how_it_went(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    answer(client, client_a, item, AgendaOutcome.HELPED)
    client.force_login(therapist)
    page = client.get(reverse("client_detail", args=[client_a.public_id])).text
    assert "My sleep" in page and "the client says: <strong>It helped</strong>" in page


def test_a_practice_can_keep_trends_from_clients(client, client_a, uneasy):
    client_a.practice.show_trends_to_clients = False
    client_a.practice.save()
    client.force_login(client_a)
    assert str(CLIENT_WORDING[FlagKind.DISCOMFORT]) not in client.get(reverse("client_home")).text


def test_a_crisis_week_shows_no_agenda(client, client_a):
    checkin_history(client_a, [{"in_crisis": True}], last_week_at=NOW)
    client.force_login(client_a)
    home = client.get(reverse("client_home")).text
    assert "For my next session" not in home and "tel:988" in home


def test_not_really_about_a_trend_that_has_ended_opens_a_flag_of_its_own(
    client, client_a, therapist, uneasy
):
    item = talked_about(add_item(client=client_a, flag=uneasy), therapist)
    answer(client, client_a, item, AgendaOutcome.NOT_REALLY, discomfort=0)
    uneasy.refresh_from_db()
    assert uneasy.closed_at is not None, "the discomfort trend itself has ended"
    follow_up = Flag.objects.active().get(client=client_a, kind=FlagKind.AGENDA_FOLLOW_UP)
    assert "the client says it did not really help" in follow_up.summary


def test_opening_questions_quote_what_the_client_shared(client, client_a, therapist):
    checkin_history(
        client_a,
        [{"expectations": 1, "hoped_for": "To sleep through the night"}] * 3,
        last_week_at=NOW - timedelta(weeks=1),
    )
    client.force_login(therapist)
    prep = client.get(reverse("session_prep", args=[client_a.public_id])).text
    assert "You said you hoped to see “To sleep through the night”." in prep


def test_words_kept_private_are_never_quoted(client, client_a, therapist):
    checkin_history(
        client_a,
        [{"expectations": 1, "hoped_for": "A private hope", "share_text_with_therapist": False}]
        * 3,
        last_week_at=NOW - timedelta(weeks=1),
    )
    client.force_login(therapist)
    for name in ("session_prep", "client_detail"):
        page = client.get(reverse(name, args=[client_a.public_id])).text
        assert "A private hope" not in page
        assert "You said you hoped" not in page


def test_before_stopping_the_client_reads_the_steps_and_can_put_it_on_the_agenda(
    client, client_a, therapist
):
    from guidance.models import Advice
    from guidance.rules import BEFORE_STOPPING

    client.force_login(client_a)
    page = client.get(reverse("thinking_of_stopping")).text
    titles = [Advice.objects.get(key=key).title for key in BEFORE_STOPPING]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions), "the steps in the articles' order"
    assert "talk it over with your therapist" in page
    client.post(reverse("thinking_of_stopping"))
    flag = Flag.objects.active().get(client=client_a, kind=FlagKind.STOPPING_CONSIDERED)
    assert flag.is_open and flag.tier.worth_raising and flag.severity == 3
    assert [e["value"] for e in flag.evidence] == titles, "the steps the client read"
    (item,) = AgendaItem.objects.open().filter(client=client_a)
    assert item.flag == flag and item.text == "I am thinking about stopping or changing therapy."
    client.force_login(therapist)
    prep = client.get(reverse("session_prep", args=[client_a.public_id])).text
    assert "Thinking about stopping or changing therapy" in prep
    assert "I am thinking about stopping or changing therapy." in prep


def test_the_page_is_offered_first_when_therapy_seems_not_to_be_working(client, client_a):
    client.force_login(client_a)
    assert "Read this first" not in client.get(reverse("client_home")).text
    checkin_history(client_a, [{"expectations": 1}] * 3, last_week_at=NOW - timedelta(weeks=1))
    assert "Read this first" in client.get(reverse("client_home")).text


@pytest.mark.parametrize("posted", ["²", "abc", "999999"])
def test_a_trend_that_is_not_there_is_a_message_not_an_error(client, client_a, posted):
    response = post_as(client, client_a, "agenda_add", {"flag": posted})
    assert response.status_code == 302
    page = client.get(response.url).text
    assert "That trend has changed since the page was shown." in page
    assert not AgendaItem.objects.exists()


def test_talked_about_twice_is_not_an_error(client, client_a, therapist):
    item = add_item(client=client_a, text="My sleep")
    talked_about(item, therapist)
    client.force_login(therapist)
    url = reverse("agenda_talked_about", args=[client_a.public_id, item.pk])
    assert client.post(url).status_code == 404, "no longer on the agenda"


def test_thinking_of_stopping_twice_is_one_flag_and_one_item(client, client_a):
    client.force_login(client_a)
    client.post(reverse("thinking_of_stopping"))
    client.post(reverse("thinking_of_stopping"))
    assert Flag.objects.active().filter(kind=FlagKind.STOPPING_CONSIDERED).count() == 1
    assert AgendaItem.objects.open().count() == 1


def test_a_refused_item_in_a_crisis_week_still_shows_crisis_help(client, client_a):
    checkin_history(client_a, [{"in_crisis": True}], last_week_at=NOW)
    response = post_as(client, client_a, "agenda_add", {"text": ""})
    assert response.status_code == 400
    assert "tel:988" in response.text


def test_words_kept_private_are_not_offered_for_the_agenda(client, client_a):
    checkin_history(
        client_a,
        [{"to_raise": "Just for me", "share_text_with_therapist": False}],
        last_week_at=NOW,
    )
    client.force_login(client_a)
    home = client.get(reverse("client_home"))
    assert home.context["agenda_form"]["text"].value() in ("", None)
    checkin_history(client_a, [{"to_raise": "Please ask me about this"}], last_week_at=NOW)
    home = client.get(reverse("client_home"))
    assert home.context["agenda_form"]["text"].value() == "Please ask me about this"


def test_trends_kept_from_clients_cannot_be_added_by_posting(client, client_a, uneasy):
    client_a.practice.show_trends_to_clients = False
    client_a.practice.save()
    post_as(client, client_a, "agenda_add", {"flag": uneasy.pk})
    assert not AgendaItem.objects.exists()
    client.force_login(client_a)
    checkin_history(client_a, [{"expectations": 1}] * 3, last_week_at=NOW - timedelta(weeks=1))
    assert "Read this first" not in client.get(reverse("client_home")).text


def test_not_really_in_a_week_the_trend_got_worse_reaches_the_flag_now_open(
    client, client_a, therapist, uneasy
):
    item = talked_about(add_item(client=client_a, flag=uneasy), therapist)
    Flag.objects.filter(pk=uneasy.pk).update(closed_at=NOW)  # the trend's flag was replaced
    checkin_history(client_a, [{"discomfort": 4}], last_week_at=NOW - timedelta(days=1))
    current = Flag.objects.active().get(client=client_a, kind=FlagKind.DISCOMFORT)
    answer(client, client_a, item, AgendaOutcome.NOT_REALLY, discomfort=4)
    current.refresh_from_db()
    assert current.client_said == AgendaOutcome.NOT_REALLY and current.is_open
    assert not Flag.objects.filter(kind=FlagKind.AGENDA_FOLLOW_UP).exists()


def test_a_flag_opened_by_the_client_ends_when_the_therapist_handles_it(
    client, client_a, therapist
):
    from checkins.services import dismiss_flag

    client.force_login(client_a)
    client.post(reverse("thinking_of_stopping"))
    flag = Flag.objects.active().get(kind=FlagKind.STOPPING_CONSIDERED)
    dismiss_flag(flag=flag, by=therapist, reason="Talked by phone; staying on")
    flag.refresh_from_db()
    assert flag.closed_at is not None


@pytest.mark.parametrize(
    ("outcome", "told"),
    [
        (AgendaOutcome.NOT_REALLY, "You said talking about “My sleep” did not really help."),
        (AgendaOutcome.NOT_REACHED, "You said you did not get to “My sleep”."),
    ],
)
def test_the_client_is_told_what_happens_to_what_did_not_help(
    client, client_a, therapist, outcome, told
):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    response = answer(client, client_a, item, outcome)
    saved = " ".join(client.get(response.url).text.split())
    assert told in saved
    assert "Your therapist will see that before your next session." in saved
    client_a.language = "es"
    client_a.save(update_fields=["language"])
    client.force_login(client_a)
    spanish = " ".join(client.get(response.url, HTTP_ACCEPT_LANGUAGE="es").text.split())
    assert "Su terapeuta lo verá antes de su próxima sesión." in spanish


def test_nothing_is_said_after_an_answer_that_it_helped(client, client_a, therapist):
    item = talked_about(add_item(client=client_a, text="My sleep"), therapist)
    response = answer(client, client_a, item, AgendaOutcome.HELPED)
    saved = client.get(response.url).text
    assert "My sleep" not in saved and "Your therapist will see that" not in saved
