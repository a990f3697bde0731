"""On a phone, in English and in Spanish: a client answers that they are in crisis
on a form with another answer to fix. The help comes first, the therapist is told
at once, and everything they answered is still there to fix and send."""

import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from checkins.models import CheckIn, Flag, FlagKind, SafetyAlert
from checkins.safety import ALERT_SUBJECTS
from checkins.views import CRISIS_TOLD_FORM_NOT_SAVED
from clinical.measures import INSTRUMENTS
from guidance.content import load_advice
from guidance.models import Advice
from tests.browser.conftest import DESKTOP, PHONE, label, visit
from tests.factories import PASSWORD, ClientFactory, checkin_history

pytestmark = pytest.mark.django_db(transaction=True)
LOCALES = {"en": "en-US", "es": "es-US"}
# Looked at by eye after a change to the page: /tmp/safety-*.png.
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    """Put back the advice library a flush removed."""
    load_advice(Advice)


def words(language: str):
    """The page's wording in `language`; in Spanish, failing on any left in English."""

    def say(message: str) -> str:
        with translation.override(language):
            text = translation.gettext(message)
        if language != "en" and message not in ("No", "1", "2", "3", "4"):
            assert text != message, f"not translated: {message!r}"
        return text

    return say


def choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
        answer, exact=True
    ).check()


def chosen(page, question: str, answer: str) -> bool:
    return (
        page.get_by_role("group", name=re.compile(re.escape(question)))
        .get_by_label(answer, exact=True)
        .is_checked()
    )


def sign_in(page, user, say) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(label(say("Email"))).fill(user.email)
    page.get_by_label(label(say("Password"))).fill(PASSWORD)
    page.get_by_role("button", name=say("Sign In")).click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_crisis_answer_is_not_held_back_by_a_session_count_to_fix(new_page, therapist, language):
    say = words(language)
    person = ClientFactory(
        therapist=therapist, practice=therapist.practice, language=language, first_name="Zed"
    )
    checkin_history(person, [{"sessions_attended": 6}, None])  # six last week
    page = new_page({**PHONE, "locale": LOCALES[language]})
    sign_in(page, person, say)
    page.goto("/checkin/")

    sessions = page.get_by_label(
        label(say("How many therapy sessions have you had so far, in total?"))
    )
    sessions.fill("5")  # fewer than last week, and no reason given
    page.get_by_text(say("Something to write to your therapist? (optional)")).click()
    hoped = page.get_by_label(label(say("What did you hope to see from therapy? (optional)")))
    hoped.fill("Dormir mejor" if language == "es" else "Sleep better")
    radios = [
        (say("Therapy is meeting what I hoped for"), "2"),
        (say("This week I felt uneasy with my therapist or dreaded going"), "1"),
        (say("How have you been this week, overall?"), "3"),
        (say("Did you feel worse after a session this week?"), say("Yes")),
    ]
    for question, answer in radios:
        choose(page, question, answer)
    page.get_by_label(say("I did some of it")).check()
    page.get_by_label(say("Money")).check()
    questionnaire = []
    for instrument in INSTRUMENTS.values():
        worded = instrument.in_language(language)
        if not page.locator(f"#questionnaire-{worded.key}").count():
            continue
        for number, item in enumerate(worded.items, start=1):
            # Item 9 "Not at all": the crisis answer alone brings the help here.
            option = worded.options[0 if number in worded.safety_items else 1].label
            questionnaire.append((f"{number}. {item}", option))
            choose(page, f"{number}. {item}", option)
    assert questionnaire, "the first check-in asks the questionnaires"
    raise_box = page.get_by_label(
        label(say("Is there something you want to raise with your therapist? (optional)"))
    )
    raise_box.fill("Quiero hablar de mi hermana" if language == "es" else "My sister")
    crisis_question = say("Are you in crisis or thinking about harming yourself right now?")
    choose(page, crisis_question, say("Yes"))
    page.get_by_role("button", name=say("Save my check-in")).click()

    page.get_by_role("heading", name=say("Please get help now")).wait_for()
    visit(page, f"crisis-form-errors-{language}")
    # What the phone shows as the page opens, and the whole page.
    page.screenshot(path=str(SHOTS / f"safety-{language}-390.png"))
    page.screenshot(path=str(SHOTS / f"safety-{language}-390-full.png"), full_page=True)

    # The help first, above the errors and the form, and where the page opens.
    help_box = page.locator("#crisis-help")
    error = page.locator("#div_id_sessions_reason .invalid-feedback, #div_id_sessions_reason")
    assert help_box.bounding_box()["y"] < page.locator("#error-summary").bounding_box()["y"]
    assert help_box.bounding_box()["y"] < error.first.bounding_box()["y"]
    # Bounding boxes are in the viewport as it opened: the help's heading is on screen.
    assert 0 <= help_box.bounding_box()["y"] < 200, "the page opens at the help"
    assert help_box.get_by_role("link").first.get_attribute("href").startswith("tel:")
    assert help_box.locator('a[href^="sms:"]').count() >= 1
    assert say(CRISIS_TOLD_FORM_NOT_SAVED) in help_box.inner_text()
    message = say(
        "This is fewer sessions than you told us last week ({previous}). "
        "If that is right, please say why in this box."
    ).format(previous=6)
    assert page.locator("#div_id_sessions_reason").get_by_text(message).is_visible()
    width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(width) <= 0, "fits the phone"

    # The therapist is told now; nothing else is saved yet.
    flag = Flag.objects.active().get(client=person, kind=FlagKind.CRISIS)
    assert SafetyAlert.objects.filter(flag=flag).count() == 1
    assert [m.to for m in mail.outbox if m.subject in _subjects()] == [[therapist.email]]
    assert CheckIn.objects.filter(client=person).count() == 1, "last week's only"

    # Every answer is still there.
    assert sessions.input_value() == "5"
    assert hoped.input_value() in ("Dormir mejor", "Sleep better")
    assert raise_box.input_value() in ("Quiero hablar de mi hermana", "My sister")
    for question, answer in [*radios, *questionnaire, (crisis_question, say("Yes"))]:
        assert chosen(page, question, answer), f"{question}: {answer} no longer chosen"
    assert page.get_by_label(say("I did some of it")).is_checked()
    assert page.get_by_label(say("Money")).is_checked()

    page.set_viewport_size(DESKTOP["viewport"])
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"safety-{language}-1280.png"))

    # The client fixes the count and sends it: saved, and nobody told twice.
    page.get_by_label(label(say("Why is the number lower than last week? (only if it is)"))).fill(
        "Conté mal" if language == "es" else "I miscounted"
    )
    page.get_by_role("button", name=say("Save my check-in")).click()
    page.get_by_role("heading", name=say("Thank you, your check-in is saved")).wait_for()
    assert page.locator("#crisis-help").is_visible()
    assert CheckIn.objects.filter(client=person).count() == 2
    assert Flag.objects.filter(client=person, kind=FlagKind.CRISIS).count() == 1
    assert SafetyAlert.objects.filter(flag__client=person).count() == 1
    assert [m.to for m in mail.outbox if m.subject in _subjects()] == [[therapist.email]]


def _subjects() -> set[str]:
    """The alert subjects in every language the therapist might read them in."""
    found = set()
    for language in LOCALES:
        with translation.override(language):
            found |= {translation.gettext(subject) for subject in ALERT_SUBJECTS.values()}
    return found
