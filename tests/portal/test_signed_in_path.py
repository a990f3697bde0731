"""What every signed-in request reads: its person, its session and the shared cache."""

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


def test_the_redis_cache_reuses_one_client_per_server():
    """Building a client per call cost more than the round trip to Redis; no
    connection is made here, only the clients compared."""
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/15", {})
    read = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is read
    assert cache._cache.get_client("c", write=True) is read  # one server: reads and writes
    replicated = SharedClientRedisCache(
        ["redis://127.0.0.1:6379/15", "redis://127.0.0.1:6380/15"], {}
    )
    writer = replicated._cache.get_client("a", write=True)
    assert replicated._cache.get_client("b", write=True) is writer
    assert replicated._cache.get_client("c") is not writer  # reads go to a replica
