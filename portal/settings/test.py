"""Settings for the test suite: the base settings, made fast and quiet."""

from .base import *  # noqa: F403

# Argon2 is deliberately slow; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than shared memory, so that tests where threads write at
    # once see SQLite's real locking (they wait) instead of a table-lock error.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

LOGGING = {"version": 1, "disable_existing_loggers": False}
