"""The crisis pathway, stated as a clinician would: help at once, a therapist who
is told and records what they did, and someone else who hears if nobody acts."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from checkins.models import Flag, FlagKind, FlagStatus, SafetyAlert, SafetyAlertKind
from checkins.safety import (
    ALERT_SUBJECTS,
    METHOD_REQUIRED,
    NOTE_REQUIRED_TO_CLEAR,
    WHEN_IN_FUTURE,
    SafetyError,
    record_safety_action,
)
from checkins.services import FlagError, dismiss_flag, raise_flag, submit_checkin
from checkins.tasks import enqueue_due_notifications
from portal.models import CrisisContact
from tests.factories import ClientFactory, StaffFactory, answers, form_data

FAILING_MAIL = "tests.mail_backends.FailingBackend"


def alerts(outbox) -> list[list[str]]:
    """The recipients of the crisis alerts and escalations sent (the scheduler's
    sweep also sends reminders and digests, which are not what these tests are about)."""
    return [m.to for m in outbox if m.subject in ALERT_SUBJECTS.values()]


def crisis_flag(client):
    return Flag.objects.active().get(client=client, kind=FlagKind.CRISIS)


@pytest.fixture
def signed_in_client(client, client_a):
    client.force_login(client_a)
    return client


@pytest.fixture
def signed_in_therapist(client, therapist):
    client.force_login(therapist)
    return client


# -- The client in crisis ---------------------------------------------------


def test_a_client_in_crisis_can_tap_to_call_or_text_the_practices_own_lines(
    signed_in_client, client_a
):
    CrisisContact.objects.create(
        practice=client_a.practice,
        name="Samaritans",
        call_number="116 123",
        text_number="",
        hours="24 hours a day",
    )
    CrisisContact.objects.create(
        practice=client_a.practice, name="Shout", text_number="85258", hours="Any time"
    )
    response = signed_in_client.post(reverse("checkin"), form_data(in_crisis=True), follow=True)
    html = response.content.decode()
    assert 'href="tel:116123"' in html
    assert 'href="sms:85258"' in html
    assert "tel:988" not in html, "a practice's own lines replace the national defaults"
    # Help comes before anything else on the page.
    assert html.index("Please get help now") < html.index("Thank you, your check-in is saved")


def test_without_its_own_contacts_a_practice_shows_the_national_lines(signed_in_client):
    response = signed_in_client.post(reverse("checkin"), form_data(in_crisis=True), follow=True)
    html = response.content.decode()
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="tel:911"' in html


def test_a_client_in_crisis_is_never_told_to_give_therapy_more_time(signed_in_client):
    response = signed_in_client.post(
        reverse("checkin"),
        form_data(
            in_crisis=True,
            sessions_attended=2,
            expectations=1,
            homework="not_done",
            barrier_life_events=True,
            barrier_money=True,
            felt_worse_after_session=True,
        ),
        follow=True,
    )
    titles = [shown.title for shown in response.context["advice"]]
    assert titles == ["Telling someone was the right thing to do"]
    html = response.content.decode()
    for wrong in ("too soon to judge", "a little longer", "pause", "next session"):
        assert wrong not in html.split("Thank you, your check-in is saved")[1].lower(), wrong


# -- The therapist's crisis flag -------------------------------------------


def test_a_crisis_flag_gives_safety_advice_not_a_pause(signed_in_therapist, client_a):
    submit_checkin(client=client_a, data=answers(in_crisis=True, barrier_life_events=True))
    page = signed_in_therapist.get(reverse("client_detail", args=[client_a.public_id]))
    (item,) = [i for i in page.context["flag_items"] if i["flag"].kind == FlagKind.CRISIS]
    assert [advice.key for advice in item["advice"]] == ["therapist-crisis-safety"]
    html = page.content.decode()
    crisis_card = html[html.index('data-kind="crisis"') :].split("</article>")[0]
    assert "agree a pause" not in crisis_card
    assert "Record: contacted the client" in crisis_card


def test_the_crisis_flag_shows_the_clients_shared_words_and_their_phone(
    signed_in_therapist, client_a
):
    client_a.phone = "+1 555 0100"
    client_a.save()
    submit_checkin(client=client_a, data=answers(in_crisis=True, to_raise="I can't sleep at all"))
    html = signed_in_therapist.get(
        reverse("client_detail", args=[client_a.public_id])
    ).content.decode()
    crisis_card = html[html.index('data-kind="crisis"') :].split("</article>")[0]
    assert "I can&#x27;t sleep at all" in crisis_card
    assert 'href="tel:+1 555 0100"' in crisis_card


def test_words_the_client_kept_private_stay_private_on_the_crisis_flag(
    signed_in_therapist, client_a
):
    submit_checkin(
        client=client_a,
        data=answers(in_crisis=True, to_raise="only for me", share_text_with_therapist=False),
    )
    html = signed_in_therapist.get(
        reverse("client_detail", args=[client_a.public_id])
    ).content.decode()
    assert "only for me" not in html
    assert "kept it private" in html


def test_a_crisis_flag_is_not_raised_or_dismissed_like_a_trend(
    signed_in_therapist, client_a, therapist
):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = crisis_flag(client_a)
    with pytest.raises(FlagError):
        dismiss_flag(flag=flag, by=therapist, reason="fine now")
    with pytest.raises(FlagError):
        raise_flag(flag=flag, by=therapist, raised_on=timezone.localdate(), note="talked")
    url = reverse("flag_dismiss", args=[client_a.public_id, flag.pk])
    assert signed_in_therapist.post(url, {f"dismiss-{flag.pk}-reason": "x"}).status_code == 404
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_the_therapist_records_contacting_the_client(signed_in_therapist, client_a, therapist):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = crisis_flag(client_a)
    when = timezone.localtime()
    response = signed_in_therapist.post(
        reverse("flag_safety_action", args=[client_a.public_id, flag.pk, "contacted"]),
        {
            f"contacted-{flag.pk}-done_at": when.strftime("%Y-%m-%dT%H:%M"),
            f"contacted-{flag.pk}-method": "phone",
            f"contacted-{flag.pk}-note": "Safe tonight; sister with her",
        },
    )
    assert response.status_code == 302
    (action,) = flag.safety_actions.all()
    assert (action.kind, action.method, action.by) == ("contacted", "phone", therapist)
    assert action.done_at == when.replace(second=0, microsecond=0)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN, "contact alone does not clear the crisis"
    html = signed_in_therapist.get(response.url).content.decode()
    assert "Contacted the client" in html and "Safe tonight; sister with her" in html


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("contacted", {"method": ""}, METHOD_REQUIRED),
        ("cleared", {"note": " "}, NOTE_REQUIRED_TO_CLEAR),
    ],
)
def test_a_crisis_action_missing_what_it_needs_is_refused_with_a_clear_message(
    signed_in_therapist, client_a, kind, fields, message
):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = crisis_flag(client_a)
    data = {f"{kind}-{flag.pk}-done_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    data.update({f"{kind}-{flag.pk}-{name}": value for name, value in fields.items()})
    response = signed_in_therapist.post(
        reverse("flag_safety_action", args=[client_a.public_id, flag.pk, kind]), data
    )
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not flag.safety_actions.exists()


def test_an_action_cannot_be_dated_in_the_future(client_a, therapist):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    with pytest.raises(SafetyError, match=WHEN_IN_FUTURE):
        record_safety_action(
            flag=crisis_flag(client_a),
            by=therapist,
            kind="safety_plan",
            done_at=timezone.now() + timedelta(days=1),
        )


def test_clearing_needs_a_note_and_keeps_the_flag_quiet_until_a_new_crisis(client_a, therapist):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    flag = crisis_flag(client_a)
    record_safety_action(
        flag=flag, by=therapist, kind="cleared", done_at=timezone.now(), note="Plan agreed"
    )
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.handled_by) == (
        FlagStatus.CLEARED,
        "Plan agreed",
        therapist,
    )
    submit_checkin(client=client_a, data=answers(in_crisis=True))  # the same week, edited
    assert crisis_flag(client_a).status == FlagStatus.CLEARED


# -- Alerts and escalation --------------------------------------------------


def test_the_therapist_is_alerted_once_and_the_alert_is_recorded(
    client_a, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True, wellbeing=1))
    assert alerts(mailoutbox) == [[therapist.email]]
    (alert,) = crisis_flag(client_a).alerts.all()
    assert alert.kind == SafetyAlertKind.THERAPIST and alert.sent_at is not None


def test_a_mail_outage_never_turns_a_crisis_answer_into_an_error_page_nor_loses_the_alert(
    signed_in_client, client_a, therapist, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client.post(reverse("checkin"), form_data(in_crisis=True))
    assert response.status_code == 302
    assert "Please get help now" in signed_in_client.get(response.url).content.decode()
    alert = SafetyAlert.objects.get(flag__client=client_a)
    assert (alert.sent_at, alert.attempts) == (None, 1)
    assert "mail server is down" in alert.last_error
    # The mail server comes back; the next scheduled sweep sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications(now=timezone.now() + timedelta(minutes=15))
    alert.refresh_from_db()
    assert alert.sent_at is not None
    assert alerts(mailoutbox) == [[therapist.email]]


def test_a_crisis_nobody_acts_on_escalates_once_to_the_on_call_contact_without_client_data(
    client_a, therapist, mailoutbox, django_capture_on_commit_callbacks, settings
):
    practice = client_a.practice
    practice.on_call_name, practice.on_call_email = "Dr On-Call", "oncall@example.org"
    practice.save()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True, to_raise="I cannot go on"))
    mailoutbox.clear()
    hours = settings.CRISIS_ESCALATION_HOURS
    for minutes_after, expected in [(hours * 60 - 1, 0), (hours * 60 + 1, 1), (hours * 60 + 30, 1)]:
        with (
            time_machine.travel(start + timedelta(minutes=minutes_after), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            enqueue_due_notifications()
        assert len(alerts(mailoutbox)) == expected, f"{minutes_after} minutes after the answer"
    (message,) = [m for m in mailoutbox if m.subject in ALERT_SUBJECTS.values()]
    assert message.to == ["oncall@example.org"]
    assert therapist.display_name in message.body
    for private in (client_a.first_name, client_a.last_name, client_a.email, "cannot go on"):
        assert private not in message.subject + message.body
    escalation = crisis_flag(client_a).alerts.get(kind=SafetyAlertKind.ESCALATION)
    assert escalation.sent_at is not None


def test_a_recorded_action_stops_the_escalation(
    client_a, therapist, mailoutbox, django_capture_on_commit_callbacks, settings
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    record_safety_action(
        flag=crisis_flag(client_a), by=therapist, kind="contacted", done_at=start, method="phone"
    )
    mailoutbox.clear()
    later = start + timedelta(hours=settings.CRISIS_ESCALATION_HOURS + 1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications()
    assert alerts(mailoutbox) == []


def test_without_an_on_call_contact_the_practices_staff_hear(
    client_a, mailoutbox, django_capture_on_commit_callbacks, settings
):
    staff = StaffFactory(practice=client_a.practice)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    mailoutbox.clear()
    later = start + timedelta(hours=settings.CRISIS_ESCALATION_HOURS, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications()
    assert alerts(mailoutbox) == [[staff.email]]


def test_a_client_without_a_therapist_goes_straight_to_the_on_call_contact(
    practice, mailoutbox, django_capture_on_commit_callbacks
):
    practice.on_call_email = "oncall@example.org"
    practice.save()
    person = ClientFactory(practice=practice)
    person.assignments.update(ended_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=person, data=answers(in_crisis=True))
    assert alerts(mailoutbox) == [["oncall@example.org"]]


def test_an_escalation_that_fails_to_send_is_kept_and_retried(
    client_a, settings, mailoutbox, django_capture_on_commit_callbacks
):
    client_a.practice.on_call_email = "oncall@example.org"
    client_a.practice.save()
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    settings.EMAIL_BACKEND = FAILING_MAIL
    later = start + timedelta(hours=settings.CRISIS_ESCALATION_HOURS, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications()
    escalation = SafetyAlert.objects.get(kind=SafetyAlertKind.ESCALATION)
    assert escalation.sent_at is None and escalation.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with (
        time_machine.travel(later + timedelta(minutes=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_due_notifications()
    escalation.refresh_from_db()
    assert escalation.sent_at is not None
    assert SafetyAlert.objects.filter(kind=SafetyAlertKind.ESCALATION).count() == 1


def test_an_escalation_with_nobody_to_tell_stays_unsent_and_says_why(
    client_a, settings, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    later = start + timedelta(hours=settings.CRISIS_ESCALATION_HOURS, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications()
    escalation = SafetyAlert.objects.get(kind=SafetyAlertKind.ESCALATION)
    assert escalation.sent_at is None and "on-call email" in escalation.last_error
    # Once the practice names its on-call contact, the next sweep reaches them.
    client_a.practice.on_call_email = "oncall@example.org"
    client_a.practice.save()
    with (
        time_machine.travel(later + timedelta(minutes=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_due_notifications()
    assert alerts(mailoutbox)[-1] == ["oncall@example.org"]


def test_the_crisis_help_stays_on_the_clients_home_page_all_that_week(signed_in_client, client_a):
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    html = signed_in_client.get(reverse("client_home")).content.decode()
    assert "Please get help now" in html and 'href="tel:988"' in html


def test_a_new_crisis_week_alerts_again_even_after_the_last_one_was_followed_up(
    client_a, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True), now=start)
    record_safety_action(
        flag=crisis_flag(client_a), by=therapist, kind="contacted", done_at=start, method="phone"
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(
            client=client_a, data=answers(in_crisis=True), now=start + timedelta(weeks=1)
        )
    assert alerts(mailoutbox) == [[therapist.email], [therapist.email]]
    new = crisis_flag(client_a)
    assert not new.safety_actions.exists(), "the new answer waits for its own follow-up"
    later = start + timedelta(weeks=1, hours=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        enqueue_due_notifications()
    assert new.alerts.filter(kind=SafetyAlertKind.ESCALATION).exists(), "and escalates if none"


def test_an_alert_with_only_blank_addresses_is_never_counted_as_sent(client_a, settings):
    from checkins.safety import NOBODY_TO_TELL, deliver_safety_alert

    settings.ESCALATION_FALLBACK_EMAILS = []
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    alert = SafetyAlert.objects.create(
        flag=crisis_flag(client_a), kind=SafetyAlertKind.ESCALATION, recipients=[""]
    )
    assert deliver_safety_alert(alert.pk) is False
    alert.refresh_from_db()
    assert alert.sent_at is None and alert.last_error == NOBODY_TO_TELL


def test_an_alert_for_a_flag_cleared_meanwhile_is_not_sent(
    client_a, therapist, settings, mailoutbox
):
    from checkins.safety import deliver_safety_alert

    settings.EMAIL_BACKEND = FAILING_MAIL
    submit_checkin(client=client_a, data=answers(in_crisis=True))
    alert = SafetyAlert.objects.get()
    record_safety_action(
        flag=crisis_flag(client_a),
        by=therapist,
        kind="cleared",
        done_at=timezone.now(),
        note="Seen in person today",
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_safety_alert(alert.pk) is False
    assert alerts(mailoutbox) == []


def test_with_the_production_task_queue_a_failed_alert_is_queued_again_for_later(
    client_a, settings, django_capture_on_commit_callbacks
):
    """The database task backend can defer work: a failed send queues its own retry."""
    from django_tasks_db.models import DBTaskResult

    from checkins.safety import deliver_safety_alert

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = FAILING_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "checkins.tasks.send_safety_alert"
    alert = SafetyAlert.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_safety_alert(alert.pk) is False  # what the worker runs
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.task_path == "checkins.tasks.send_safety_alert"
    assert retry.run_after > timezone.now() + timedelta(seconds=30), "a minute later"
    assert retry.args_kwargs["kwargs"] == {"alert_id": alert.pk}
