from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import views


@login_not_required
def favicon(request):
    """The admin's pages and some browsers ask for /favicon.ico whatever the page says.
    Resolved per request: the hashed name exists only once static files are collected,
    and changes with them, so the redirect is not a permanent one."""
    return HttpResponseRedirect(static("img/favicon.svg"))


def _admin_title() -> str:
    return gettext("%(portal)s administration") % {"portal": settings.PORTAL_NAME}


admin.site.site_header = admin.site.site_title = lazy(_admin_title, str)()
admin.site.index_title = _("Practice administration")

# Staff sign in through the portal's own sign-in (with its lockout and
# two-factor step), never through the admin's plain login form.
admin.site.login = secure_admin_login(admin.site.login)

# The root URLs, the one module here that may include every app's.
urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/invite/", views.invite, name="invite_client"),
    path(
        "caseload/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"
    ),
    path(
        "caseload/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    # Before the link's pattern, which would take "set-password" for a token.
    path("invitation/set-password/", views.accept_invitation_form, name="accept_invitation_form"),
    path("invitation/<str:token>/", views.accept_invitation_view, name="accept_invitation"),
    path("language/", views.language, name="language"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("outcomes/", include("outcomes.urls")),
    # Before allauth's own: the same page, with the add form kept from clients.
    path("accounts/email/", views.email_addresses, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("checkins.urls")),
]
