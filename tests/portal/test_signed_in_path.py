"""What every signed-in request reads: its person, its session and the shared cache."""

from django.urls import reverse

from portal.backends import AuthenticationBackend
from tests.factories import sign_in


def test_the_signed_in_person_is_read_fresh_on_every_request(client, therapist):
    sign_in(client, therapist)
    therapist.first_name = "Renamed"
    therapist.save()
    assert AuthenticationBackend().get_user(therapist.pk).first_name == "Renamed"


def test_a_session_naming_no_one_signs_no_one_in(client, client_a):
    backend = AuthenticationBackend()
    assert backend.get_user(None) is None
    pk = client_a.pk
    client.force_login(client_a)
    client_a.delete()
    assert backend.get_user(pk) is None
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_redis_cache_keeps_one_client_per_server(settings):
    """Django's own Redis backend builds a client per call, which cost a signed-in
    request more than its round trips; django-redis keeps one. No connection is
    made here, only the clients compared."""
    from django.core.cache import caches
    from django_redis import get_redis_connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": ["redis://127.0.0.1:6379/15", "redis://127.0.0.1:6380/15"],
        }
    }
    caches["default"].close()
    writer = get_redis_connection("default", write=True)
    assert get_redis_connection("default", write=True) is writer
    assert writer.connection_pool.connection_kwargs["port"] == 6379, "writes go to the first"


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
