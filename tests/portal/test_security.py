from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, checkin_history, sign_in


def test_strict_content_security_policy_without_inline_script(client, db):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.text, "no inline script on any page"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("who", ["client_a", "therapist"])
def test_pages_for_signed_in_people_are_never_cached(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("home"), follow=True)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_cookies_are_http_only(client, client_a):
    response = client.post(
        reverse("account_login"), {"login": client_a.email, "password": PASSWORD}
    )
    assert response.cookies["sessionid"]["httponly"]


def test_a_missing_page_shows_no_traceback(client, client_a, settings):
    settings.DEBUG = False
    client.force_login(client_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "Page not found" in response.text


def test_a_server_error_shows_no_traceback_or_data(client_a, settings, monkeypatch):
    settings.DEBUG = False
    from checkins import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret detail about a client")

    monkeypatch.setattr(views, "client_charts", explode)
    http = Client(raise_request_exception=False)
    http.force_login(client_a)
    response = http.get(reverse("checkin_history"))
    assert response.status_code == 500
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert "Something went wrong" in response.text


def test_security_txt_says_whom_to_tell(client, settings, db):
    settings.SECURITY_CONTACT = "security@practice.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Contact: mailto:security@practice.example" in response.text
    assert "Expires: " in response.text


@pytest.mark.parametrize(
    ("who", "idle_minutes", "still_in"),
    [
        ("therapist", 29, True),
        ("therapist", 31, False),
        ("staff", 31, False),
        ("lead", 31, False),
        ("client_a", 31, True),
        ("client_a", 61, False),
    ],
)
def test_idle_timeout(client, request, who, idle_minutes, still_in):
    person = request.getfixturevalue(who)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, person)
        assert client.get(reverse("home")).status_code == 302
    with time_machine.travel(start + timedelta(minutes=idle_minutes), tick=False):
        response = client.get(reverse("account_change_password"))
        assert (response.status_code == 200) is still_in
        if not still_in:
            assert response.url.startswith(reverse("account_login"))


def test_activity_keeps_the_session_alive_but_not_beyond_its_lifetime(client, therapist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, therapist)
    # Active every 20 minutes: never idle for 30.
    for step in range(1, 36):
        with time_machine.travel(start + timedelta(minutes=20 * step), tick=False):
            response = client.get(reverse("account_change_password"))
            if step * 20 <= 12 * 60:
                assert response.status_code == 200, step
            else:
                assert response.status_code == 302, "12 hours is the absolute limit"
                break


def old_cookie_is_dead(cookie_client) -> bool:
    return cookie_client.get(reverse("account_change_password")).status_code == 302


def test_sign_out_kills_the_old_cookie(client, client_a):
    client.post(reverse("account_login"), {"login": client_a.email, "password": PASSWORD})
    stolen = Client()
    stolen.cookies = client.cookies.__class__(client.cookies)
    assert not old_cookie_is_dead(stolen)
    client.post(reverse("account_logout"))
    assert old_cookie_is_dead(stolen)


def test_a_password_change_signs_out_every_other_session(client, client_a):
    other = Client()
    other.post(reverse("account_login"), {"login": client_a.email, "password": PASSWORD})
    client.post(reverse("account_login"), {"login": client_a.email, "password": PASSWORD})
    new = "an-entirely-new-passphrase"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert not old_cookie_is_dead(client), "the session that changed it stays in"
    assert old_cookie_is_dead(other)


def test_deactivating_an_account_ends_its_sessions(client, therapist):
    sign_in(client, therapist)
    assert not old_cookie_is_dead(client)
    therapist.is_active = False
    therapist.save()
    assert old_cookie_is_dead(client)


def test_sign_in_gives_a_new_session_key(client, client_a):
    session = client.session
    session["before_sign_in"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    client.post(reverse("account_login"), {"login": client_a.email, "password": PASSWORD})
    assert client.cookies["sessionid"].value != session.session_key
    assert client.session.get("_auth_user_id") == str(client_a.pk)


def test_after_a_timeout_a_get_comes_back_to_the_same_page(client, therapist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, therapist)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get(reverse("caseload") + "?show=flagged")
    assert response.url == reverse("account_login") + "?next=/caseload/%3Fshow%3Dflagged"


def test_after_a_timeout_a_form_post_comes_back_to_its_page_not_to_a_405(client, therapist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, therapist)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post(
            "/clients/00000000-0000-0000-0000-000000000000/flags/1/raise/",
            HTTP_REFERER="http://testserver/caseload/",
        )
    assert response.url == reverse("account_login") + "?next=http%3A//testserver/caseload/"


def test_times_show_in_the_persons_own_time_zone(client, client_a):
    from checkins.services import submit_checkin
    from tests.factories import answers

    client_a.time_zone = "Europe/Berlin"
    client_a.save()
    # 23:30 UTC on Sunday is already Monday 00:30 in Berlin.
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        submit_checkin(client=client_a, data=answers())
        client.force_login(client_a)
        page = client.get(reverse("client_home"))
    assert "You checked in on Monday, November 23" in page.text


def test_the_favicon_is_served_not_a_404(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(".svg")


def test_debug_is_off_unless_asked_for():
    """A newcomer on `make run` sees the portal's own pages, never Django's debug
    page that lists every URL; DEBUG=1 brings it back for those who want it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    def debug_with(env: dict) -> str:
        clean = {
            k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")
        }
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.conf import settings as s; print(s.DEBUG)",
            ],
            env={**clean, **env},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
        return result.stdout.strip().splitlines()[-1]

    assert debug_with({}) == "False"
    assert debug_with({"DEBUG": "1"}) == "True"


def test_pages_are_compressed_on_the_wire_with_random_padding(client, therapist, client_a):
    import gzip

    checkin_history(client_a, [{}, {"discomfort": 4}])
    client.force_login(therapist)
    plain = client.get(reverse("caseload"))
    sizes = set()
    for _ in range(3):
        packed = client.get(reverse("caseload"), HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        sizes.add(len(packed.content))
        page = gzip.decompress(packed.content).decode()
        assert client_a.display_name in page
    assert max(sizes) < len(plain.content) / 3
    # Each response is padded by a random amount, against the BREACH attack.
    assert len(sizes) > 1
