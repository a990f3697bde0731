"""Settings shared by every environment.

Everything that differs between a laptop and a server is read from the
environment here; `production.py` only tightens what must be tight there and
refuses to start without its secrets.
"""

import base64
import hashlib
import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for (DEBUG=1): a newcomer sees the portal's own error pages,
# and Django's debug pages, which list every URL, only when they want them.
DEBUG = env_bool("DEBUG", False)

# These settings run a developer's machine; production.py refuses to start
# without a real key, so this one is only ever used locally.
SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin, so translated fields show in its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "portal",
    "checkins",
    "guidance",
    "outcomes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the wire (a 150-client dashboard is over 600 KiB of
    # HTML). Django's GZipMiddleware pads each response at random ("Heal the
    # Breach"), a mitigation of the BREACH attack on secrets in compressed
    # pages; the CSRF token is masked per response as well. Static files are
    # compressed ahead of time by WhiteNoise and never reach it.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (or the one picked on a signed-out page) until
    # someone signs in; UserLanguageMiddleware then uses their own.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: a view is public only when it says so with
    # @login_not_required, next to its definition.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.SessionPolicyMiddleware",
    "portal.middleware.UserTimeZoneMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "portal.middleware.RequireTwoFactorMiddleware",
    "portal.middleware.NoStoreForSignedInMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# PostgreSQL (psycopg 3) when DATABASE_URL is set; a local SQLite file otherwise,
# so that a first run needs no database server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, and wait for it rather
    # than failing, so two requests writing at once queue instead of erroring.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portal's queries are short index lookups and
    # aggregates over one practice, and PostgreSQL's cost-based trigger for JIT
    # fires on their correlated subqueries, spending hundreds of milliseconds
    # compiling what runs in tens (EXPLAIN ANALYZE of the outcomes page).
    # Random reads priced for SSD storage (1.1, the usual setting for it; the
    # default 4 assumes spinning disks): at 4 the planner read every user to
    # find a caseload of 150 instead of looking them up by key.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "portal.backends.AuthenticationBackend",
    # Named in sessions begun before the backend above replaced it: listed so
    # they stay signed in. Never asked at sign-in (see portal.backends).
    "allauth.account.auth_backends.AuthenticationBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.validators.MaximumLengthValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email is the login, and nobody signs up on their own; the
# only way in is an invitation from a therapist (see portal.adapters).
ACCOUNT_ADAPTER = "portal.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# The invitation already proved the address; reset links go to it too.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_FORMS = {
    "add_email": "portal.forms.AddEmailForm",
    "reset_password_from_key": "portal.forms.ChoosePasswordForm",
}
# How long a sign-in (or a confirmed password) counts as fresh before changing
# two-factor settings asks for the password again (portal.adapters).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60

# Two-factor sign-in: an authenticator app (TOTP) with recovery codes. It is
# required for therapists and staff (portal.middleware.RequireTwoFactorMiddleware)
# and optional for clients.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("PORTAL_NAME", "Check-in portal")
# The TOTP secrets and recovery-code seeds are stored encrypted (portal.mfa_secrets),
# so a copy of the database does not give anyone's codes away.
MFA_ADAPTER = "portal.adapters.EncryptingMFAAdapter"
# Fernet keys, comma-separated: the first encrypts, every one decrypts, so keys
# can be rotated (`manage.py rotate_mfa_keys`). Production requires them; here a
# development-only key is derived from SECRET_KEY so that a bare clone works.
MFA_ENCRYPTION_KEYS = env_list("MFA_ENCRYPTION_KEYS") or [
    base64.urlsafe_b64encode(
        hashlib.sha256(f"mfa-encryption-keys:{SECRET_KEY}".encode()).digest()
    ).decode("ascii")
]

# Repeated failed sign-ins are first slowed (three a minute per account), then
# refused for a cool-off period (five in 15 minutes per account, ten per
# address), so neither guessing many passwords for one person nor one password
# across many people works, and nobody is locked out for good. allauth shows
# the same message for an unknown email and a wrong password.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_LIMIT", "10/15m/ip,3/m/key,5/15m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

# The cache also holds the sign-in failure counts and the TOTP codes already
# used, so every worker must share it: Redis when REDIS_URL is set (required in
# production), this process's memory otherwise. django-redis keeps one client per
# server for the life of the process (Django's own Redis backend builds one per
# call, which cost a signed-in request more than its round trips to Redis); a
# list of URLs makes the first the primary and the rest read replicas.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# English and Spanish. Each person reads the portal in the language saved on
# their account (portal.middleware.UserLanguageMiddleware); before signing in,
# in the one their browser asks for or the one they picked on the page.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Number and date formats for Spanish as written in the United States.
FORMAT_MODULE_PATH = ["portal.locale_formats"]
# The advice library, crisis resources and dialogue prompts keep a Spanish copy
# of each text field beside the English one (django-modeltranslation); an empty
# Spanish field falls back to the English text.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# While developing, WhiteNoise serves the files straight from the app folders
# (no collectstatic), with DEBUG on or off; production.py switches to hashed,
# compressed files collected once.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that hangs must not hold a worker (and the row it locked) for ever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Check-in portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (django-tasks). In development and tests a task runs at
# once, in the process that queued it; production uses the database backend,
# whose workers (`manage.py db_worker`) each claim a task with SKIP LOCKED, so
# several workers on several machines never run one task twice.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# The public address of the portal, used for links in emails sent outside a
# request (reminders, digests).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# How long an invitation link stays valid. A week gives a client time to open
# it after a session without leaving a working link lying in a mailbox for long.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))

# The outcomes page holds back any figure resting on fewer clients than this
# (see outcomes.figures); it may be set higher, never below the default of 5.
OUTCOMES_MIN_CLIENTS = int(os.environ.get("OUTCOMES_MIN_CLIENTS", "5"))

# Sessions: a therapist or staff member walking away from a screen full of
# client data is signed out after 30 minutes; clients after an hour (long
# enough to fill a check-in slowly). No session lives beyond 12 hours.
SESSION_IDLE_TIMEOUT_STAFF = int(os.environ.get("SESSION_IDLE_TIMEOUT_STAFF", str(30 * 60)))
SESSION_IDLE_TIMEOUT_CLIENT = int(os.environ.get("SESSION_IDLE_TIMEOUT_CLIENT", str(60 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
# Sessions read from the cache (Redis in production), written through to the
# database so that none is lost when the cache is flushed or restarted.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy: no inline script or style anywhere, nothing from
# other origins. Bootstrap's icons are data: URIs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features the portal never uses, switched off for its pages and any
# frame in them, so no injected or third-party script could reach them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Errors go to the console (and from there to the platform's log store), never
# by email: Django's error emails carry the request's POST data, and a
# check-in's POST data is what a client wrote.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# A client who asks for their data to be deleted has this long to change
# their mind; then `manage.py erase_due_clients` (run daily) erases it.
DELETION_GRACE_DAYS = int(os.environ.get("DELETION_GRACE_DAYS", "30"))

# How many proxies in front of the portal append to X-Forwarded-For. With 0
# the access log records REMOTE_ADDR; production behind one proxy uses 1.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "security@localhost")
# A practice's own name is shown as given; the default is the catalogue's, in the
# reader's language.
PORTAL_NAME = os.environ.get("PORTAL_NAME") or gettext_lazy("Check-in portal")

# A crisis answer with no action recorded on its flag after this many hours is
# escalated, without client data, to the practice's on-call contact. Four hours
# is the response time NHS England set for very urgent referrals to community
# mental-health crisis services (urgent ones: 24 hours; access standards, 2021):
# a self-reported crisis is at least that, and four hours still leaves the
# practice time to reach the client the same day.
CRISIS_ESCALATION_HOURS = float(os.environ.get("CRISIS_ESCALATION_HOURS", "4"))

# Who hears an escalation when a practice has neither an on-call contact nor
# staff accounts: a comma-separated list of addresses ("Name <a@b.org>" or
# "a@b.org"). Deliberately not ADMINS, which Django also mails error reports to.
ESCALATION_FALLBACK_EMAILS = [
    address
    for _, address in getaddresses([os.environ.get("ESCALATION_FALLBACK_EMAILS", "")])
    if "@" in address
]

# Earlier versions of check-ins and flags are kept to be read, never restored: a
# restored flag would skip the services' rules (a crisis closed without a note).
SIMPLE_HISTORY_REVERT_DISABLED = True
