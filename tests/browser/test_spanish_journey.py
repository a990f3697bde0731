"""A Spanish-speaking client, end to end on a phone: invited in Spanish, signs
up, checks in, reads the advice and, in crisis, the help in Spanish.

The test reads every label through the Spanish catalogue, as the page does,
so it follows the wording and checks that each one is translated."""

import re

import pytest
from django.core import mail
from django.utils import translation

from clinical.measures import INSTRUMENTS
from guidance.content import load_advice
from guidance.content_es import ADVICE_ES
from guidance.models import Advice
from portal.models import User
from tests.browser.conftest import PHONE, label, visit
from tests.browser.test_journeys import sign_in
from tests.i18n.catalogue import english_in

pytestmark = pytest.mark.django_db(transaction=True)
SPANISH_PHONE = {**PHONE, "locale": "es-US"}


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    """Put back the advice library (in both languages) a flush removed."""
    load_advice(Advice)


def es(message: str, context: str | None = None) -> str:
    """`message` as the Spanish page shows it; fails if it is not translated."""
    with translation.override("es"):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    assert text != message, f"not translated: {message!r}"
    return text


def choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
        answer, exact=True
    ).check()


def fits_the_phone(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def test_a_spanish_speaking_client_joins_checks_in_and_finds_help_in_spanish(new_page, therapist):
    # The therapist reads English and invites the client in Spanish.
    desk = new_page()
    sign_in(desk, therapist)
    desk.get_by_role("link", name="Invite a client").first.click()
    desk.get_by_label(label("Client's email address")).fill("lucia@example.com")
    desk.get_by_label(label("First name")).fill("Lucía")
    desk.get_by_label(label("The client's language")).select_option("es")
    desk.get_by_role("button", name="Send invitation").click()
    desk.get_by_text("Invitation sent to lucia@example.com").wait_for()
    (invitation,) = mail.outbox
    assert not english_in(f"{invitation.subject}\n{invitation.body}"), "the email is in Spanish"

    # The client opens the link on a phone whose browser asks for Spanish.
    phone = new_page(SPANISH_PHONE)
    phone.goto(re.search(r"https?://\S+/invitation/\S+/", invitation.body).group(0))
    visit(phone, "accept-invitation-es")
    assert phone.locator("html").get_attribute("lang") == "es"
    assert phone.get_by_label(label(es("Your language"))).input_value() == "es"
    phone.get_by_label(label(es("Choose a password"))).fill("un río tranquilo en primavera")
    phone.get_by_label(label(es("Type the password again"))).fill("un río tranquilo en primavera")
    phone.get_by_role("button", name=es("Create my account")).click()
    phone.get_by_role("heading", name=re.compile("Lucía")).wait_for()
    assert User.objects.get(email="lucia@example.com").language == "es"
    fits_the_phone(phone)

    # The weekly check-in, in Spanish, with the questionnaires' Spanish wording.
    with translation.override("es"):
        start = translation.gettext("Start this week's check-in")
    phone.get_by_role("link", name=start).click()
    visit(phone, "checkin-phone-es")
    fits_the_phone(phone)
    phone.get_by_label(label(es("How many therapy sessions have you had so far, in total?"))).fill(
        "3"
    )
    choose(phone, es("Therapy is meeting what I hoped for"), es("3 — partly"))
    choose(phone, es("This week I felt uneasy with my therapist or dreaded going"), "1")
    phone.get_by_label(es("I did some of it")).check()
    choose(phone, es("How have you been this week, overall?"), "3")
    choose(phone, es("Did you feel worse after a session this week?"), "No")
    for instrument in INSTRUMENTS.values():
        spanish = instrument.in_language("es")
        if not phone.locator(f"#questionnaire-{spanish.key}").count():
            continue
        for number, item in enumerate(spanish.items, start=1):
            choose(phone, f"{number}. {item}", spanish.options[1].label)
    choose(
        phone,
        es("Are you in crisis or thinking about harming yourself right now?"),
        "Sí",
    )
    phone.get_by_role("button", name=es("Save my check-in")).click()

    # Help first, in Spanish, the Spanish line first, with tap-to-call and -text.
    phone.get_by_role("heading", name=es("Please get help now")).wait_for()
    visit(phone, "crisis-phone-es")
    help_box = phone.locator("#crisis-help")
    first_line = help_box.locator(".crisis-contacts > li").first
    assert "988 Lifeline en español" in first_line.inner_text()
    assert first_line.get_by_role("link").first.get_attribute("href") == "tel:988"
    texts = help_box.locator('a[href^="sms:988?&body=AYUDA"]')
    assert texts.count() == 1
    fits_the_phone(phone)

    # The advice is the Spanish library's, word for word.
    advice = phone.locator(".advice-list > li")
    assert advice.count() >= 1
    titles = {piece["title"] for piece in ADVICE_ES.values()}
    assert any(title in advice.first.inner_text() for title in titles)
