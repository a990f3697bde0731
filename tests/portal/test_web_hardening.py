"""What an attacker poking at the portal's edges gets: a message or a safe page,
never an error, a redirect to another site, a token in an address, or a
stranger's inbox written to in someone's name."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from portal.models import User
from tests.factories import PASSWORD, TherapistFactory, invitation_with_token

OVERLONG = "a" * (300 - len("@example.com")) + "@example.com"


@pytest.fixture
def newcomer(practice):
    """A therapist yet to set up two-factor sign-in: allauth lets only an account
    without it add an address."""
    return TherapistFactory(practice=practice, two_factor=False)


def add_email(http, email):
    return http.post(reverse("account_email"), {"action_add": "", "email": email})


# An overlong address -------------------------------------------------------


def test_an_overlong_extra_address_gets_a_message_and_is_not_stored(client, newcomer):
    client.force_login(newcomer)
    response = add_email(client, OVERLONG)
    assert response.status_code == 200
    assert "An email address can be at most 254 characters long." in response.text
    assert OVERLONG in response.text, "what was typed is kept"
    assert not EmailAddress.objects.filter(email=OVERLONG).exists()
    assert not mail.outbox


def test_an_overlong_address_on_sign_in_and_password_reset_is_only_refused(client, client_a):
    signed_in = client.post(reverse("account_login"), {"login": OVERLONG, "password": PASSWORD})
    assert signed_in.status_code == 200
    assert "_auth_user_id" not in client.session
    reset = client.post(reverse("account_reset_password"), {"email": OVERLONG})
    assert reset.status_code in (200, 302)
    assert not [m for m in mail.outbox if client_a.email in m.to]


# Where the language switcher sends you back to -----------------------------

NOT_A_LOCAL_PATH = [
    "https://evil.example/phish",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "garbage",
    "home",
    "/" + "x" * 3000,
    "/checkin/\x00",
    "/checkin/\r\nSet-Cookie: a=b",
]


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("next_url", NOT_A_LOCAL_PATH)
def test_the_language_switcher_falls_back_to_home_for_anything_but_a_local_path(
    client, client_a, signed_in, next_url
):
    if signed_in:
        client.force_login(client_a)
    response = client.post(reverse("language"), {"language": "es", "next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es", "the choice is saved"
    page = client.get(reverse("language"), {"next": next_url})
    assert page.status_code == 200
    assert page.context["form"]["next"].value() == ""


def test_the_language_switcher_returns_to_the_page_it_was_on(client, client_a):
    client.force_login(client_a)
    back = reverse("checkin_history") + "?page=2"
    response = client.post(reverse("language"), {"language": "es", "next": back})
    assert response.url == back


# The invitation token stays out of addresses -------------------------------


def test_the_invitation_link_moves_its_token_out_of_the_address(client, therapist):
    invitation, token = invitation_with_token(therapist=therapist, email="kai@example.com")
    response = client.get(reverse("accept_invitation", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("accept_invitation_form")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "kai@example.com" in page.text
    # Not in the page either: the language switcher sends the page's own address.
    assert token not in page.text
    accepted = client.post(
        reverse("accept_invitation_form"),
        {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/Madrid"},
    )
    assert accepted.status_code == 302
    assert User.objects.get(email="kai@example.com").is_client
    invitation.refresh_from_db()
    assert not invitation.is_pending


def test_the_form_page_without_the_link_accepts_nothing(client, pending_invitation):
    invitation, _ = pending_invitation
    page = client.get(reverse("accept_invitation_form"))
    assert page.status_code == 410
    assert "This invitation link is not valid" in page.text
    response = client.post(
        reverse("accept_invitation_form"),
        {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/Madrid"},
    )
    assert response.status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


# Extra addresses -----------------------------------------------------------


def test_a_client_cannot_have_the_portal_write_to_a_stranger(client, client_a):
    client.force_login(client_a)
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert client_a.email in page.text
    assert 'name="action_add"' not in page.text, "no form to add an address"
    response = add_email(client, "stranger@example.com")
    assert response.status_code == 302
    assert "ask your practice" in client.get(response.url).text
    assert not EmailAddress.objects.filter(email="stranger@example.com").exists()
    assert not mail.outbox


def test_the_confirmation_email_does_not_name_the_account_holder(client, newcomer):
    client.force_login(newcomer)
    assert 'name="action_add"' in client.get(reverse("account_email")).text
    response = add_email(client, "new.address@example.com")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new.address@example.com"]
    text = message.subject + message.body
    assert "/accounts/confirm-email/" in text
    for detail in (newcomer.first_name, newcomer.last_name, newcomer.email):
        assert detail not in text


# Response headers ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/no-such-page/"])
def test_browser_features_the_portal_never_uses_are_switched_off(client, db, path):
    policy = client.get(path).headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
