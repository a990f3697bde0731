import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import CaseloadAssignment, Invitation, User
from tests.factories import (
    ClientFactory,
    invitation_with_token,
    open_invitation,
    post_invitation_form,
)

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def link_token(message) -> str:
    match = re.search(r"/invitation/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def accept(client, token, password=NEW_PASSWORD, password2=None, time_zone="Europe/Berlin"):
    return post_invitation_form(
        client,
        token,
        {"password1": password, "password2": password2 or password, "time_zone": time_zone},
    )


@pytest.mark.django_db(transaction=True)
def test_therapist_invites_and_client_accepts_into_their_caseload(client, therapist):
    client.force_login(therapist)
    response = client.post(
        reverse("invite_client"),
        {"email": "New.Person@Example.com", "first_name": "Noor", "last_name": "Haddad"},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    # Whoever reads the inbox learns nothing of who the therapist is.
    assert therapist.display_name not in message.subject + message.body
    assert message.alternatives, "the email has an HTML part"
    token = link_token(message)

    client.logout()
    page = open_invitation(client, token)
    assert page.status_code == 200
    assert "new.person@example.com" in page.text

    response = accept(client, token)
    assert response.status_code == 302
    assert response.url == reverse("home")
    new_client = User.objects.get(email="new.person@example.com")
    assert new_client.is_client
    assert new_client.first_name == "Noor"
    assert new_client.time_zone == "Europe/Berlin"
    assert new_client.practice == therapist.practice
    assert new_client.current_therapist() == therapist
    # Signed in and sent to their own home page.
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("client_home")
    assert therapist.display_name in home.text


def test_pending_invitations_are_listed_for_their_therapist_only(
    client, therapist, other_therapist
):
    invitation, _ = invitation_with_token(therapist=therapist, email="waiting@example.com")
    invitation_with_token(therapist=other_therapist, email="someone-else@example.com")
    client.force_login(therapist)
    page = client.get(reverse("caseload"))
    assert "waiting@example.com" in page.text
    assert "someone-else@example.com" not in page.text


def test_expired_link_gets_a_clear_page(client, pending_invitation):
    invitation, token = pending_invitation
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        response = client.get(reverse("accept_invitation", args=[token]))
        assert response.status_code == 410
        assert services.EXPIRED_LINK in response.text
        response = accept(client, token)
        assert response.status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


def test_link_still_works_just_before_expiry(client, pending_invitation):
    invitation, token = pending_invitation
    with time_machine.travel(invitation.expires_at - timedelta(seconds=5)):
        assert accept(client, token).status_code == 302


def test_default_expiry_is_seven_days(therapist):
    invitation = services.invite_client(therapist=therapist, email="x@example.com")
    lifetime = invitation.expires_at - invitation.sent_at
    assert lifetime == timedelta(days=7)


def test_a_used_link_cannot_be_used_again(client, pending_invitation):
    invitation, token = pending_invitation
    assert accept(client, token).status_code == 302
    client.logout()
    response = client.get(reverse("accept_invitation", args=[token]))
    assert response.status_code == 410
    assert services.USED_LINK in response.text
    response = accept(client, token, password="another-long-passphrase")
    assert response.status_code == 410
    assert User.objects.filter(email=invitation.email).count() == 1


def test_revoked_link_is_refused(client, therapist, pending_invitation):
    invitation, token = pending_invitation
    client.force_login(therapist)
    client.post(reverse("invitation_revoke", args=[invitation.pk]))
    client.logout()
    response = client.get(reverse("accept_invitation", args=[token]))
    assert response.status_code == 410
    assert services.REVOKED_LINK in response.text
    assert accept(client, token).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%2e%2e", "'%20OR%201=1--", "%00"])
def test_wrong_or_forged_token_gets_a_clear_page(client, pending_invitation, token):
    response = client.get(f"/invitation/{token}/")
    assert response.status_code == 410
    assert services.INVALID_LINK in response.text


@pytest.mark.django_db(transaction=True)
def test_resend_sends_a_new_link_and_kills_the_old_one(client, therapist):
    invitation = services.invite_client(therapist=therapist, email="again@example.com")
    old_token = link_token(mail.outbox[0])
    client.force_login(therapist)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        client.force_login(therapist)
        client.post(reverse("invitation_resend", args=[invitation.pk]))
        assert len(mail.outbox) == 1
        new_token = link_token(mail.outbox[0])
        assert new_token != old_token
        client.logout()
        assert client.get(reverse("accept_invitation", args=[old_token])).status_code == 410
    # The new link is valid for a full week from the resend.
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        assert open_invitation(client, new_token).status_code == 200


def test_password_mismatch_and_weak_password_keep_the_form(client, pending_invitation):
    invitation, token = pending_invitation
    response = accept(client, token, password=NEW_PASSWORD, password2="something-else-entirely")
    assert response.status_code == 200
    assert "The two passwords do not match." in response.text
    response = accept(client, token, password="short")
    assert response.status_code == 200
    assert "too short" in response.text
    response = accept(client, token, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not User.objects.filter(email=invitation.email).exists()


def test_inviting_a_colleagues_client_is_refused_on_the_form(client, therapist, client_b):
    client.force_login(therapist)
    response = client.post(reverse("invite_client"), {"email": client_b.email.upper()})
    assert response.status_code == 200
    assert "already has an account in your practice" in response.text
    assert response.context["form"]["email"].value() == client_b.email.upper()
    assert not Invitation.objects.exists()


def test_inviting_ones_own_client_says_they_are_on_the_caseload(client, therapist, client_a):
    client.force_login(therapist)
    response = client.post(reverse("invite_client"), {"email": client_a.email.upper()})
    assert response.status_code == 200
    assert f"{client_a.display_name} is already on your caseload." in response.text
    assert "administrator can move" not in response.text
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_inviting_oneself_says_it_is_ones_own_address(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("invite_client"), {"email": therapist.email})
    assert response.status_code == 200
    assert "That is your own address." in response.text
    assert "already has an account" not in response.text
    assert not Invitation.objects.exists()


def test_inviting_again_withdraws_the_earlier_link(therapist):
    first = services.invite_client(therapist=therapist, email="twice@example.com")
    services.invite_client(therapist=therapist, email="twice@example.com")
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert Invitation.objects.pending().filter(email="twice@example.com").count() == 1


def test_a_therapist_cannot_touch_another_therapists_invitation(
    client, other_therapist, pending_invitation
):
    invitation, _ = pending_invitation
    client.force_login(other_therapist)
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_signed_in_user_cannot_accept_an_invitation(client, client_a, pending_invitation):
    invitation, token = pending_invitation
    client.force_login(client_a)
    assert client.get(reverse("accept_invitation", args=[token])).status_code == 409
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_moving_a_client_keeps_the_history(therapist, other_therapist):
    moved = ClientFactory(therapist=therapist)
    services.assign_therapist(client=moved, therapist=other_therapist)
    assert moved.current_therapist() == other_therapist
    history = list(CaseloadAssignment.objects.filter(client=moved).order_by("started_at"))
    assert [a.therapist for a in history] == [therapist, other_therapist]
    assert history[0].ended_at is not None
    assert history[1].ended_at is None
    assert list(User.objects.caseload_of(therapist)) == []


def test_a_client_may_leave_a_phone_number_for_same_day_contact(client, pending_invitation):
    invitation, token = pending_invitation
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "time_zone": "Europe/Berlin"}
    refused = post_invitation_form(client, token, {**data, "phone": "call me"})
    assert refused.status_code == 200
    assert "Enter a phone number" in refused.text
    assert "call me" in refused.text, "what was typed is kept"
    response = post_invitation_form(client, token, {**data, "phone": "+1 (555) 010-0100"})
    assert response.status_code == 302
    assert User.objects.get(email=invitation.email).phone == "+1 (555) 010-0100"


@pytest.mark.django_db(transaction=True)
def test_an_account_in_another_practice_is_not_revealed_to_the_therapist(client, therapist):
    """Inviting an address with an account elsewhere looks exactly like inviting a
    new one; its owner is told to sign in, and no link is sent."""
    elsewhere = ClientFactory()  # another practice
    assert elsewhere.practice != therapist.practice
    client.force_login(therapist)
    known = client.post(reverse("invite_client"), {"email": elsewhere.email}, follow=True)
    unknown = client.post(reverse("invite_client"), {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert f"Invitation sent to {elsewhere.email}" in known.text
    assert known.redirect_chain == unknown.redirect_chain
    to_owner = next(m for m in mail.outbox if m.to == [elsewhere.email])
    assert "already has an account" in to_owner.body
    assert "/invitation/" not in to_owner.body


@pytest.mark.parametrize("length", [255, 300, 10_000])
def test_an_overlong_email_address_gets_a_message_not_an_error(client, therapist, length):
    client.force_login(therapist)
    email = "a" * (length - len("@example.com")) + "@example.com"
    response = client.post(reverse("invite_client"), {"email": email, "first_name": "Kim"})
    assert response.status_code == 200
    assert "at most 254 characters" in response.text
    assert response.context["form"]["first_name"].value() == "Kim"
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_mail_outage_never_turns_an_invitation_into_an_error_page(client, therapist, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    client.force_login(therapist)
    response = client.post(reverse("invite_client"), {"email": "later@example.com"}, follow=True)
    assert response.status_code == 200
    invitation = Invitation.objects.get(email="later@example.com")
    assert invitation.delivered_at is None and invitation.delivery_attempts == 1
    assert "not sent yet" in response.text, "the therapist sees it has not gone out"
    resend = client.post(reverse("invitation_resend", args=[invitation.pk]), follow=True)
    assert resend.status_code == 200
    # The mail server comes back: the scheduler's next run sends it, with a working link.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from checkins.tasks import enqueue_due_notifications

    with time_machine.travel(timezone.now() + timedelta(minutes=15)):
        enqueue_due_notifications()
    invitation.refresh_from_db()
    assert invitation.delivered_at is not None
    (message,) = [m for m in mail.outbox if m.to == ["later@example.com"]]
    client.logout()
    assert open_invitation(client, link_token(message)).status_code == 200


def test_the_time_zone_list_holds_real_places_with_the_practices_country_first(
    client, pending_invitation
):
    from portal.forms import time_zone_choices

    _, token = pending_invitation
    form = open_invitation(client, token).context["form"]
    (near_label, near), (_, everywhere) = form.fields["time_zone"].choices
    assert near_label == "Near your practice"
    # Named by city and country, in the reader's language; the practice is in New York.
    assert ("America/New_York", "New York (United States)") in near
    assert ("America/Chicago", "Chicago (United States)") in near
    assert all(name.startswith(("America/", "Pacific/Honolulu")) for name, _ in near)
    names = {name for name, _ in everywhere}
    assert {"Europe/Madrid", "Asia/Tokyo"} <= names
    assert not names & {"Factory", "localtime", "US/Eastern", "Etc/GMT+5", "posixrules"}
    assert time_zone_choices(None)[0][0] != "Near your practice"


def test_with_the_production_task_queue_a_failed_invitation_is_queued_again(
    therapist, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import send_invitation

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_client(therapist=therapist, email="later@example.com")
    (queued,) = DBTaskResult.objects.all()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitation.call(invitation_id=invitation.pk) is False  # as a worker runs it
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.task_path == "portal.tasks.send_invitation"
    assert retry.run_after > timezone.now()
