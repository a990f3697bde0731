"""Knowing which sessions are whose, so that all of a person's can be ended.

Sessions live where SESSION_ENGINE puts them (the database with Redis in
front, in every environment), and nothing in a stored session says whose it is
without decoding it. So each sign-in notes its session key against the person
(`SignedInSession`); ending a person's sessions deletes exactly those, from the
database and the cache alike, through the session engine's own store.

Sign-ins by the form, by an accepted invitation and into the admin all go
through django.contrib.auth's `login`, hence its `user_logged_in` signal; a
password change keeps the person signed in under a new key, hence allauth's
signals. A session that somehow escaped the index is still dead once its
person is erased: the unusable password no longer matches the one the session
was signed with, so Django signs it out on its next request, and
`end_expired_sessions` removes it once it has expired.
"""

from importlib import import_module

from django.conf import settings
from django.db import transaction

from .models import SignedInSession, User


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def remember_session(sender, request, user, **kwargs) -> None:
    """Receiver of user_logged_in, password_changed and password_set."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()  # a key now, so the index can name it
    if session.session_key:  # cookie-stored sessions have no key to note
        SignedInSession.objects.update_or_create(
            session_key=session.session_key, defaults={"user": user}
        )


def forget_session(sender, request, user, **kwargs) -> None:
    """Receiver of user_logged_out: the session is about to be emptied."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def end_sessions(*, user: User) -> int:
    """Sign the person out everywhere: delete every session they signed in with.

    Deleted at once, and again when the surrounding transaction commits, since
    a request that read the session from the database before then may have put
    it back in the cache."""
    with transaction.atomic():
        rows = SignedInSession.objects.filter(user=user)
        keys = list(rows.values_list("session_key", flat=True))
        for key in keys:
            _store().delete(key)
        rows.delete()

    def again():
        for key in keys:
            _store().delete(key)

    transaction.on_commit(again, robust=True)
    return len(keys)


def forget_ended_sessions() -> int:
    """Drop the index rows of sessions that no longer exist (expired and
    cleared, or signed out)."""
    ended = [
        key
        for key in SignedInSession.objects.values_list("session_key", flat=True).iterator()
        if not _store().exists(key)
    ]
    for start in range(0, len(ended), 500):
        SignedInSession.objects.filter(session_key__in=ended[start : start + 500]).delete()
    return len(ended)
