from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path, register_converter

from checkins import views as checkin_views
from checkins.converters import IsoDateConverter

from . import views

register_converter(IsoDateConverter, "isodate")


@login_not_required
def favicon(request):
    """The admin's pages and some browsers ask for /favicon.ico whatever the page says.
    Resolved per request: the hashed name exists only once static files are collected,
    and changes with them, so the redirect is not a permanent one."""
    return HttpResponseRedirect(static("img/favicon.svg"))


admin.site.site_header = admin.site.site_title = f"{settings.PORTAL_NAME} administration"
admin.site.index_title = "Practice administration"

# Staff sign in through the portal's own sign-in (with its lockout and
# two-factor step), never through the admin's plain login form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.client_home, name="client_home"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export.json", views.my_data_export, {"fmt": "json"}, name="my_data_json"),
    path("me/data/export.csv", views.my_data_export, {"fmt": "csv"}, name="my_data_csv"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/invite/", views.invite, name="invite_client"),
    path(
        "caseload/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"
    ),
    path(
        "caseload/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("caseload/digest/", checkin_views.digest_settings, name="digest_settings"),
    path("caseload/digest/send/", checkin_views.digest_now, name="digest_now"),
    path("unsubscribe/<str:token>/", checkin_views.unsubscribe_view, name="unsubscribe"),
    path("clients/<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/prep/", views.session_prep, name="session_prep"),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/raise/",
        views.flag_action,
        {"action": "raise"},
        name="flag_raise",
    ),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/dismiss/",
        views.flag_action,
        {"action": "dismiss"},
        name="flag_dismiss",
    ),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/safety/<slug:kind>/",
        views.safety_action,
        name="flag_safety_action",
    ),
    path("checkin/", include("checkins.urls")),
    path("advice/", include("guidance.urls")),
    path("invitation/<str:token>/", views.accept_invitation_view, name="accept_invitation"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
