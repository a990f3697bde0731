from django.urls import reverse

from checkins.services import submit_checkin
from guidance.models import Advice, ShownAdvice
from guidance.rules import CLOSING_KEY, MAX_CLIENT_PIECES
from tests.factories import answers, checkin_history, form_data


def test_after_submitting_the_client_reads_the_advice_that_fits(client, client_a):
    client.force_login(client_a)
    response = client.post(
        reverse("checkin"), form_data(sessions_attended=3, expectations=1, discomfort=4)
    )
    page = client.get(response.url)
    advice = page.context["advice"]
    assert 2 <= len(advice) <= MAX_CLIENT_PIECES + 1
    assert advice[0].key == "discomfort-with-therapist"
    assert advice[-1].key == CLOSING_KEY, "the list always ends on raising it in session"
    assert all(shown.audience != "therapist" for shown in advice)
    assert "You rated feeling uneasy with your therapist 4 out of 4" in page.text
    assert "From the article" in page.text
    assert "Why This Isn't Working" not in page.text  # only the real titles are named


def test_a_quiet_week_still_ends_with_the_invitation_to_talk(client, client_a):
    client.force_login(client_a)
    client.post(
        reverse("checkin"),
        form_data(expectations=5, wellbeing=8, homework="all", discomfort=0, sessions_attended=10),
    )
    advice = client.get(reverse("checkin_saved")).context["advice"]
    assert [shown.key for shown in advice] == [CLOSING_KEY]


def test_what_was_shown_is_kept_word_for_word_after_content_changes(client, client_a):
    checkin = submit_checkin(client=client_a, data=answers(discomfort=4))
    shown = ShownAdvice.objects.get(checkin=checkin, key="discomfort-with-therapist")
    original = shown.body
    Advice.objects.filter(key="discomfort-with-therapist").update(body="Rewritten later.")
    Advice.objects.filter(key="raise-it-with-your-therapist").delete()
    client.force_login(client_a)
    page = client.get(reverse("checkin_saved"))
    assert original in page.text
    assert "Rewritten later." not in page.text
    assert [s.key for s in page.context["advice"]][-1] == CLOSING_KEY


def test_an_edit_in_the_admin_shows_on_the_next_page_view(client, staff, client_a):
    client.force_login(staff)
    advice = Advice.objects.get(key="timeline-too-early")
    client.post(
        reverse("admin:guidance_advice_change", args=[advice.pk]),
        {
            "title_en": "Early days",
            "body_en": "Give it a few more weeks before you decide.",
            "title_es": "Es pronto",
            "body_es": "Dele unas semanas más antes de decidir.",
            "audience": advice.audience,
            "source": advice.source,
            "questions_en": "",
            "questions_es": "",
            "is_active": "on",
        },
    )
    # Each language is its own field on the admin's form.
    form = client.get(reverse("admin:guidance_advice_change", args=[advice.pk])).text
    assert 'name="title_en"' in form and 'name="title_es"' in form
    client.force_login(client_a)
    assert (
        "Give it a few more weeks before you decide." in client.get(reverse("advice_library")).text
    )
    submit_checkin(client=client_a, data=answers(sessions_attended=2, expectations=1))
    saved = client.get(reverse("checkin_saved"))
    assert saved.context["advice"][0].key == "timeline-too-early", "early on, timeline first"
    assert "Give it a few more weeks" in saved.text
    client_a.language = "es"
    client_a.save()
    assert "Dele unas semanas más antes de decidir." in client.get(reverse("advice_library")).text


def test_an_inactive_piece_is_never_shown(client_a):
    Advice.objects.filter(key="discomfort-with-therapist").update(is_active=False)
    checkin = submit_checkin(client=client_a, data=answers(discomfort=4))
    assert not checkin.shown_advice.filter(key="discomfort-with-therapist").exists()


def test_editing_the_check_in_replaces_the_weeks_advice(client_a):
    checkin = submit_checkin(client=client_a, data=answers(discomfort=4))
    assert checkin.shown_advice.filter(key="discomfort-with-therapist").exists()
    submit_checkin(client=client_a, data=answers(discomfort=0, homework="all", expectations=5))
    assert list(checkin.shown_advice.values_list("key", flat=True)) == [CLOSING_KEY]


def test_a_past_week_shows_what_was_shown_then(client, client_a):
    (past,) = checkin_history(client_a, [{"discomfort": 4}, None])
    client.force_login(client_a)
    page = client.get(reverse("checkin_week", args=[past.week_start.isoformat()]))
    assert "What you were shown that week" in page.text
    assert "feeling uneasy with your therapist 4 out of 4" in page.text


def test_the_library_shows_client_pieces_with_their_source(client, client_a):
    client.force_login(client_a)
    page = client.get(reverse("advice_library"))
    assert "From “Why Isn" in page.text
    assert "From “When Therapy Doesn" in page.text
    assert "A few sessions is too soon to judge" in page.text
    assert "Name the stall before the client does" not in page.text  # a therapist piece


def test_therapists_see_every_piece_with_its_questions(client, therapist):
    client.force_login(therapist)
    page = client.get(reverse("advice_library"))
    assert "Name the stall before the client does" in page.text
    assert "Questions to open the conversation" in page.text
