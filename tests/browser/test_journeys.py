"""What people do in the portal, done in a real browser as they would do it."""

import csv
import json
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from checkins.models import CheckIn, Flag, FlagKind, FlagStatus
from checkins.tasks import enqueue_due_notifications
from clinical.measures import INSTRUMENTS, PHQ9, example_answers
from guidance.content import load_advice
from guidance.models import Advice
from portal.models import User
from tests.browser.conftest import PHONE, SCREENSHOTS, label, visit
from tests.factories import (
    PASSWORD,
    ClientFactory,
    TherapistFactory,
    checkin_history,
    current_totp_code,
)

pytestmark = pytest.mark.django_db(transaction=True)
TOTP_PERIOD = 30  # seconds, allauth's default


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    """Transactional tests flush the database after them, the advice library the
    data migration loaded included; put it back as the migration does."""
    load_advice(Advice)


def sign_in(page, user, password=PASSWORD):
    page.goto("/accounts/login/")
    visit(page, "sign-in")
    page.get_by_label(label("Email")).fill(user.email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    if "/2fa/authenticate/" in page.url:
        visit(page, "two-factor-code")
        # A real browser cannot run on a frozen clock: if the code's 30-second
        # window is about to close, type the next one, as a person would.
        if time.time() % TOTP_PERIOD > TOTP_PERIOD - 3:
            time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
        page.get_by_label(label("Code")).fill(current_totp_code())
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state("networkidle")


def choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
        answer, exact=True
    ).check()


def answer_questionnaires(page, answers: dict[str, list[str]] | None = None) -> None:
    """Answer each questionnaire on the page item by item, by the item's printed
    words; items not given in `answers` (instrument key: one answer per item) are
    answered "Not at all"."""
    for instrument in INSTRUMENTS.values():
        if not page.locator(f"#questionnaire-{instrument.key}").count():
            continue
        given = (answers or {}).get(instrument.key, [])
        for number, item in enumerate(instrument.items, start=1):
            answer = given[number - 1] if number <= len(given) else "Not at all"
            choose(page, f"{number}. {item}", answer)


def fill_checkin(
    page, *, sessions, expectations, discomfort, homework, wellbeing, worse, crisis, scores=None
) -> None:
    """Answer the check-in's questions by their visible labels, as a person would."""
    page.get_by_label(label("How many therapy sessions have you had so far, in total?")).fill(
        sessions
    )
    choose(page, "Therapy is meeting what I hoped for", expectations)
    choose(page, "uneasy with my therapist", discomfort)
    page.get_by_label(homework).check()
    choose(page, "How have you been this week", wellbeing)
    choose(page, "feel worse after a session", worse)
    answer_questionnaires(page, scores)
    choose(page, "in crisis", crisis)


def test_therapist_invites_and_the_client_joins_from_the_email(new_page, therapist):
    page = new_page()
    sign_in(page, therapist)
    visit(page, "dashboard-empty")
    page.get_by_role("link", name="Invite a client").first.click()
    visit(page, "invite")
    page.get_by_label(label("Client's email address")).fill("robin@example.com")
    page.get_by_label(label("First name")).fill("Robin")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to robin@example.com").wait_for()
    assert page.get_by_text("robin@example.com").count() >= 1

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    client_page = new_page(PHONE)
    client_page.goto(link)
    # The token is kept in the session: the page's own address does not hold it.
    assert client_page.url.endswith("/invitation/set-password/")
    visit(client_page, "accept-invitation")
    client_page.get_by_label(label("Choose a password")).fill("a calm river in spring")
    client_page.get_by_label(label("Type the password again")).fill("a calm river in spring")
    client_page.get_by_role("button", name="Create my account").click()
    client_page.get_by_role("heading", name="Hello, Robin").wait_for()
    visit(client_page, "client-home")
    assert client_page.get_by_text(f"Your therapist is {therapist.display_name}").is_visible()
    assert User.objects.get(email="robin@example.com").current_therapist() == therapist


def test_client_fixes_a_mistake_on_a_phone_and_reads_the_advice(new_page, client_a):
    checkin_history(client_a, [{"sessions_attended": 6}, None])
    page = new_page(PHONE)
    sign_in(page, client_a)
    page.get_by_role("link", name="Start this week's check-in").click()
    visit(page, "checkin-phone")
    page.get_by_label(label("How many therapy sessions have you had so far, in total?")).fill("5")
    choose(page, "Therapy is meeting what I hoped for", "2")
    choose(page, "uneasy with my therapist", "1")
    page.get_by_label("I did some of it").check()
    choose(page, "How have you been this week", "4")
    choose(page, "feel worse after a session", "No")
    page.get_by_label("Money").check()
    answer_questionnaires(page)
    # The text boxes are optional, behind one line the client opens.
    page.get_by_text("Something to write to your therapist? (optional)").click()
    raise_box = page.get_by_label(re.compile("something you want to raise"))
    raise_box.fill("I want to talk about my sister")
    choose(page, "in crisis", "No")
    page.get_by_role("button", name="Save my check-in").click()

    page.get_by_text("Some answers need another look").wait_for()
    visit(page, "checkin-phone-error")
    message = "This is fewer sessions than you told us last week (6)."
    assert page.locator("#div_id_sessions_reason").get_by_text(message).is_visible()
    assert page.locator("#error-summary").get_by_text(message).is_visible()
    assert raise_box.input_value() == "I want to talk about my sister", "nothing typed is lost"
    assert page.get_by_label("Money").is_checked()
    page.get_by_label(re.compile("Why is the number lower")).fill("I miscounted last week")
    page.get_by_role("button", name="Save my check-in").click()

    page.get_by_role("heading", name="Thank you, your check-in is saved").wait_for()
    visit(page, "advice-phone")
    advice = page.locator(".advice-list > li")
    assert 2 <= advice.count() <= 5
    assert "A few sessions is too soon to judge" in advice.first.inner_text()
    assert "Bring it to your next session" in advice.last.inner_text()
    assert CheckIn.objects.filter(client=client_a).count() == 2


def test_the_check_in_can_be_completed_with_the_keyboard_alone(new_page, client_a):
    page = new_page(PHONE)
    sign_in(page, client_a)
    page.goto("/checkin/")

    def tab_to(name: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == name:
                return
        raise AssertionError(f"could not reach {name} with Tab")

    def pick(name: str, steps: int) -> None:
        tab_to(name)
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")

    tab_to("sessions_attended")
    page.keyboard.type("3")
    pick("expectations", 3)  # 4 of 5
    pick("discomfort", 0)
    pick("homework", 4)  # all of it
    pick("wellbeing", 7)
    pick("felt_worse_after_session", 1)  # No
    for instrument in INSTRUMENTS.values():
        for number in range(1, len(instrument.items) + 1):
            # "Several days", but "Not at all" on the item about self-harm.
            pick(f"{instrument.key}_{number}", 0 if number in instrument.safety_items else 1)
    # The optional text boxes open from the line that sums them up.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    page.keyboard.press("Enter")
    tab_to("to_raise")
    page.keyboard.type("Typed without a mouse")
    pick("in_crisis", 1)  # No
    tab_to("submit")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you, your check-in is saved").wait_for()
    saved = CheckIn.objects.get(client=client_a)
    assert (saved.sessions_attended, saved.expectations, saved.homework) == (3, 4, "all")
    assert (saved.wellbeing, saved.to_raise, saved.in_crisis) == (7, "Typed without a mouse", False)
    totals = {r.instrument: r.total for r in saved.measure_responses.all()}
    assert totals == {"phq9": 8, "gad7": 7}, "every questionnaire item reached by keyboard"


def test_therapist_reads_a_flag_raises_it_and_the_dashboard_updates(new_page, therapist):
    calm = ClientFactory(therapist=therapist, first_name="Casey", last_name="Calm")
    checkin_history(calm, [{"discomfort": 0, "homework": "all", "expectations": 4}] * 4)
    uneasy = ClientFactory(therapist=therapist, first_name="Sam", last_name="Uneasy")
    checkin_history(
        uneasy, [{"discomfort": 0}, {"discomfort": 1}, {"discomfort": 3}, {"discomfort": 4}]
    )

    page = new_page()
    sign_in(page, therapist)
    visit(page, "dashboard")
    rows = page.locator(".dashboard-row")
    assert "Sam Uneasy" in rows.first.inner_text()
    assert "Discomfort with the therapist" in rows.first.inner_text()
    assert "Discomfort with you rated 4/4 for 2 check-ins in a row." in rows.first.inner_text()

    page.get_by_role("link", name="Sam Uneasy").click()
    visit(page, "client-page")
    assert page.get_by_role(
        "heading", name=re.compile("Discomfort with the therapist")
    ).is_visible()
    page.get_by_text("Rising discomfort: explore the relationship").click()
    assert page.get_by_text("How has it felt to come here lately?").is_visible()
    page.get_by_text("Raised it in session, or dismiss it").click()
    form = page.get_by_role("form", name=re.compile("Mark Discomfort with the therapist as raised"))
    form.get_by_label(label("Short note")).fill("Talked about how sessions end")
    form.get_by_role("button", name="Mark as raised").click()
    page.get_by_text("marked as raised in session").wait_for()
    assert Flag.objects.get(client=uneasy, kind=FlagKind.DISCOMFORT).status == FlagStatus.RAISED

    page.get_by_role("link", name="Session prep (printable)").click()
    visit(page, "session-prep")
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name="Flagged").click()
    visit(page, "dashboard-flagged")
    assert page.locator(".dashboard-row").count() == 0


def test_a_crisis_answer_shows_help_at_once_and_tops_the_dashboard(new_page, therapist):
    therapist.practice.on_call_email = "oncall@example.org"
    therapist.practice.save()
    practice = therapist.practice
    steady = ClientFactory(
        therapist=therapist, practice=practice, first_name="Avery", last_name="Steady"
    )
    checkin_history(steady, [{"discomfort": 4}, {"discomfort": 4}])
    person = ClientFactory(
        therapist=therapist, practice=practice, first_name="Zed", last_name="Crisis"
    )
    page = new_page(PHONE)
    sign_in(page, person)
    page.goto("/checkin/")
    fill_checkin(
        page,
        sessions="2",
        expectations="1 — not at all",
        discomfort="0 — not at all",
        homework="No homework was set",
        wellbeing="1",
        worse="Yes",
        crisis="Yes",
    )
    page.get_by_role("button", name="Save my check-in").click()
    page.get_by_role("heading", name="Please get help now").wait_for()
    visit(page, "crisis-help")
    help_box = page.locator("#crisis-help")
    assert help_box.get_by_role("link", name="Call 988").first.get_attribute("href") == "tel:988"
    assert help_box.get_by_role("link", name="Text 988").get_attribute("href") == "sms:988"
    assert help_box.get_by_role("link", name="Call 911").get_attribute("href") == "tel:911"
    advice = page.locator(".advice-list h3").all_inner_texts()
    assert advice == ["Telling someone was the right thing to do"], "no unrelated advice"
    body = page.locator("main").inner_text().lower()
    assert "too soon to judge" not in body and "a little longer" not in body

    therapist_page = new_page()
    sign_in(therapist_page, therapist)
    first = therapist_page.locator(".dashboard-row").first
    assert "Zed Crisis" in first.inner_text()
    assert "Needs attention now" in first.inner_text()
    visit(therapist_page, "dashboard-crisis")
    first.get_by_role("link", name="Zed Crisis").click()
    crisis = therapist_page.locator('article[data-kind="crisis"]')
    assert "No action recorded yet" in crisis.inner_text()
    contact = crisis.get_by_role("form", name="Contacted the client")
    contact.get_by_label("How").select_option("phone")
    contact.get_by_label("Note (optional)").fill("Called; safe with her sister tonight")
    contact.get_by_role("button", name="Record: contacted the client").click()
    therapist_page.get_by_text("Recorded: contacted the client.").wait_for()
    crisis = therapist_page.locator('article[data-kind="crisis"]')
    assert "Called; safe with her sister tonight" in crisis.inner_text()
    visit(therapist_page, "crisis-flag-contacted")

    # A second client's crisis answer that nobody acts on escalates once to the
    # practice's on-call contact, on a frozen clock.
    second = ClientFactory(
        therapist=therapist, practice=practice, first_name="Yara", last_name="Quiet"
    )
    checkin_history(second, [{"in_crisis": True}])
    answered = Flag.objects.get(client=second, kind=FlagKind.CRISIS).opened_at
    mail.outbox.clear()
    hours = timedelta(hours=settings.CRISIS_ESCALATION_HOURS)
    for later in (hours - timedelta(minutes=1), hours + timedelta(minutes=1), hours * 2):
        with time_machine.travel(answered + later, tick=False):
            enqueue_due_notifications()
    escalations = [m for m in mail.outbox if m.to == ["oncall@example.org"]]
    assert len(escalations) == 1
    assert "Yara" not in escalations[0].body
    assert (
        not Flag.objects.get(client=person, kind=FlagKind.CRISIS)
        .alerts.filter(kind="escalation")
        .exists()
    ), "the crisis someone acted on is not escalated"
    therapist_page.goto(f"/clients/{second.public_id}/")
    assert (
        "Escalation to the on-call contact: sent"
        in therapist_page.locator('article[data-kind="crisis"]').inner_text()
    )


def test_a_client_downloads_their_data(new_page, client_a):
    checkin_history(client_a, [{"to_raise": "Notes for my records"}])
    page = new_page(PHONE)
    sign_in(page, client_a)
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My data").click()
    visit(page, "my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    data = json.loads(download.value.path().read_text())
    assert data["account"]["email"] == client_a.email
    assert data["checkins"][0]["to_raise"] == "Notes for my records"


def test_item_9_on_a_phone_brings_crisis_help_and_tops_the_dashboard(new_page, therapist):
    practice = therapist.practice
    worse = ClientFactory(
        therapist=therapist, practice=practice, first_name="Avery", last_name="Worse"
    )
    phq9 = {"answers": example_answers(PHQ9, 7)}
    checkin_history(
        worse,
        [
            {"measures": {PHQ9.key: phq9}},
            None,
            {"measures": {PHQ9.key: {"answers": example_answers(PHQ9, 15)}}},
            None,
        ],
    )
    person = ClientFactory(
        therapist=therapist, practice=practice, first_name="Zed", last_name="Nine"
    )
    page = new_page(PHONE)
    sign_in(page, person)
    page.goto("/checkin/")
    visit(page, "questionnaire-phone")
    fill_checkin(
        page,
        sessions="3",
        expectations="3 — partly",
        discomfort="0 — not at all",
        homework="I did some of it",
        wellbeing="4",
        worse="No",
        crisis="No",
        scores={PHQ9.key: ["Several days"] * 8 + ["More than half the days"]},
    )
    page.get_by_role("button", name="Save my check-in").click()
    page.get_by_role("heading", name="Please get help now").wait_for()
    help_box = page.locator("#crisis-help")
    assert help_box.get_by_role("link", name="Call 988").first.get_attribute("href") == "tel:988"
    assert CheckIn.objects.get(client=person).in_crisis is False, "item 9 alone brought the help"

    therapist_page = new_page()
    sign_in(therapist_page, therapist)
    rows = therapist_page.locator(".dashboard-row")
    top = rows.first.inner_text()
    assert "Zed Nine" in top and "Needs attention now" in top
    assert "“More than half the days” to PHQ-9 item 9" in top
    worse_row = rows.filter(has_text="Avery Worse").inner_text()
    assert "Questionnaire scores reliably worse" in worse_row
    assert "PHQ-9 15" in worse_row and "▲ Reliable deterioration" in worse_row
    visit(therapist_page, "dashboard-questionnaires")
    therapist_page.get_by_role("link", name="Avery Worse").click()
    # The chart says in words what it draws, for a screen reader.
    therapist_page.get_by_role(
        "img", name=re.compile(r"PHQ-9 .*cut-off is 10.*first score of 7 is reliable")
    ).wait_for()
    visit(therapist_page, "client-page-questionnaires")
    therapist_page.locator(".measure-chart").first.screenshot(
        path=str(SCREENSHOTS / "measure-chart.png")
    )
    assert "cut-off 10" in therapist_page.locator(".measure-chart").first.inner_text()


def test_the_agenda_loop_from_the_clients_phone_to_the_therapists_desk(new_page, therapist):
    person = ClientFactory(
        therapist=therapist, practice=therapist.practice, first_name="Sam", last_name="Agenda"
    )
    checkin_history(person, [{"discomfort": 4}, {"discomfort": 4}, None])
    trend = "Your check-ins suggest sessions have felt uncomfortable lately."

    phone = new_page(PHONE)
    sign_in(phone, person)
    suggestions = phone.locator(".agenda-suggestions li").filter(has_text=trend)
    suggestions.get_by_role("button", name="Add to my agenda").click()
    phone.get_by_label(label("Something to talk about at your next session")).fill(
        "Whether weekly sessions are too much"
    )
    phone.locator(".agenda-add").get_by_role("button", name="Add to my agenda").click()
    items = phone.locator(".agenda-items li")
    assert items.count() == 2
    assert trend in items.nth(0).inner_text()
    items.nth(1).get_by_role("button", name=re.compile("up$")).click()
    assert "Whether weekly sessions" in phone.locator(".agenda-items li").first.inner_text()
    visit(phone, "agenda-phone")
    phone.locator("#agenda").screenshot(path=str(SCREENSHOTS / "agenda-phone.png"))
    phone.get_by_role("link", name="Read this first").click()
    phone.get_by_role("heading", name="Thinking about stopping or changing therapy?").wait_for()
    visit(phone, "thinking-of-stopping-phone")

    desk = new_page()
    sign_in(desk, therapist)
    desk.goto(f"/clients/{person.public_id}/prep/")
    agenda = desk.locator(".agenda-therapist .agenda-items > li")
    assert "Whether weekly sessions are too much" in agenda.nth(0).inner_text()
    assert trend in agenda.nth(1).inner_text()
    assert "relates to: discomfort with the therapist" in agenda.nth(1).inner_text()
    visit(desk, "session-prep-agenda")
    agenda.nth(1).get_by_role("button", name="Talked about").click()
    desk.get_by_text("Marked as talked about.").wait_for()
    assert (
        "Raised in session"
        in Flag.objects.get(client=person, kind="discomfort").get_status_display()
    )

    with time_machine.travel(timezone.now() + timedelta(weeks=1)):
        # A week on, both have been signed out for being idle, as they would be.
        sign_in(phone, person)
        phone.goto("/checkin/")
        fill_checkin(
            phone,
            sessions="6",
            expectations="3 — partly",
            discomfort="4 — very much",
            homework="I did some of it",
            wellbeing="5",
            worse="No",
            crisis="No",
        )
        choose(phone, "How did that conversation go?", "Not really")
        visit(phone, "checkin-last-session-phone")
        phone.get_by_role("button", name="Save my check-in").click()
        phone.get_by_role("heading", name="Thank you, your check-in is saved").wait_for()

        sign_in(desk, therapist)
        row = desk.locator(".dashboard-row").filter(has_text="Sam Agenda").inner_text()
        assert "Discomfort with the therapist" in row
        assert "After talking about it in session, the client said: “Not really”." in row
        visit(desk, "dashboard-agenda")


def test_a_clinical_lead_reads_the_outcomes_filters_to_one_therapist_and_downloads_them(
    new_page, therapist, other_therapist, lead
):
    """Twelve clients with a month of check-ins: six with one therapist, one with
    another (held back), five with a third (held back with them)."""
    third = TherapistFactory(practice=therapist.practice)
    for n in range(12):
        who = therapist if n < 6 else other_therapist if n == 6 else third
        person = ClientFactory(practice=therapist.practice, therapist=who)
        scores = {"measures": {PHQ9.key: {"answers": example_answers(PHQ9, 16 - n)}}}
        checkin_history(person, [scores, {}, {}, scores])
    page = new_page()
    sign_in(page, lead)  # with the two-factor code
    page.get_by_role("heading", name="Practice outcomes").wait_for()
    visit(page, "practice-outcomes")
    caseload = page.locator('[data-figure="active_clients"]')
    assert caseload.inner_text() == "10", "twelve clients, rounded to the nearest 5"

    page.get_by_label("Therapist", exact=True).select_option(label=other_therapist.display_name)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-figure="active_clients"]').inner_text() == "fewer than 5"
    page.get_by_label("Therapist", exact=True).select_option(label=therapist.display_name)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-figure="active_clients"]').inner_text() == "5"  # six, rounded
    visit(page, "practice-outcomes-one-therapist")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(download.value.path().read_text().splitlines()))
    assert {row["therapist"] for row in rows} == {"Whole practice", therapist.display_name}
    (active,) = [
        row
        for row in rows
        if row["therapist"] == therapist.display_name and row["figure_key"] == "active_clients"
    ]
    assert (active["value"], active["held_back"]) == ("5", "no"), "six, rounded, as on the page"
    assert download.value.suggested_filename.startswith("outcomes-")
