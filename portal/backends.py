"""Signing in through allauth, and reading the signed-in person on every request."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.core.exceptions import PermissionDenied

from .compiled import Compiled
from .models import User

# Every signed-in request reads its person by primary key: the SQL is compiled
# once per database connection rather than on each request. The row still comes
# from the database every time, so a deactivated account or a changed password
# takes effect on the very next request.
_BY_PK = Compiled(lambda pk: User._default_manager.filter(pk=pk), pk=int)


class AuthenticationBackend(AllauthBackend):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None:
            # Settings list allauth's own backend after this one only so that
            # sessions begun under its name stay signed in: it would check the
            # same password again, so a failed sign-in ends here.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _BY_PK.instances(User, pk=pk)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
