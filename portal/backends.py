"""Signing in through allauth: a failed password is checked once, not by two backends."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.core.exceptions import PermissionDenied


class AuthenticationBackend(AllauthBackend):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None:
            # Settings list allauth's own backend after this one only so that
            # sessions begun under its name stay signed in: it would check the
            # same password again, so a failed sign-in ends here.
            raise PermissionDenied
        return user
