from django.urls import path

from . import views

urlpatterns = [
    path("", views.practice_outcomes_page, name="practice_outcomes"),
    path("outcomes.csv", views.practice_outcomes_csv, name="practice_outcomes_csv"),
]
