"""A new therapist's first sign-in, on a phone, in English and in Spanish: the
account an administrator made has a password nobody told them, so they choose
their own from the emailed link, sign in, set up their authenticator app, save
their recovery codes and land on their caseload, without being asked for the
password a second time."""

import re
import time

import pytest
from django.core import mail
from django.utils import translation

from portal.templatetags.two_factor import in_fours
from tests.browser.conftest import DESKTOP, PHONE, label, visit
from tests.factories import TherapistFactory, current_totp_code

pytestmark = pytest.mark.django_db(transaction=True)
TOTP_PERIOD = 30  # seconds, allauth's default
NEW_PASSWORD = "a-long-and-unusual-passphrase"


def words(language: str):
    def say(message: str) -> str:
        with translation.override(language):
            return translation.gettext(message)

    return say


@pytest.mark.parametrize(
    "language,device,size",
    [("en", PHONE, 390), ("es", PHONE, 390), ("en", DESKTOP, 1280), ("es", DESKTOP, 1280)],
)
def test_a_new_therapist_goes_from_the_emailed_link_to_their_caseload(
    new_page, practice, language, device, size
):
    say = words(language)
    therapist = TherapistFactory(practice=practice, two_factor=False, language=language)
    page = new_page({**device, "locale": "es-US" if language == "es" else "en-US"})
    name = f"first-sign-in-{language}-{size}"

    page.goto("/accounts/login/")
    page.get_by_role("link", name=say("Forgot your password?")).click()
    visit(page, f"{name}-1-ask-for-link")
    page.get_by_label(label(say("Email"))).fill(therapist.email)
    page.get_by_role("button", name=say("Email me a link")).click()
    page.get_by_role("heading", name=say("Check your email")).wait_for()
    visit(page, f"{name}-2-check-email")

    link = re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("heading", name=say("Choose your password")).wait_for()
    visit(page, f"{name}-3-choose-password")
    page.get_by_label(label(say("New password"))).fill(NEW_PASSWORD)
    page.get_by_label(label(say("New password again"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=say("Save password")).click()
    page.get_by_role("heading", name=say("Your password is changed")).wait_for()
    page.get_by_role("link", name=say("Sign in")).click()

    page.get_by_label(label(say("Email"))).fill(therapist.email)
    page.get_by_label(label(say("Password"))).fill(NEW_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.get_by_role("heading", name=say("Set up your authenticator app")).wait_for()
    text = page.inner_text("main")
    assert say("Confirm Access") not in page.content(), "no second password right after signing in"
    assert say("Please enter your password to continue") not in text
    secret = page.locator("[data-copy]").get_attribute("data-copy")
    assert len(secret) == 32
    assert in_fours(secret) in text, "the whole key, readable"
    alt = page.get_by_role("img", name=say("QR code for your authenticator app")).get_attribute(
        "alt"
    )
    assert secret not in alt.replace(" ", "")
    visit(page, f"{name}-4-authenticator")

    # A real browser cannot run on a frozen clock: if the code's 30-second
    # window is about to close, type the next one, as a person would.
    if time.time() % TOTP_PERIOD > TOTP_PERIOD - 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
    page.locator("input[name=code]").fill(current_totp_code(secret))
    page.get_by_role("button", name=say("Turn on two-factor sign-in")).click()

    page.get_by_role("heading", name=say("Save your recovery codes")).wait_for()
    codes = page.get_by_role("list", name=say("Your recovery codes")).get_by_role("listitem")
    assert codes.count() == 10
    assert page.get_by_role("link", name=say("Download the codes")).is_visible()
    visit(page, f"{name}-5-recovery-codes")
    page.get_by_role("link", name=say("Continue to your caseload")).click()
    page.wait_for_url("**/caseload/")
    visit(page, f"{name}-6-caseload")
    assert page.get_by_role("heading", level=1).first.is_visible()
