"""What every signed-in request reads: its person, its session and the shared cache."""

import itertools

from django.core.cache.backends import redis as redis_backend
from django.urls import reverse

from portal.backends import AuthenticationBackend
from portal.cache import SharedClientRedisCache
from tests.factories import sign_in


def test_the_signed_in_person_is_read_fresh_on_every_request(client, therapist):
    sign_in(client, therapist)
    therapist.first_name = "Renamed"
    therapist.save()
    assert AuthenticationBackend().get_user(therapist.pk).first_name == "Renamed"


def test_a_session_naming_no_one_signs_no_one_in(client, client_a):
    backend = AuthenticationBackend()
    assert backend.get_user("not a number") is None
    assert backend.get_user(None) is None
    pk = client_a.pk
    client.force_login(client_a)
    client_a.delete()
    assert backend.get_user(pk) is None
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_redis_cache_reuses_one_client_per_server(monkeypatch):
    """Building a client per call cost more than the round trip to Redis; no
    connection is made here, only the clients compared."""
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/15", {})
    read = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is read
    assert cache._cache.get_client("c", write=True) is read  # one server: reads and writes
    servers = [f"redis://127.0.0.1:{port}/15" for port in (6379, 6380, 6381, 6382)]
    replicated = SharedClientRedisCache(servers, {})
    writer = replicated._cache.get_client("a", write=True)
    assert replicated._cache.get_client("b", write=True) is writer
    assert writer.connection_pool.connection_kwargs["port"] == 6379, "writes go to the first"
    # Replicas drawn in turn rather than at random, so each pick is known.
    turns = itertools.cycle([1, 2, 3])
    monkeypatch.setattr(redis_backend.random, "randint", lambda low, high: next(turns))
    for replica in [1, 2, 3, 1, 2, 3, 1]:
        client = replicated._cache.get_client("k")
        assert client.connection_pool.connection_kwargs["port"] == 6379 + replica
    assert len(replicated._cache._clients) == 4


def test_a_session_begun_under_allauths_backend_stays_signed_in(client, therapist):
    client.force_login(therapist, backend="allauth.account.auth_backends.AuthenticationBackend")
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    assert response.wsgi_request.user == therapist


def test_a_wrong_password_is_checked_once(client, client_a, monkeypatch):
    checked = []
    original = type(client_a).check_password

    def counting(user, raw):
        checked.append(raw)
        return original(user, raw)

    monkeypatch.setattr(type(client_a), "check_password", counting)
    response = client.post(
        reverse("account_login"), {"login": client_a.email, "password": "not the password"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert checked == ["not the password"]
