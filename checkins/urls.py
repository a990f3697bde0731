"""The check-in's pages: the client's week, history, settings and data; the
therapist's dashboard, client pages and flag actions. Mounted at the site's root."""

from django.urls import path, register_converter

from . import agenda_views, pages, views
from .converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("advice/", views.advice_library, name="advice_library"),
    path("me/", pages.client_home, name="client_home"),
    path("me/agenda/add/", agenda_views.agenda_add, name="agenda_add"),
    path("me/agenda/<int:pk>/up/", agenda_views.agenda_move, {"up": True}, name="agenda_up"),
    path("me/agenda/<int:pk>/down/", agenda_views.agenda_move, {"up": False}, name="agenda_down"),
    path("me/agenda/<int:pk>/remove/", agenda_views.agenda_remove, name="agenda_remove"),
    path(
        "me/thinking-of-stopping/", agenda_views.thinking_of_stopping, name="thinking_of_stopping"
    ),
    path("me/data/", pages.my_data, name="my_data"),
    path("me/data/export.json", pages.my_data_export, {"fmt": "json"}, name="my_data_json"),
    path("me/data/export.csv", pages.my_data_export, {"fmt": "csv"}, name="my_data_csv"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/saved/", views.checkin_saved, name="checkin_saved"),
    path("checkin/history/", views.history, name="checkin_history"),
    path("checkin/week/<isodate:week_start>/", views.checkin_week, name="checkin_week"),
    path("checkin/reminders/", views.reminders, name="reminders"),
    path("caseload/", pages.caseload, name="caseload"),
    path("caseload/digest/", views.digest_settings, name="digest_settings"),
    path("caseload/digest/send/", views.digest_now, name="digest_now"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("clients/<uuid:client_id>/", pages.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/prep/", pages.session_prep, name="session_prep"),
    path("clients/<uuid:client_id>/new-course/", pages.new_course, name="new_course"),
    path(
        "clients/<uuid:client_id>/agenda/<int:pk>/talked-about/",
        agenda_views.agenda_talked_about,
        name="agenda_talked_about",
    ),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/raise/",
        pages.flag_action,
        {"action": "raise"},
        name="flag_raise",
    ),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/dismiss/",
        pages.flag_action,
        {"action": "dismiss"},
        name="flag_dismiss",
    ),
    path(
        "clients/<uuid:client_id>/flags/<int:pk>/safety/<slug:kind>/",
        pages.safety_action,
        name="flag_safety_action",
    ),
]
