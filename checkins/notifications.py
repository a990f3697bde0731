"""Emails about check-ins. They carry no client data: an email can be read by
anyone who sees the therapist's inbox or lock screen."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

CRISIS_SUBJECT = "A client needs your attention"


def send_crisis_alert(*, therapist_email: str) -> None:
    body = render_to_string(
        "checkins/email/crisis_alert.txt",
        {"sign_in_url": settings.SITE_URL + reverse("caseload")},
    )
    send_mail(CRISIS_SUBJECT, body, None, [therapist_email])
