"""Erasure leaves nothing of the person behind: not in any table, not in a
session, not in the cache, and every browser they were signed in on is signed out."""

from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins.agenda import add_item
from checkins.dashboard import caseload_rows, row_cache_key
from checkins.data_rights import erase_due, request_deletion
from portal.models import User
from tests.factories import (
    ClientFactory,
    checkin_history,
    invitation_with_token,
    post_invitation_form,
    sign_in,
)

FIRST_NAME = "Wilhelmina"
LAST_NAME = "Quartermaine"
PHONE = "+1 555 0173"
WORDS = "the lighthouse keeper's silence"
# A Redis database and key prefix of this test's own, so that nothing it writes
# or removes touches another run's keys.
REDIS_URL = "redis://127.0.0.1:6379/13"
REDIS_PREFIX = "erasure-test"


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The cache the tests use by default, and the Redis one production uses."""
    if request.param == "redis":
        _redis_or_skip()
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": REDIS_PREFIX,
            }
        }
        _forget_redis_keys()
        yield request.param
        _forget_redis_keys()
    else:
        yield request.param


def _redis_entries() -> dict[bytes, bytes]:
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    entries = {}
    for key in server.scan_iter(match=f"{REDIS_PREFIX}:*"):
        entries[key] = server.get(key) or b""
    return entries


def _forget_redis_keys():
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(match=f"{REDIS_PREFIX}:*"):
        server.delete(key)


@pytest.fixture
def person(therapist):
    client = ClientFactory(
        practice=therapist.practice,
        therapist=therapist,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        phone=PHONE,
        email="wilhelmina.quartermaine@example.org",
    )
    checkin_history(
        client, [{"discomfort": 4, "to_raise": WORDS}, {"discomfort": 4, "to_raise": WORDS}]
    )
    add_item(client=client, text=f"Agenda: {WORDS}")
    return client


def _needles(person) -> list[str]:
    return [FIRST_NAME, LAST_NAME, person.email, PHONE, "555 0173", WORDS]


def _rows_holding(needles) -> list[tuple[str, str, str]]:
    """Every (model, field, needle) where some row's text holds the needle."""
    text_fields = (models.CharField, models.TextField, models.JSONField)
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, text_fields):
                continue
            rows = model._base_manager.annotate(_as_text=Cast(field.name, models.TextField()))
            for needle in needles:
                if rows.filter(_as_text__icontains=needle).exists():
                    found.append((model._meta.label, field.name, needle))
    return found


def _sessions_holding(needles) -> list[tuple[str, str]]:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    found = []
    for session in Session.objects.all():
        text = repr(store.decode(session.session_data))
        found += [(session.session_key, n) for n in needles if n.lower() in text.lower()]
    return found


def test_erasure_leaves_the_person_in_no_table_session_or_cache(
    shared_cache, person, therapist, django_capture_on_commit_callbacks
):
    needles = _needles(person)
    browsers = [Client(), Client()]
    for browser in browsers:
        assert sign_in(browser, person).status_code == 302
        assert browser.get(reverse("client_home")).status_code == 200
    session_keys = [b.cookies[settings.SESSION_COOKIE_NAME].value for b in browsers]
    assert len(set(session_keys)) == 2 and _sessions_holding(needles), "the sessions hold them"

    desk = Client()
    desk.force_login(therapist)
    assert LAST_NAME in desk.get(reverse("caseload")).content.decode()
    (row,) = caseload_rows(therapist, now=timezone.now())
    row_key = row_cache_key(row)
    assert LAST_NAME in cache.get(row_key), "the dashboard row is cached"
    if shared_cache == "redis":
        cached = b" ".join(_redis_entries().values())
        assert LAST_NAME.encode() in cached and person.email.encode() in cached

    request_deletion(client=person)
    with django_capture_on_commit_callbacks(execute=True):
        erase_due(now=timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS + 1))
    person.refresh_from_db()
    assert not person.is_active, "the erasure ran"

    assert _rows_holding(needles) == []
    assert _sessions_holding(needles) == []
    assert not Session.objects.filter(session_key__in=session_keys).exists()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not any(store().exists(key) for key in session_keys)
    assert cache.get(row_key) is None
    assert LAST_NAME not in desk.get(reverse("caseload")).content.decode()
    if shared_cache == "redis":
        left = [
            (key, needle)
            for key, value in _redis_entries().items()
            for needle in needles
            if needle.lower().encode() in (key + b" " + value).lower()
        ]
        assert left == []
    for browser in browsers:
        response = browser.get(reverse("client_home"))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        assert browser.get(reverse("my_data")).wsgi_request.user.is_anonymous


def test_a_sign_in_by_invitation_is_ended_by_erasure_too(
    therapist, django_capture_on_commit_callbacks
):
    """Accepting an invitation signs the new client in without the sign-in form."""
    _, token = invitation_with_token(
        therapist=therapist, first_name=FIRST_NAME, last_name=LAST_NAME
    )
    browser = Client()
    password = "a long and unusual passphrase 42"
    response = post_invitation_form(
        browser,
        token,
        {"password1": password, "password2": password, "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    person = User.objects.get(last_name=LAST_NAME)
    assert browser.get(reverse("client_home")).wsgi_request.user == person
    assert Session.objects.count() == 1

    request_deletion(client=person)
    with django_capture_on_commit_callbacks(execute=True):
        erase_due(now=timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS + 1))
    assert not Session.objects.exists()
    assert browser.get(reverse("my_data")).wsgi_request.user.is_anonymous


def test_the_nightly_job_clears_expired_sessions_and_who_they_belonged_to(person):
    from io import StringIO

    from django.core.management import call_command

    from portal.models import SignedInSession

    browsers = [Client(), Client()]
    for browser in browsers:
        sign_in(browser, person)
    assert SignedInSession.objects.filter(user=person).count() == 2
    browsers[1].post(reverse("account_logout"))
    assert SignedInSession.objects.filter(user=person).count() == 1, "signing out forgets it"
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        call_command("end_expired_sessions", stdout=StringIO())
    assert not Session.objects.exists(), "the expired session is gone"
    assert not SignedInSession.objects.exists()


def test_a_session_kept_through_a_password_change_is_ended_by_erasure_too(
    person, django_capture_on_commit_callbacks
):
    """A password change keeps the person signed in under a new session key."""
    from tests.factories import PASSWORD

    browser = Client()
    sign_in(browser, person)
    before = browser.cookies[settings.SESSION_COOKIE_NAME].value
    new = "an-entirely-new-passphrase"
    response = browser.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value != before, "a new key"
    assert browser.get(reverse("client_home")).status_code == 200, "still signed in"

    request_deletion(client=person)
    with django_capture_on_commit_callbacks(execute=True):
        erase_due(now=timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS + 1))
    assert not Session.objects.exists()
    assert browser.get(reverse("my_data")).wsgi_request.user.is_anonymous
