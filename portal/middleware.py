"""Request-wide safety policies: caching, session lifetime, two-factor sign-in."""

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person may show client data: no cache may keep them,
    not the browser's back button on a shared computer nor a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


SESSION_STARTED = "_portal_started"
SESSION_SEEN = "_portal_seen"
SEEN_PRECISION = 60
# Sign-in, sign-out, password and two-factor pages stay reachable while
# two-factor set-up is pending; nothing else does.
ACCOUNT_PATHS = ("/accounts/", "/static/")
SESSION_ENDED_MESSAGE = gettext_noop(
    "You were signed out after a period of inactivity. Please sign in again."
)


def idle_timeout_for(user) -> int:
    """Seconds of inactivity allowed: shorter for those who can see many clients' data."""
    if user.is_staff or user.is_therapist or user.is_lead:
        return settings.SESSION_IDLE_TIMEOUT_STAFF
    return settings.SESSION_IDLE_TIMEOUT_CLIENT


def stamp_session(sender, request, user, **kwargs):
    """On sign-in, start the session's clocks (receiver of user_logged_in)."""
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def speak_their_language(sender, request, user, **kwargs):
    """From the moment someone signs in, the rest of that request (its "signed
    in" message included) is in their language (receiver of user_logged_in)."""
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


def return_to(request) -> str:
    """Where to come back to after signing in again: the page itself for a
    GET; for a form post (which cannot be replayed), the page it came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return reverse("home")


class SessionPolicyMiddleware:
    """An idle timeout and an absolute lifetime for every signed-in session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            if (
                now - seen > idle_timeout_for(user)
                or now - started > settings.SESSION_ABSOLUTE_LIFETIME
            ):
                logout(request)
                messages.info(request, gettext(SESSION_ENDED_MESSAGE))
                return redirect_to_login(return_to(request))
            # Refresh at most once a minute: the timeout needs no finer grain,
            # and this spares a session write on most requests.
            if now - seen >= SEEN_PRECISION or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


TWO_FACTOR_REQUIRED_MESSAGE = gettext_noop(
    "Before you can see client information, please set up two-factor sign-in "
    "with an authenticator app."
)


def needs_two_factor(user) -> bool:
    return user.is_therapist or user.is_staff or user.is_lead


# Whether a person has an authenticator app is asked on every request they make;
# the answer "yes" is kept in the shared cache for a few minutes, and dropped at
# once when any of their authenticators is saved or deleted (signals, below).
TWO_FACTOR_CACHE_SECONDS = 300


def _totp_key(user_id: int) -> str:
    return f"portal:has-totp:{user_id}"


def has_authenticator_app(user) -> bool:
    if cache.get(_totp_key(user.pk)):
        return True
    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    if found:
        cache.set(_totp_key(user.pk), True, TWO_FACTOR_CACHE_SECONDS)
    return found


def forget_authenticator_app(sender, instance, **kwargs) -> None:
    """Receiver of Authenticator's post_save and post_delete: forget at once, and
    again when the change commits, so a request read between the two cannot
    keep a removed app trusted."""
    key = _totp_key(instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class RequireTwoFactorMiddleware:
    """Therapists and staff reach no page but their account settings until they
    have an authenticator app set up; sign-in then asks for its code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and needs_two_factor(user)
            and not request.path.startswith(ACCOUNT_PATHS)
            and not has_authenticator_app(user)
        ):
            messages.warning(request, gettext(TWO_FACTOR_REQUIRED_MESSAGE))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show times in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tz)
        else:
            timezone.deactivate()
        return self.get_response(request)


class UserLanguageMiddleware:
    """Show pages in the signed-in person's own language, whatever the browser
    says; before sign-in, LocaleMiddleware's choice stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.language:
            return self.get_response(request)
        # Only for this request: whatever runs after it in this thread is not
        # left speaking this person's language.
        with translation.override(user.language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers["Content-Language"] = request.LANGUAGE_CODE
        return response
