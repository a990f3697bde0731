import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from checkins.forms import SESSIONS_LOWER_NEEDS_REASON, SESSIONS_TOO_MANY
from checkins.models import TO_RAISE_MAX_LENGTH, CheckIn
from checkins.services import submit_checkin
from portal.models import DEFAULT_CRISIS_HELP
from tests.factories import ClientFactory, answers, checkin_history, form_data

CHOOSE_ONE = "Please choose one answer."


@pytest.fixture
def signed_in(client, client_a):
    client.force_login(client_a)
    return client


def post(http, **overrides):
    return http.post(reverse("checkin"), form_data(**overrides))


def test_the_form_shows_the_week_the_crisis_notice_and_last_weeks_count(signed_in, client_a):
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    page = signed_in.get(reverse("checkin"))
    assert page.status_code == 200
    assert "Your check-in for the week of" in page.text
    assert "not watched in real time" in page.text
    assert escape(DEFAULT_CRISIS_HELP) in page.text
    assert "Last week you said 6." in page.text


def test_every_field_has_a_label_for_screen_readers(signed_in):
    page = signed_in.get(reverse("checkin"))
    form = page.context["form"]
    for name in form.fields:
        field_id = form[name].id_for_label or form[name].auto_id
        assert f'for="{field_id}' in page.text or f'id="{field_id}' in page.text, name
        assert form[name].label


def test_a_valid_check_in_is_saved_with_every_answer(signed_in, client_a):
    response = post(
        signed_in,
        sessions_attended=3,
        expectations=2,
        hoped_for="Sleep better",
        discomfort=3,
        homework="most",
        wellbeing=4,
        felt_worse_after_session=True,
        barrier_money=True,
        barrier_life_events=True,
        to_raise="The exercises feel pointless",
        share_text_with_therapist=False,
    )
    assert response.status_code == 302
    assert response.url == reverse("checkin_saved")
    checkin = CheckIn.objects.get(client=client_a)
    assert (checkin.sessions_attended, checkin.expectations, checkin.discomfort) == (3, 2, 3)
    assert (checkin.homework, checkin.wellbeing) == ("most", 4)
    assert checkin.felt_worse_after_session is True
    assert checkin.barriers == ["money", "life_events"]
    assert checkin.hoped_for == "Sleep better"
    assert checkin.to_raise == "The exercises feel pointless"
    assert checkin.share_text_with_therapist is False
    assert checkin.in_crisis is False


def test_a_second_post_updates_the_weeks_check_in(signed_in, client_a):
    post(signed_in, wellbeing=3)
    post(signed_in, wellbeing=8)
    assert list(CheckIn.objects.filter(client=client_a).values_list("wellbeing", flat=True)) == [8]
    page = signed_in.get(reverse("checkin"))
    assert "You checked in on" in page.text
    assert page.context["form"]["wellbeing"].value() == 8


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sessions_attended": ""}, "sessions_attended", "Please enter how many sessions"),
        ({"sessions_attended": "abc"}, "sessions_attended", "Please enter a whole number"),
        ({"sessions_attended": -1}, "sessions_attended", SESSIONS_TOO_MANY),
        ({"sessions_attended": 501}, "sessions_attended", SESSIONS_TOO_MANY),
        ({"expectations": 6}, "expectations", CHOOSE_ONE),
        ({"expectations": ""}, "expectations", CHOOSE_ONE),
        ({"discomfort": 5}, "discomfort", CHOOSE_ONE),
        ({"wellbeing": 11}, "wellbeing", CHOOSE_ONE),
        ({"wellbeing": "-1"}, "wellbeing", CHOOSE_ONE),
        ({"homework": "lots"}, "homework", CHOOSE_ONE),
        ({"felt_worse_after_session": ""}, "felt_worse_after_session", CHOOSE_ONE),
        ({"in_crisis": ""}, "in_crisis", CHOOSE_ONE),
        ({"share_text_with_therapist": "maybe"}, "share_text_with_therapist", CHOOSE_ONE),
        (
            {"to_raise": "x" * (TO_RAISE_MAX_LENGTH + 1)},
            "to_raise",
            f"at most {TO_RAISE_MAX_LENGTH} characters",
        ),
        ({"hoped_for": "y" * 501}, "hoped_for", "at most 500 characters"),
        ({"sessions_reason": "z" * 201}, "sessions_reason", "at most 200 characters"),
    ],
)
def test_bad_answers_get_a_clear_message_and_keep_the_rest(signed_in, overrides, field, message):
    kept = "I want to talk about my sister"
    response = post(signed_in, to_raise=kept, **overrides) if field != "to_raise" else None
    if response is None:
        response = post(signed_in, **overrides)
        kept = overrides["to_raise"]
    assert response.status_code == 200
    form = response.context["form"]
    assert any(str(message) in error for error in form.errors[field]), form.errors
    assert "Some answers need another look" in response.text
    # Nothing typed is lost: the text comes back in the form.
    assert form["to_raise"].value() == kept
    assert not CheckIn.objects.exists()


def test_fewer_sessions_than_last_week_needs_a_reason(signed_in, client_a):
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    response = post(signed_in, sessions_attended=5)
    assert response.status_code == 200
    assert (
        SESSIONS_LOWER_NEEDS_REASON.format(previous=6)
        in response.context["form"].errors["sessions_reason"][0]
    )
    assert CheckIn.objects.filter(client=client_a).count() == 1
    response = post(signed_in, sessions_attended=5, sessions_reason="I miscounted last week")
    assert response.status_code == 302
    assert CheckIn.objects.filter(client=client_a).count() == 2


def test_a_crisis_answer_shows_help_at_once(signed_in, client_a):
    response = post(signed_in, in_crisis=True)
    page = signed_in.get(response.url)
    assert "Please get help now" in page.text
    assert escape(DEFAULT_CRISIS_HELP) in page.text
    assert page.text.index("Please get help now") < page.text.index("your check-in is saved")


def test_the_practice_sets_its_own_crisis_help(signed_in, client_a):
    practice = client_a.practice
    practice.crisis_help = "Call Samaritans on 116 123, any time."
    practice.save()
    assert "Call Samaritans on 116 123" in signed_in.get(reverse("checkin")).text


def test_no_crisis_box_without_a_crisis_answer(signed_in):
    response = post(signed_in, in_crisis=False)
    assert "Please get help now" not in signed_in.get(response.url).text


def test_the_saved_page_without_a_check_in_goes_to_the_form(signed_in):
    assert signed_in.get(reverse("checkin_saved")).url == reverse("checkin")


def test_the_therapist_reads_free_text_only_when_shared(client, therapist, client_a):
    checkin_history(
        client_a,
        [
            {"to_raise": "Shared worry about work", "share_text_with_therapist": True},
            {
                "to_raise": "Private thought about my mother",
                "hoped_for": "Private hope",
                "sessions_reason": "Private reason for the count",
                "sessions_attended": 2,
                "share_text_with_therapist": False,
            },
        ],
    )
    client.force_login(therapist)
    page = client.get(reverse("client_detail", args=[client_a.public_id]))
    assert "Shared worry about work" in page.text
    assert "Private thought about my mother" not in page.text
    assert "Private hope" not in page.text
    assert "Private reason for the count" not in page.text
    assert "Kept private by the client" in page.text
    prep = client.get(reverse("session_prep", args=[client_a.public_id]))
    assert "Private" not in prep.text


def test_a_client_cannot_read_another_clients_week(client, client_a, client_b):
    (theirs,) = checkin_history(
        client_b,
        [{"to_raise": "B's own words"}],
        last_week_at=(timezone.now() - timedelta(weeks=2)),
    )
    client.force_login(client_a)
    response = client.get(reverse("checkin_week", args=[theirs.week_start.isoformat()]))
    assert response.status_code == 404
    assert "B's own words" not in response.text


def test_a_post_only_ever_writes_the_senders_own_check_in(client, client_a, client_b):
    client.force_login(client_a)
    post(client, client=client_b.pk, wellbeing=1)
    assert not CheckIn.objects.filter(client=client_b).exists()
    assert CheckIn.objects.get(client=client_a).wellbeing == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_leave_one_row():
    """Two requests for the same week racing each other still make one check-in."""
    person = ClientFactory()
    barrier = threading.Barrier(2)
    errors = []

    def submit(wellbeing):
        try:
            barrier.wait(timeout=10)
            submit_checkin(client=person, data=answers(wellbeing=wellbeing))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in (2, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert CheckIn.objects.filter(client=person).count() == 1
    assert CheckIn.objects.get(client=person).wellbeing in (2, 9)


def saved_sessions(client_a) -> int:
    return CheckIn.objects.filter(client=client_a).latest("week_start").sessions_attended


def test_last_weeks_count_is_filled_in_and_the_sessions_since_are_added_to_it(signed_in, client_a):
    first = signed_in.get(reverse("checkin")).context["form"]
    assert "sessions_since" not in first.fields, "the first check-in asks for the total"
    assert first["sessions_attended"].value() is None
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    form = signed_in.get(reverse("checkin")).context["form"]
    assert form["sessions_attended"].value() == 6
    assert form["sessions_since"].value() == 0, "no new session needs no answer"
    # Last week's total posted back as it was, with two sessions since.
    assert post(signed_in, sessions_attended=6, sessions_since=2).status_code == 302
    assert saved_sessions(client_a) == 8
    # A total typed in is the client's own count, and stands.
    assert post(signed_in, sessions_attended=9, sessions_since=2).status_code == 302
    assert saved_sessions(client_a) == 9


def test_a_lower_total_still_needs_a_reason_whatever_the_sessions_since(signed_in, client_a):
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    response = post(signed_in, sessions_attended=5, sessions_since=2)
    assert "sessions_reason" in response.context["form"].errors
    # The reason's box is folded away on the page, and open to show the error.
    assert '<details class="optional-questions mb-3" open>' in response.text


def test_the_sessions_since_cannot_pass_the_highest_count(signed_in, client_a):
    checkin_history(client_a, [{"sessions_attended": 499}, None])
    response = post(signed_in, sessions_attended=499, sessions_since=3)
    assert response.context["form"].errors["sessions_attended"] == [SESSIONS_TOO_MANY]
    assert post(signed_in, sessions_attended=499, sessions_since=9).context["form"].errors[
        "sessions_since"
    ] == [CHOOSE_ONE]


def test_optional_text_boxes_fold_away_unless_something_is_written(signed_in, client_a):
    summary = "Something to write to your therapist? (optional)"
    page = signed_in.get(reverse("checkin"))
    assert summary in page.text and " open>" not in page.text
    # In crisis, so the form comes back with what was written.
    response = post(signed_in, to_raise="My sister", expectations="")
    assert '<details class="optional-questions mb-3" open>' in response.text
