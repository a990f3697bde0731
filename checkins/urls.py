from django.urls import path

from . import views

urlpatterns = [
    path("", views.checkin, name="checkin"),
    path("saved/", views.checkin_saved, name="checkin_saved"),
    path("history/", views.history, name="checkin_history"),
    path("week/<isodate:week_start>/", views.checkin_week, name="checkin_week"),
    path("reminders/", views.reminders, name="reminders"),
]
