"""The active advice library, read from the database only when it has changed.

Every check-in submit chooses from the whole library, which changes only when
someone edits it in the admin. Each process keeps the library it last read with
the version it read it at; the version lives in the shared cache (Redis in
production), so a change in one process is seen by every other. Any write to
Advice, through a model or a queryset, sets a new version: at once, and again
when its transaction commits, so no process can keep what it read before the
commit under the version set after it.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "guidance:advice-library-version"

_held: tuple[str, dict] | None = None  # (version, library)


def advice_library() -> dict:
    """The active advice by key. Treat it as read-only: it is shared."""
    global _held
    from .models import Advice

    if _changed_in_this_transaction():
        # This transaction's own changes are not committed: read them, keep nothing.
        return _read(Advice)
    version = cache.get(VERSION_KEY)
    if version is None:  # never set, or evicted: start a new version
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    held = _held
    if version is not None and held is not None and held[0] == version:
        return held[1]
    library = _read(Advice)
    if version is not None:
        _held = (version, library)
    return library


def _read(advice_model) -> dict:
    return {advice.key: advice for advice in advice_model.objects.active()}


def new_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)


def library_changed(using=None) -> None:
    """Called on every write to Advice: a new version now, and another on commit."""
    new_version()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        transaction.on_commit(new_version, using=using)


def _changed_in_this_transaction() -> bool:
    """Whether the open transaction wrote to Advice (its on-commit version change
    is pending; a rollback drops it with the writes)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return False
    return any(entry[1] is new_version for entry in connection.run_on_commit)
