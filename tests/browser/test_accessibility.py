"""Every therapist and lead page, on a phone and a desktop: no serious or
critical axe finding, every sideways-scrolling box reachable by keyboard, and
the admin's user pages within the content-security policy."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from checkins.models import Flag, FlagKind, FlagStatus
from checkins.services import submit_checkin
from clinical.measures import GAD7, PHQ9, example_answers
from clinical.vocabulary import Severity
from guidance.content import load_advice
from guidance.models import Advice
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility
from tests.factories import ClientFactory, StaffFactory, answers, checkin_history

pytestmark = pytest.mark.django_db(transaction=True)

# Elements that scroll sideways and that the keyboard cannot reach.
UNREACHABLE_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(el => {
  const style = getComputedStyle(el);
  return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth
    && el.tabIndex < 0;
}).map(el => el.className || el.tagName)"""


@pytest.fixture(autouse=True)
def advice_library(transactional_db):
    load_advice(Advice)


def signed_in(new_page, live_server, user, device):
    http = Client()
    http.force_login(user)
    page = new_page(device)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page


def a_client_with_everything(therapist):
    """Questionnaire charts, a handled flag, a crisis and an item-9 flag."""
    person = ClientFactory(therapist=therapist, practice=therapist.practice)
    rows = [
        {
            "wellbeing": 7 - i // 2,
            "to_raise": "The breathing exercise feels pointless." if i == 5 else "",
            "measures": {
                PHQ9.key: {"answers": example_answers(PHQ9, 6 + 2 * i)},
                GAD7.key: {"answers": example_answers(GAD7, 5 + i)},
            },
        }
        for i in range(6)
    ]
    checkin_history(person, rows)
    submit_checkin(client=person, data=answers(in_crisis=True))
    Flag.objects.get_or_create(
        client=person,
        kind=FlagKind.SAFETY_ITEM,
        closed_at=None,
        defaults={"severity": max(Severity.values), "score": 1, "summary": "Item 9"},
    )
    Flag.objects.create(
        client=person,
        kind=FlagKind.HOMEWORK_FALLING,
        severity=Severity.LOW,
        score=1,
        summary="Homework done fell.",
        status=FlagStatus.DISMISSED,
        handled_by=therapist,
        note="Agreed a lighter plan.",
    )
    return person


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_therapist_and_lead_pages_pass_axe_and_scroll_by_keyboard(
    new_page, live_server, therapist, lead, device
):
    person = a_client_with_everything(therapist)
    pages = {
        therapist: [
            reverse("caseload"),
            reverse("client_detail", args=[person.public_id]),
            reverse("session_prep", args=[person.public_id]),
            reverse("invite_client"),
            reverse("digest_settings"),
        ],
        lead: [reverse("practice_outcomes")],
    }
    for user, urls in pages.items():
        page = signed_in(new_page, live_server, user, device)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.url.endswith(url), f"{url} led to {page.url}"
            check_accessibility(page)
            assert page.evaluate(UNREACHABLE_SCROLLERS) == [], url


def test_the_admins_user_pages_keep_within_the_content_security_policy(
    browser, live_server, therapist, client_a, practice
):
    staff = StaffFactory(practice=practice)
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = Flag.objects.get(client=client_a, kind=FlagKind.CRISIS)
    http = Client()
    http.force_login(staff)
    # No bypass here: the browser enforces the policy as a visitor's would.
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.log('Content Security: ' + e.violatedDirective))"
    )
    for url in (
        reverse("admin:portal_user_change", args=[client_a.pk]),
        reverse("admin:portal_user_change", args=[therapist.pk]),
        reverse("admin:portal_user_history", args=[client_a.pk]),
        reverse("admin:checkins_flag_history", args=[flag.pk]),
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    context.close()
    assert refused == []
