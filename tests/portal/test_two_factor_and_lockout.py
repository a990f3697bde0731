from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY as TOTP_SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins.services import submit_checkin
from portal.middleware import TWO_FACTOR_REQUIRED_MESSAGE
from tests.factories import (
    PASSWORD,
    ClientFactory,
    StaffFactory,
    TherapistFactory,
    answers,
    current_totp_code,
    post_invitation_form,
    sign_in,
)

WRONG = "definitely-not-the-password"


def test_a_therapist_without_two_factor_reaches_no_client_data(client, practice):
    therapist = TherapistFactory(practice=practice, two_factor=False)
    person = ClientFactory(therapist=therapist)
    submit_checkin(client=person, data=answers(to_raise="private words"))
    response = sign_in(client, therapist)
    assert response.status_code == 302
    for url in (
        reverse("caseload"),
        reverse("client_detail", args=[person.public_id]),
        reverse("session_prep", args=[person.public_id]),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp")
    page = client.get(reverse("caseload"), follow=True)
    assert TWO_FACTOR_REQUIRED_MESSAGE in page.text
    assert "private words" not in page.text
    # Setting it up: straight from signing in, a code from the new authenticator.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[TOTP_SESSION_KEY]
    with time_machine.travel(timezone.now(), tick=False):  # the code cannot expire meanwhile
        response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert "private words" in client.get(reverse("client_detail", args=[person.public_id])).text


def test_setting_up_two_factor_long_after_signing_in_asks_for_the_password_again(client, practice):
    therapist = TherapistFactory(practice=practice, two_factor=False)
    signed_in = timezone.now()
    with time_machine.travel(signed_in, tick=False):
        sign_in(client, therapist)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
    with time_machine.travel(signed_in + timedelta(minutes=6), tick=False):
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_staff_without_two_factor_cannot_open_the_admin(client, practice):
    staff = StaffFactory(practice=practice, two_factor=False)
    sign_in(client, staff)
    assert client.get("/admin/").url == reverse("mfa_activate_totp")


def test_the_admin_has_no_login_form_of_its_own(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_clients_may_use_two_factor_but_need_not(client, client_a):
    sign_in(client, client_a)
    assert client.get(reverse("client_home")).status_code == 200


def test_a_therapist_gives_a_code_after_the_password(client, therapist):
    response = client.post(
        reverse("account_login"), {"login": therapist.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("caseload")).status_code == 302, "not in until the code"
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("caseload")).status_code == 302
    with time_machine.travel(timezone.now(), tick=False):
        client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})
    assert client.get(reverse("caseload")).status_code == 200


def test_a_code_is_accepted_once_only(therapist):
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        code = current_totp_code()
        first, second = Client(), Client()
        sign_in(first, therapist, code=code)
        assert first.get(reverse("caseload")).status_code == 200
        sign_in(second, therapist, code=code)
        assert second.get(reverse("caseload")).status_code == 302, "a replayed code is refused"


def failed_attempt(http, email, password=WRONG):
    return http.post(reverse("account_login"), {"login": email, "password": password})


def test_unknown_email_and_wrong_password_get_the_same_message(client, client_a):
    unknown = failed_attempt(client, "nobody@example.com")
    wrong = failed_attempt(client, client_a.email)
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_failures_are_first_slowed_to_three_a_minute(client_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            failed_attempt(Client(REMOTE_ADDR="10.0.0.1"), client_a.email)
        slowed = failed_attempt(Client(REMOTE_ADDR="10.0.0.2"), client_a.email, PASSWORD)
        assert "Too many failed login attempts" in slowed.text
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert failed_attempt(Client(), client_a.email, PASSWORD).status_code == 302


def test_repeated_failures_lock_the_account_then_it_cools_off(client_a):
    start = timezone.now()
    for minute, tries in ((0, 3), (2, 2)):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            for _ in range(tries):
                failed_attempt(Client(REMOTE_ADDR="10.0.0.1"), client_a.email)
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        # Five failures: from another address, even the right password is refused now.
        locked = failed_attempt(Client(REMOTE_ADDR="10.0.0.2"), client_a.email, PASSWORD)
        assert locked.status_code == 200
        assert "Too many failed login attempts" in locked.text
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        http = Client(REMOTE_ADDR="10.0.0.2")
        assert failed_attempt(http, client_a.email, PASSWORD).status_code == 302
        assert http.get(reverse("client_home")).status_code == 200


def test_one_address_trying_many_accounts_is_locked_out(practice):
    people = [ClientFactory(practice=practice) for _ in range(11)]
    http = Client(REMOTE_ADDR="10.9.9.9")
    for person in people[:10]:
        failed_attempt(http, person.email)
    locked = failed_attempt(http, people[10].email, PASSWORD)
    assert "Too many failed login attempts" in locked.text


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short1234", False),  # under 10 characters
        ("password1234", False),  # common
        ("12345678901234", False),  # all digits
        ("a long passphrase that is easy to remember", True),
        ("x" * 1_000_000, False),  # hashing a megabyte ties up the server
    ],
)
def test_password_rules(client, pending_invitation, password, accepted):
    _, token = pending_invitation
    response = post_invitation_form(
        client, token, {"password1": password, "password2": password, "time_zone": "UTC"}
    )
    assert (response.status_code == 302) is accepted


def test_passwords_are_hashed_with_argon2(settings):
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_behind_a_proxy_one_persons_failures_do_not_lock_out_everyone(settings, practice):
    """The proxy's own address is the same for everyone; the limit counts the address
    the proxy says the request came from, as the access log does."""
    settings.TRUSTED_PROXY_COUNT = 1
    people = [ClientFactory(practice=practice) for _ in range(11)]

    def via_proxy(address):
        return Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=address)

    attacker = via_proxy("203.0.113.9")
    for person in people[:10]:
        failed_attempt(attacker, person.email)
    assert "Too many failed login attempts" in failed_attempt(attacker, people[10].email).text
    # Someone else behind the same proxy signs in as usual.
    assert failed_attempt(via_proxy("198.51.100.7"), people[10].email, PASSWORD).status_code == 302
    # A forged header in front of the proxy's own entry changes nothing.
    forged = via_proxy("198.51.100.99, 203.0.113.9")
    assert "Too many failed login attempts" in failed_attempt(forged, people[9].email).text


def test_removing_an_authenticator_app_is_noticed_on_the_next_request(client, therapist):
    """Whether a therapist has an authenticator app is kept in the cache between
    requests; removing it anywhere (here, as the admin would) drops that at once."""
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(therapist)
    assert client.get(reverse("caseload")).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(reverse("caseload")).status_code == 200
    assert not any("mfa_authenticator" in q["sql"] for q in again.captured_queries)
    Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).delete()
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
