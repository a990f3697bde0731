"""Each email goes out in its recipient's language, whatever the sender's, the
page's or the server's."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from checkins.notifications import deliver_digest, deliver_reminder
from checkins.services import submit_checkin
from portal.services import invite_client
from tests.factories import ClientFactory, answers, checkin_history
from tests.i18n.catalogue import english_in


def spanish(message) -> bool:
    """Nothing of the catalogue's English in any part of the email."""
    parts = [message.subject, message.body, *(body for body, _ in message.alternatives)]
    return not any(english_in(part) for part in parts)


def test_a_reminder_reaches_a_spanish_reader_in_spanish_from_an_english_worker(therapist):
    reader = ClientFactory(therapist=therapist, language="es")
    english = ClientFactory(therapist=therapist)
    with translation.override("en"):
        assert deliver_reminder(client=reader, kind="reminder", week_start=date(2026, 11, 16))
        assert deliver_reminder(client=english, kind="reminder", week_start=date(2026, 11, 16))
    to_reader, to_english = mail.outbox
    assert spanish(to_reader)
    assert to_reader.subject != to_english.subject
    assert not spanish(to_english)


def test_the_digest_reaches_a_spanish_speaking_therapist_in_spanish(therapist):
    therapist.language = "es"
    therapist.save()
    checkin_history(ClientFactory(therapist=therapist), [{"discomfort": 4}])
    with translation.override("en"):
        deliver_digest(therapist=therapist, day=date(2026, 11, 17), on_demand=True)
    (digest,) = mail.outbox
    assert spanish(digest)


def test_an_invitation_is_written_in_the_language_the_therapist_chose(
    client, therapist, django_capture_on_commit_callbacks
):
    client.force_login(therapist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invite_client"), {"email": "lucia@example.com", "language": "es"}
        )
    assert response.status_code == 302
    (invitation_email,) = mail.outbox
    assert spanish(invitation_email)
    # Left out, the therapist's own language.
    with django_capture_on_commit_callbacks(execute=True):
        invite_client(therapist=therapist, email="sam@example.com")
    assert not spanish(mail.outbox[1])


def test_the_invitation_page_speaks_the_invitation_s_language_unless_the_visitor_picks(
    client, therapist
):
    from django.conf import settings

    from tests.factories import invitation_with_token

    invitation, token = invitation_with_token(therapist=therapist, language="es")
    url = reverse("accept_invitation", args=[token])
    page = client.get(url, headers={"accept-language": "en-US"}, follow=True)
    assert page.headers["Content-Language"] == "es"
    assert page.context["form"].initial["language"] == "es"
    # Picked on the page with the switcher: that choice stands.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url, follow=True)
    assert page.context["form"].initial["language"] == "en"
    response = client.post(
        reverse("accept_invitation_form"),
        {
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
            "time_zone": "America/Chicago",
            "language": "es",
        },
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_by.language == "es", "the person's own choice on the form"


@pytest.mark.django_db(transaction=True)
def test_a_crisis_alert_reaches_each_recipient_in_their_own_language(client_a, therapist, practice):
    therapist.language = "es"
    therapist.save()
    client_a.language = "es"
    client_a.save()
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    (alert,) = [m for m in mail.outbox if m.to == [therapist.email]]
    assert spanish(alert)


def test_a_password_reset_is_in_the_account_s_language_whatever_the_page_s(client, client_a):
    client_a.language = "es"
    client_a.save()
    client.post(
        reverse("account_reset_password"),
        {"email": client_a.email},
        headers={"accept-language": "en-US"},
    )
    (reset,) = mail.outbox
    assert spanish(reset)
