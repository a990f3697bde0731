import re

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from tests.factories import PASSWORD, current_totp_code


def test_sign_in_with_email_and_password(client, therapist):
    response = client.post(
        reverse("account_login"), {"login": therapist.email.upper(), "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate"), "therapists give a code too"
    with time_machine.travel(timezone.now(), tick=False):  # the code cannot expire meanwhile
        response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("caseload")


def test_wrong_password_is_refused_on_the_form(client, therapist):
    response = client.post(
        reverse("account_login"), {"login": therapist.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "not correct" in response.text
    assert response.context["form"]["login"].value() == therapist.email
    assert "_auth_user_id" not in client.session


def test_open_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "walk-in@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "Sign Up Closed" in response.text
    assert not User.objects.filter(email="walk-in@example.com").exists()


def test_password_reset_sends_a_working_link(client, client_a):
    response = client.post(reverse("account_reset_password"), {"email": client_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [client_a.email]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-long-passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.check_password(new_password)


def test_password_reset_for_an_unknown_email_looks_the_same(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")


def test_sign_out_ends_the_session(client, client_a):
    client.force_login(client_a)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("client_home")).status_code == 302


def test_the_sign_in_page_explains_the_way_in_is_an_invitation(client, db):
    page = client.get(reverse("account_login"))
    assert "Your therapist sends you an invitation" in page.text
    assert "sign up" not in page.text.lower()


def test_a_mail_outage_never_turns_a_password_reset_into_an_error_page(client, client_a, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    response = client.post(reverse("account_reset_password"), {"email": client_a.email})
    assert response.status_code == 302, "the same answer as when the email goes out"


def test_the_reset_email_looks_like_the_portals_own(client, client_a, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": client_a.email})
    (message,) = mailoutbox
    assert message.subject == "Set a new password for the Check-in portal"
    assert "Hello from" not in message.body and "testserver" not in message.body.split("\n")[0]
    assert "/accounts/password/reset/key/" in message.body


def test_after_a_reset_the_page_offers_to_sign_in(client):
    page = client.get(reverse("account_reset_password_from_key_done"))
    assert f'href="{reverse("account_login")}"' in page.text
