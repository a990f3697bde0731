"""What a page looks like, measured: heights, print pages, focus, overflow, stray 404s."""

import re

import pytest
from playwright.sync_api import expect

from checkins.models import CheckIn
from clinical.measures import GAD7, PHQ9, example_answers
from guidance.content import load_advice
from guidance.models import Advice
from tests.browser.conftest import PHONE, SCREENSHOTS, label, visit
from tests.browser.test_journeys import fill_checkin, sign_in
from tests.factories import ClientFactory, checkin_history

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    load_advice(Advice)


def a_year_with_flags(therapist):
    """52 weeks of check-ins ending in several trends worth raising."""
    person = ClientFactory(
        therapist=therapist, practice=therapist.practice, first_name="Lee", last_name="Year"
    )
    rows = [{"sessions_attended": 1 + i, "wellbeing": 7, "expectations": 4} for i in range(46)]
    rows += [
        {
            "sessions_attended": 47 + i,
            "wellbeing": 4 - i // 2,
            "expectations": 2,
            "discomfort": 3,
            "felt_worse_after_session": True,
            "homework": "not_done",
            "barrier_money": True,
            "to_raise": "I am not sure this is helping any more." if i == 5 else "",
        }
        for i in range(6)
    ]
    # Both questionnaires every other week, reliably worse by the end.
    for i, row in enumerate(rows):
        if i % 2 == 0:
            late = max(0, i - 45)
            row["measures"] = {
                PHQ9.key: {"answers": example_answers(PHQ9, 9 + 2 * late)},
                GAD7.key: {"answers": example_answers(GAD7, 7 + late)},
            }
    checkin_history(person, rows)
    return person


def test_a_year_of_history_fits_in_about_two_screens(new_page, therapist):
    person = a_year_with_flags(therapist)
    assert CheckIn.objects.filter(client=person).count() == 52
    page = new_page()
    sign_in(page, therapist)
    page.goto(f"/clients/{person.public_id}/")
    visit(page, "client-page-year")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2000, f"the client page is {height}px tall"
    assert page.locator(".history-table tbody tr").count() == 12
    page.get_by_role("link", name="Older weeks").click()
    assert page.locator(".history-table tbody tr").count() == 12


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_session_prep_prints_on_one_page(new_page, therapist, paper):
    person = a_year_with_flags(therapist)
    page = new_page()
    sign_in(page, therapist)
    page.goto(f"/clients/{person.public_id}/prep/")
    assert page.locator(".flag").count() >= 4, "a client with several flags"
    pdf = page.pdf(format=paper, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"session-prep-{paper}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"session prep prints on {pages} {paper} pages"


def test_after_a_rejected_check_in_focus_goes_to_the_error_summary(new_page, client_a):
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    page = new_page(PHONE)
    sign_in(page, client_a)
    page.goto("/checkin/")
    fill_checkin(
        page,
        sessions="5",
        expectations="3 — partly",
        discomfort="1",
        homework="I did some of it",
        wellbeing="6",
        worse="No",
        crisis="No",
    )
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_load_state("networkidle")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "error-summary", f"focus is on {focused!r}"
    summary = page.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name=re.compile("fewer sessions than you told us"))
    assert link.get_attribute("href") == "#div_id_sessions_reason"
    link.click()
    box = page.get_by_label(re.compile("Why is the number lower"))
    box.fill("I had to miss one")
    page.get_by_role("button", name="Save my check-in").click()
    page.get_by_text("Thank you, your check-in is saved").wait_for()


CLIENT_PAGES = [
    "/me/",
    "/checkin/",
    "/checkin/saved/",
    "/checkin/history/",
    "/checkin/reminders/",
    "/me/data/",
    "/advice/",
    "/accounts/password/change/",
]


def test_no_client_page_overflows_a_phone_and_nothing_404s(new_page, client_a):
    past, _ = checkin_history(client_a, [{"to_raise": "x" * 300}, {"barrier_life_events": True}])
    page = new_page(PHONE)
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, client_a)
    for path in [*CLIENT_PAGES, f"/checkin/week/{past.week_start.isoformat()}/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    assert missing == [], missing


def test_the_invitation_preselects_the_browsers_own_time_zone(browser, live_server, therapist):
    from tests.factories import invitation_with_token

    _, token = invitation_with_token(therapist=therapist)
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Europe/Madrid", bypass_csp=True, **PHONE
    )
    page = context.new_page()
    page.goto(f"/invitation/{token}/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_label(label("Your time zone")).input_value() == "Europe/Madrid"
    visit(page, "accept-invitation-phone")
    context.close()


def test_the_outcomes_page_fits_a_phone(new_page, lead, therapist):
    for _ in range(5):
        checkin_history(ClientFactory(practice=therapist.practice, therapist=therapist), [{}, {}])
    page = new_page(PHONE)
    sign_in(page, lead)
    page.goto("/outcomes/")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the outcomes page is {overflow}px wider than the phone"
    # The tables scroll sideways within their own box, the page does not.
    assert page.locator(".table-responsive").first.is_visible()
