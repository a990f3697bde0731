"""Production settings: the base settings with every safety on.

Refuses to start without a SECRET_KEY, ALLOWED_HOSTS or the keys that encrypt
two-factor secrets, so a missing secret is a loud failure at boot rather than a
quiet weakness.
"""

import os

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

os.environ["DEBUG"] = "0"

from .base import *  # noqa: E402, F403

DEBUG = False

_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "MFA_ENCRYPTION_KEYS")
for _required in _REQUIRED:
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"{_required} must be set in production.")

# A key that is not a Fernet key would only fail at the first two-factor
# sign-in; refuse it at boot instead.
try:
    for _key in MFA_ENCRYPTION_KEYS:  # noqa: F405
        Fernet(_key)
except ValueError:
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEYS must be Fernet keys, comma-separated "
        "(make one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    ) from None

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", True):  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
