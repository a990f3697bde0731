import io
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from checkins.models import NotificationKind, NotificationPreference, SentNotification
from checkins.notifications import deliver_reminder, unsubscribe_url
from checkins.services import submit_checkin
from tests.factories import ClientFactory, answers, checkin_history

ROOT = Path(__file__).resolve().parents[2]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def run_scheduler(django_capture_on_commit_callbacks):
    """Run the 15-minute scheduler at `moment`, tasks included (immediate backend)."""

    def run(moment: datetime) -> None:
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("send_due_notifications", stdout=io.StringIO())

    return run


def reminders_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


@pytest.fixture
def new_yorker(therapist):
    person = ClientFactory(therapist=therapist, time_zone="America/New_York")
    NotificationPreference.objects.create(user=person, reminder_weekday=4, reminder_hour=18)
    return person


def test_the_reminder_goes_out_once_at_the_local_hour_across_a_dst_change(
    run_scheduler, new_yorker
):
    # Friday 30 October 2026, 18:00 in New York is 22:00 UTC (daylight time).
    run_scheduler(utc(2026, 10, 30, 21, 45))
    assert reminders_to(new_yorker) == []
    run_scheduler(utc(2026, 10, 30, 22, 0))
    run_scheduler(utc(2026, 10, 30, 22, 15))  # the scheduler again: nothing new
    assert len(reminders_to(new_yorker)) == 1
    # Clocks go back on 1 November: Friday 6 November 18:00 is 23:00 UTC.
    run_scheduler(utc(2026, 11, 6, 22, 0))
    assert len(reminders_to(new_yorker)) == 1, "not at 17:00 local"
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert len(reminders_to(new_yorker)) == 2


def test_each_client_is_reminded_in_their_own_time_zone(run_scheduler, therapist):
    berlin = ClientFactory(therapist=therapist, time_zone="Europe/Berlin")
    tokyo = ClientFactory(therapist=therapist, time_zone="Asia/Tokyo")
    # Friday 6 November 2026, 17:00 UTC is 18:00 in Berlin and 02:00 Saturday in Tokyo.
    run_scheduler(utc(2026, 11, 6, 17, 0))
    assert len(reminders_to(berlin)) == 1
    assert len(reminders_to(tokyo)) == 1, "Tokyo's Friday 18:00 came 8 hours ago: caught up"
    run_scheduler(utc(2026, 11, 6, 8, 0) + timedelta(days=7))
    assert len(reminders_to(tokyo)) == 1
    run_scheduler(utc(2026, 11, 6, 9, 0) + timedelta(days=7))  # 18:00 Friday in Tokyo
    assert len(reminders_to(tokyo)) == 2


def test_no_reminder_when_the_check_in_is_in(run_scheduler, new_yorker):
    submit_checkin(client=new_yorker, data=answers(), now=utc(2026, 11, 4, 15, 0))
    run_scheduler(utc(2026, 11, 6, 23, 0))
    run_scheduler(utc(2026, 11, 8, 23, 0))
    assert reminders_to(new_yorker) == []


def test_one_follow_up_two_days_later_if_still_missing(run_scheduler, new_yorker):
    run_scheduler(utc(2026, 11, 6, 23, 0))
    run_scheduler(utc(2026, 11, 8, 22, 45))
    assert len(reminders_to(new_yorker)) == 1
    run_scheduler(utc(2026, 11, 8, 23, 0))  # Sunday 18:00
    run_scheduler(utc(2026, 11, 8, 23, 30))
    sent = reminders_to(new_yorker)
    assert len(sent) == 2
    assert sent[1].subject == "Your weekly check-in is still open"


def test_no_follow_up_once_checked_in(run_scheduler, new_yorker):
    run_scheduler(utc(2026, 11, 6, 23, 0))
    submit_checkin(client=new_yorker, data=answers(), now=utc(2026, 11, 7, 15, 0))
    run_scheduler(utc(2026, 11, 8, 23, 0))
    assert len(reminders_to(new_yorker)) == 1


def test_no_follow_up_in_the_next_week(run_scheduler, new_yorker):
    NotificationPreference.objects.filter(user=new_yorker).update(reminder_weekday=5)
    run_scheduler(utc(2026, 11, 7, 23, 0))  # Saturday 18:00
    run_scheduler(utc(2026, 11, 9, 23, 0))  # Monday: a new week, its own reminder comes Saturday
    assert len(reminders_to(new_yorker)) == 1


def test_clients_can_turn_reminders_off_or_move_them(client, run_scheduler, new_yorker):
    client.force_login(new_yorker)
    response = client.post(
        reverse("reminders"),
        {
            "reminders_enabled": "on",
            "reminder_weekday": "2",
            "reminder_hour": "8",
            "time_zone": "America/New_York",
        },
    )
    assert response.status_code == 302
    run_scheduler(utc(2026, 11, 6, 23, 0))  # the old slot
    assert reminders_to(new_yorker) == []
    run_scheduler(utc(2026, 11, 11, 13, 0))  # Wednesday 08:00
    assert len(reminders_to(new_yorker)) == 1
    client.post(
        reverse("reminders"),
        {"reminder_weekday": "2", "reminder_hour": "8", "time_zone": "America/New_York"},
    )
    run_scheduler(utc(2026, 11, 18, 13, 0))
    assert len(reminders_to(new_yorker)) == 1


def test_a_reminder_email_has_both_parts_and_a_one_click_unsubscribe(run_scheduler, new_yorker):
    run_scheduler(utc(2026, 11, 6, 23, 0))
    (message,) = reminders_to(new_yorker)
    html = message.alternatives[0][0]
    assert "http://testserver/checkin/" in message.body
    assert "Open my check-in" in html
    assert "not watched in real time" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link in html


def test_unsubscribe_works_without_signing_in(new_yorker):
    url = unsubscribe_url(new_yorker, "reminders").removeprefix("http://testserver")
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Stop these emails?" in page.text
    assert NotificationPreference.objects.get(user=new_yorker).reminders_enabled
    done = anonymous.post(url)
    assert "You are unsubscribed" in done.text
    assert not NotificationPreference.objects.get(user=new_yorker).reminders_enabled


def test_one_click_unsubscribe_from_the_mail_client(new_yorker):
    url = unsubscribe_url(new_yorker, "reminders").removeprefix("http://testserver")
    Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert not NotificationPreference.objects.get(user=new_yorker).reminders_enabled


def test_an_unsubscribe_link_cannot_be_forged_for_someone_else(new_yorker, therapist):
    other = ClientFactory(therapist=therapist)
    NotificationPreference.objects.create(user=other)
    mine = unsubscribe_url(new_yorker, "reminders").removeprefix("http://testserver")
    token = mine.split("/")[-2]
    payload, signature = token.rsplit(":", 1)
    theirs = {"u": str(other.public_id), "w": "reminders"}
    forged_tokens = [
        signing.dumps(theirs, salt="portal.unsubscribe", key="a-guessed-secret-key"),
        signing.dumps(theirs, salt="another.salt"),  # a token the site signs elsewhere
        signing.dumps(theirs).rsplit(":", 1)[0] + ":" + signature,  # their data, my signature
        payload + ":" + "A" * len(signature),
    ]
    for forged in forged_tokens:
        response = Client().post(reverse("unsubscribe", args=[forged]))
        assert response.status_code == 400
    assert NotificationPreference.objects.get(user=other).reminders_enabled
    assert NotificationPreference.objects.get(user=new_yorker).reminders_enabled


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email():
    person = ClientFactory(time_zone="America/New_York")
    week = utc(2026, 11, 2, 12).date()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(utc(2026, 11, 6, 23, 5), tick=False):
                results.append(deliver_reminder(client=person, kind="reminder", week_start=week))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results) == [False, True]
    assert len(reminders_to(person)) == 1
    assert SentNotification.objects.filter(user=person).count() == 1


def test_a_failed_send_is_retried_by_the_next_run(run_scheduler, new_yorker, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    run_scheduler(utc(2026, 11, 6, 23, 0))  # the task fails; its result records why
    assert reminders_to(new_yorker) == []
    assert not SentNotification.objects.filter(user=new_yorker).exists(), "claim released"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_scheduler(utc(2026, 11, 6, 23, 15))
    assert len(reminders_to(new_yorker)) == 1


def friday_clients(therapist, n: int):
    """n clients due a reminder at 18:00 New York time on Friday 6 November 2026."""
    NotificationPreference.objects.create(user=therapist, digest_enabled=False)
    people = [ClientFactory(therapist=therapist, time_zone="America/New_York") for _ in range(n)]
    for person in people:
        NotificationPreference.objects.create(user=person, reminder_weekday=4, reminder_hour=18)
    return people


def test_a_batch_of_reminders_goes_through_one_connection(run_scheduler, therapist, settings):
    from tests.mail_backends import CountingBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.opened = 0
    people = friday_clients(therapist, 5)
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert CountingBackend.opened == 1
    run_scheduler(utc(2026, 11, 6, 23, 15))  # run again: nothing twice
    assert len(mail.outbox) == 5


def test_when_the_server_fails_mid_batch_what_went_stays_sent_and_the_rest_is_retried(
    run_scheduler, therapist, settings
):
    from tests.mail_backends import FailsAfterBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.FailsAfterBackend"
    FailsAfterBackend.left = 2
    people = friday_clients(therapist, 5)
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert len(mail.outbox) == 2
    assert SentNotification.objects.filter(user__in=people).count() == 2, "the rest given back"
    FailsAfterBackend.left = 100
    run_scheduler(utc(2026, 11, 6, 23, 15))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_the_therapist_sees_whether_reminders_are_on(client, therapist, run_scheduler, new_yorker):
    run_scheduler(utc(2026, 11, 6, 23, 0))
    client.force_login(therapist)
    page = client.get(reverse("client_detail", args=[new_yorker.public_id]))
    assert "Weekly reminders are on: Fridays at 18:00 (America/New_York)." in page.text
    assert "Last one sent Nov 6, 2026" in page.text


# --- the therapist digest -------------------------------------------------


@pytest.fixture
def morning_therapist(therapist):
    therapist.time_zone = "America/Chicago"
    therapist.save()
    return therapist


def test_the_digest_counts_clients_with_new_flags_and_names_nobody(
    run_scheduler, morning_therapist
):
    flagged = [ClientFactory(therapist=morning_therapist) for _ in range(2)]
    for person in flagged:
        checkin_history(person, [{"discomfort": 4}], last_week_at=utc(2026, 11, 9, 20))
    # Tuesday 10 November, 07:00 in Chicago is 13:00 UTC.
    run_scheduler(utc(2026, 11, 10, 12, 45))
    assert reminders_to(morning_therapist) == []
    run_scheduler(utc(2026, 11, 10, 13, 0))
    run_scheduler(utc(2026, 11, 10, 13, 15))
    (digest,) = reminders_to(morning_therapist)
    assert digest.subject == "2 clients with new flags"
    assert "/caseload/?show=flagged" in digest.body
    for person in flagged:
        for private in (person.first_name, person.last_name, person.email):
            assert private not in digest.subject + digest.body + digest.alternatives[0][0]
    assert "List-Unsubscribe" in digest.extra_headers


def test_no_digest_at_weekends_or_with_nothing_new(run_scheduler, morning_therapist):
    person = ClientFactory(therapist=morning_therapist)
    checkin_history(person, [{"discomfort": 4}], last_week_at=utc(2026, 11, 13, 20))
    run_scheduler(utc(2026, 11, 14, 13, 0))  # Saturday
    assert reminders_to(morning_therapist) == []
    run_scheduler(utc(2026, 11, 16, 13, 0))  # Monday: one client flagged since
    run_scheduler(utc(2026, 11, 17, 13, 0))  # Tuesday: nothing new since Monday
    assert len(reminders_to(morning_therapist)) == 1


def test_the_digest_on_demand(client, morning_therapist, django_capture_on_commit_callbacks):
    client.force_login(morning_therapist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("digest_now"))
    assert response.status_code == 302
    (digest,) = reminders_to(morning_therapist)
    assert digest.subject == "No new flags"


def test_reminders_record_their_kind(run_scheduler, new_yorker):
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert list(SentNotification.objects.values_list("kind", flat=True)) == [
        NotificationKind.REMINDER
    ]


def database_url() -> str:
    """The test database, as a URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_database_workers_send_a_doubly_queued_reminder_once(settings, tmp_path):
    """The production path: the scheduler runs twice, so the reminder is queued
    twice in the database, and two db_worker processes take tasks at once."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    person = ClientFactory(time_zone="America/New_York")
    NotificationPreference.objects.create(user=person.current_therapist(), digest_enabled=False)
    with time_machine.travel(utc(2026, 11, 6, 23, 0), tick=False):
        for _ in range(2):
            call_command("send_due_notifications", stdout=io.StringIO())
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 2, "queued twice"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "DEBUG": "1",
    }
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
    ]
    workers = [
        subprocess.Popen(
            [*command, f"--worker-id=w{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for n in range(2)
    ]
    outputs = [worker.communicate(timeout=120)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert SentNotification.objects.filter(user=person).count() == 1
    sent = "".join(path.read_text() for path in tmp_path.iterdir())
    assert sent.count(f"To: {person.email}") == 1


def test_a_mail_outage_never_turns_digest_now_into_an_error_page(
    client, therapist, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    client.force_login(therapist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("digest_now"), follow=True)
    assert response.status_code == 200
    assert "The digest is on its way" in response.text


def test_a_client_keeps_their_phone_number_up_to_date(client, client_a):
    client.force_login(client_a)
    data = {
        "reminders_enabled": "on",
        "reminder_weekday": "4",
        "reminder_hour": "18",
        "time_zone": "America/New_York",
    }
    refused = client.post(reverse("reminders"), {**data, "phone": "not a number"})
    assert refused.status_code == 200 and "Enter a phone number" in refused.text
    assert "not a number" in refused.text
    client.post(reverse("reminders"), {**data, "phone": "+1 555 0142"})
    client_a.refresh_from_db()
    assert client_a.phone == "+1 555 0142"
    client.post(reverse("reminders"), {**data, "phone": ""})
    client_a.refresh_from_db()
    assert client_a.phone == ""


def test_opening_the_settings_pages_writes_nothing(client, client_a, therapist):
    from checkins.models import NotificationPreference

    client.force_login(client_a)
    assert client.get(reverse("reminders")).status_code == 200
    client.force_login(therapist)
    assert client.get(reverse("digest_settings")).status_code == 200
    assert client.get(reverse("client_detail", args=[client_a.public_id])).status_code == 200
    assert not NotificationPreference.objects.exists(), "a page view never writes a row"


def test_an_address_the_server_refuses_holds_up_nobody_else(run_scheduler, therapist, settings):
    from tests.mail_backends import RefusesOneBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.RefusesOneBackend"
    people = friday_clients(therapist, 5)
    RefusesOneBackend.refused = people[1].email
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[:1] + people[2:])
    assert not SentNotification.objects.filter(user=people[1]).exists(), "tried again next run"
    RefusesOneBackend.refused = "nobody@example.com"
    run_scheduler(utc(2026, 11, 6, 23, 15))
    assert reminders_to(people[1])


def test_a_failure_while_rendering_leaves_no_claim_without_its_email(
    run_scheduler, therapist, monkeypatch
):
    people = friday_clients(therapist, 3)

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr("checkins.notifications._reminder_email", broken)
    run_scheduler(utc(2026, 11, 6, 23, 0))
    assert mail.outbox == []
    assert not SentNotification.objects.filter(user__in=people).exists()
