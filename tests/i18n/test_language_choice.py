"""Each person reads the portal in their own language: chosen on the account,
preset from the browser, switchable before signing in."""

import pytest
from django.conf import settings
from django.urls import reverse

from portal.models import DEFAULT_CRISIS_CONTACTS, CrisisContact, User, crisis_contacts_for
from tests.factories import ClientFactory, PracticeFactory


def test_a_signed_out_visitor_gets_the_language_their_browser_asks_for(client, db):
    page = client.get(reverse("account_login"), headers={"accept-language": "es-US,es;q=0.9"})
    assert page.headers["Content-Language"] == "es"
    english = client.get(reverse("account_login"), headers={"accept-language": "en-US"})
    assert english.headers["Content-Language"] == "en"


def test_the_switcher_keeps_a_signed_out_visitor_s_choice_on_this_browser(client, db):
    response = client.post(
        reverse("language"), {"language": "es", "next": reverse("account_login")}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"]
    # The cookie beats the browser's own preference.
    page = client.get(reverse("account_login"), headers={"accept-language": "en-US"})
    assert page.headers["Content-Language"] == "es"


def test_the_switcher_never_sends_anyone_to_another_site(client, db):
    response = client.post(
        reverse("language"), {"language": "es", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_an_unknown_language_is_refused_on_the_form(client, db):
    response = client.post(reverse("language"), {"language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]


def test_signed_in_the_account_s_language_wins_over_the_browser(client, client_a):
    client_a.language = "es"
    client_a.save()
    client.force_login(client_a)
    page = client.get(reverse("client_home"), headers={"accept-language": "en-US"})
    assert page.headers["Content-Language"] == "es"
    assert '<html lang="es"' in page.text


def test_choosing_a_language_signed_in_saves_it_on_the_account(client, therapist):
    client.force_login(therapist)
    assert client.get(reverse("language")).status_code == 200
    response = client.post(reverse("language"), {"language": "es"})
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.language == "es"
    page = client.get(reverse("language"))
    assert page.headers["Content-Language"] == "es"


@pytest.mark.django_db
def test_spanish_readers_see_lines_that_answer_in_spanish_first():
    contacts = crisis_contacts_for(None, "es")
    assert contacts[0].language == "es"
    assert contacts[0].sms_href == "sms:988?&body=AYUDA"
    english = crisis_contacts_for(None, "en")
    assert english[0].language == "en"
    # Every line is still there, in either order.
    assert len(contacts) == len(english) == len(DEFAULT_CRISIS_CONTACTS)


@pytest.mark.django_db
def test_a_practice_s_own_lines_keep_their_order_within_each_language():
    practice = PracticeFactory()
    for position, (name, language) in enumerate(
        [("Local line", "en"), ("Línea local", "es"), ("911", ""), ("Text line", "en")]
    ):
        CrisisContact.objects.create(
            practice=practice, name=name, call_number="988", language=language, position=position
        )
    names = [c.name for c in crisis_contacts_for(practice, "es")]
    assert names == ["Línea local", "911", "Local line", "Text line"]


def test_a_new_account_starts_in_english_unless_told_otherwise(db):
    assert ClientFactory().language == "en"
    assert User._meta.get_field("language").choices == settings.LANGUAGES


@pytest.mark.django_db
def test_the_short_list_of_crisis_links_names_each_number_once_in_the_reader_s_language():
    from portal.models import quick_links

    spanish = quick_links(crisis_contacts_for(None, "es"))
    hrefs = [contact.tel_href if kind == "call" else contact.sms_href for kind, contact in spanish]
    assert hrefs == ["tel:988", "sms:988?&body=AYUDA", "tel:911"]
    english = quick_links(crisis_contacts_for(None, "en"))
    hrefs = [contact.tel_href if kind == "call" else contact.sms_href for kind, contact in english]
    assert hrefs == ["tel:988", "sms:988", "tel:911"]


def test_signing_in_greets_a_spanish_reader_in_spanish(client, client_a):
    from tests.factories import sign_in

    client_a.language = "es"
    client_a.save()
    response = sign_in(client, client_a)
    page = client.get(response.url, headers={"accept-language": "en-US"}, follow=True)
    greeting = [str(m) for m in page.context["messages"]]
    assert greeting and all("Successfully" not in m for m in greeting), greeting
