"""The weekly check-in on a 390 px phone, in English and in Spanish: short enough
to answer in about two minutes, and answered in a handful of taps.

A tap is one click: each answer picked is one, an answer already filled in is
none, and the save button is one."""

import re

import pytest
from django.utils import translation

from checkins.models import CheckIn
from clinical.measures import GAD7, PHQ9, example_answers
from guidance.content import load_advice
from guidance.models import Advice
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, label, screenshot
from tests.factories import PASSWORD, ClientFactory, checkin_history

pytestmark = pytest.mark.django_db(transaction=True)
LOCALES = {"en": "en-US", "es": "es-US"}
# The page promises "about two minutes"; on a 844 px tall phone screen these are
# under two and a half screens, and under five with the questionnaires.
PLAIN_WEEK_MAX_PX = 2000
QUESTIONNAIRE_WEEK_MAX_PX = 4000
QUESTIONNAIRE_WEEK_MAX_TAPS = 35


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    """Put back the advice library a flush removed."""
    load_advice(Advice)


def say(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def client_in(language: str, therapist, *, questionnaires_last_week: bool):
    """A client six sessions in, who checked in last week; with the questionnaires
    answered last week, this week asks none of them."""
    person = ClientFactory(therapist=therapist, practice=therapist.practice, language=language)
    measures = (
        {
            PHQ9.key: {"answers": example_answers(PHQ9, 6)},
            GAD7.key: {"answers": example_answers(GAD7, 5)},
        }
        if questionnaires_last_week
        else {}
    )
    checkin_history(person, [{"sessions_attended": 6, "measures": measures}, None])
    return person


def open_checkin(new_page, person, language: str, device=PHONE):
    page = new_page({**device, "locale": LOCALES[language]})
    page.goto("/accounts/login/")
    page.get_by_label(label(say(language, "Email"))).fill(person.email)
    page.get_by_label(label(say(language, "Password"))).fill(PASSWORD)
    page.get_by_role("button", name=say(language, "Sign In")).click()
    page.wait_for_load_state("networkidle")
    page.goto("/checkin/")
    page.wait_for_load_state("networkidle")
    return page


def height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_week_without_questionnaires_fits_in_two_thousand_pixels(new_page, therapist, language):
    person = client_in(language, therapist, questionnaires_last_week=True)
    page = open_checkin(new_page, person, language)
    assert not page.locator(".questionnaire").count()
    screenshot(page, f"checkin-plain-phone-{language}")
    tall = height(page)
    print(f"plain week {language}: {tall}px")
    assert tall <= PLAIN_WEEK_MAX_PX, f"the check-in is {tall}px tall on a phone"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_questionnaire_week_fits_in_four_thousand_pixels(new_page, therapist, language):
    person = client_in(language, therapist, questionnaires_last_week=False)
    page = open_checkin(new_page, person, language)
    assert page.locator(".questionnaire").count() == 2
    check_accessibility(page)
    screenshot(page, f"checkin-questionnaires-phone-{language}")
    tall = height(page)
    print(f"questionnaire week {language}: {tall}px")
    assert tall <= QUESTIONNAIRE_WEEK_MAX_PX, f"the check-in is {tall}px tall on a phone"
    desktop = open_checkin(new_page, person, language, DESKTOP)
    screenshot(desktop, f"checkin-questionnaires-desktop-{language}")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_whole_questionnaire_week_is_answered_in_at_most_35_taps(new_page, therapist, language):
    person = client_in(language, therapist, questionnaires_last_week=False)
    page = open_checkin(new_page, person, language)
    taps = 0

    def tap(question: str, answer: str, within=page) -> None:
        nonlocal taps
        group = within.get_by_role("group", name=re.compile(re.escape(question)))
        choice = group.get_by_label(answer, exact=True)
        choice.click()
        taps += 1
        assert choice.is_checked(), f"{answer!r} to {question!r} did not take"

    total = page.get_by_label(
        label(say(language, "How many therapy sessions have you had so far, in total?"))
    )
    assert total.input_value() == "6", "last week's count is filled in, never retyped"
    tap(say(language, "How many sessions have you had since your last check-in?"), "1")
    assert total.input_value() == "7", "the total follows the sessions since"
    tap(say(language, "Therapy is meeting what I hoped for"), say(language, "3 — partly"))
    tap(say(language, "This week I felt uneasy with my therapist or dreaded going"), "1")
    tap(say(language, "The work to do between sessions"), say(language, "I did most of it"))
    tap(say(language, "How have you been this week, overall?"), "6")
    tap(say(language, "Did you feel worse after a session this week?"), "No")
    for instrument in (PHQ9, GAD7):
        worded = instrument.in_language(language)
        section = page.locator(f"#questionnaire-{instrument.key}")
        for number, item in enumerate(worded.items, start=1):
            # "Several days", but "Not at all" on the item about self-harm.
            option = worded.options[0 if number in worded.safety_items else 1]
            tap(f"{number}. {item}", option.label, section)
        tap(worded.follow_up, worded.follow_up_options[1].label, section)
    tap(say(language, "Are you in crisis or thinking about harming yourself right now?"), "No")
    page.get_by_role("button", name=say(language, "Save my check-in")).click()
    taps += 1
    page.get_by_role("heading", name=say(language, "Thank you, your check-in is saved")).wait_for()

    saved = CheckIn.objects.get(
        client=person, week_start__gt=CheckIn.objects.earliest("week_start").week_start
    )
    assert (saved.sessions_attended, saved.expectations, saved.wellbeing) == (7, 3, 6)
    assert {r.instrument: r.total for r in saved.measure_responses.all()} == {"phq9": 8, "gad7": 7}
    assert taps <= QUESTIONNAIRE_WEEK_MAX_TAPS, f"{taps} taps for a questionnaire week"
