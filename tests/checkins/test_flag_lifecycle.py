"""Flags are stored when a check-in is saved and follow their life cycle."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from checkins.models import CheckIn, Flag, FlagKind, FlagStatus
from checkins.safety import record_safety_action
from checkins.services import (
    FLAG_NOTE_REQUIRED,
    FlagError,
    dismiss_flag,
    raise_flag,
    recompute_flags,
    submit_checkin,
)
from tests.factories import MIDWEEK, answers, checkin_history

pytestmark = pytest.mark.usefixtures("midweek")
NOW = MIDWEEK


def active(client, kind):
    return Flag.objects.active().filter(client=client, kind=kind).first()


def test_saving_a_check_in_opens_a_flag_with_its_evidence(client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = active(client_a, FlagKind.DISCOMFORT)
    assert flag.status == FlagStatus.OPEN
    assert flag.evidence[-1]["value"] == "4/4"


def test_the_trend_ending_closes_the_flag(client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    submit_checkin(client=client_a, data=answers(discomfort=0))  # the same week, edited
    assert active(client_a, FlagKind.DISCOMFORT) is None
    assert Flag.objects.filter(client=client_a, closed_at__isnull=False).count() == 1


def test_a_raised_flag_stays_quiet_until_the_trend_gets_worse(client_a, therapist):
    checkin_history(client_a, [{"discomfort": 3}], last_week_at=NOW - timedelta(weeks=2))
    flag = active(client_a, FlagKind.DISCOMFORT)
    raise_flag(flag=flag, by=therapist, raised_on=timezone.localdate(), note="Talked about it")
    # The same level next week: still there, still handled, no new flag.
    checkin_history(client_a, [{"discomfort": 3}], last_week_at=NOW - timedelta(weeks=1))
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RAISED
    assert flag.closed_at is None
    # Worse: the handled flag is closed and a new open flag takes its place.
    submit_checkin(client=client_a, data=answers(discomfort=4), now=NOW)
    flag.refresh_from_db()
    assert flag.closed_at is not None
    new = active(client_a, FlagKind.DISCOMFORT)
    assert new.pk != flag.pk
    assert new.status == FlagStatus.OPEN


def test_a_dismissed_flag_keeps_its_reason_and_stays_quiet(client_a, therapist):
    checkin_history(client_a, [{"barrier_money": True}], last_week_at=NOW - timedelta(weeks=1))
    flag = active(client_a, FlagKind.BARRIERS)
    dismiss_flag(flag=flag, by=therapist, reason="Fee already reduced")
    submit_checkin(client=client_a, data=answers(barrier_money=True), now=NOW)
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.closed_at) == (
        FlagStatus.DISMISSED,
        "Fee already reduced",
        None,
    )
    # Two barriers instead of one is worse.
    submit_checkin(client=client_a, data=answers(barrier_money=True, barrier_time=True), now=NOW)
    assert active(client_a, FlagKind.BARRIERS).status == FlagStatus.OPEN


def test_a_crisis_stays_until_the_therapist_clears_it(client_a, therapist):
    checkin_history(client_a, [{"in_crisis": True}], last_week_at=NOW - timedelta(weeks=1))
    submit_checkin(client=client_a, data=answers(in_crisis=False), now=NOW)
    crisis = active(client_a, FlagKind.CRISIS)
    assert crisis is not None and crisis.is_open, "a calmer week does not clear a crisis"
    record_safety_action(
        flag=crisis, by=therapist, kind="cleared", done_at=NOW, note="Called; safety plan agreed"
    )
    recompute_flags(client=client_a, now=NOW)
    assert active(client_a, FlagKind.CRISIS) is None
    # A new crisis answer later is a new alert.
    submit_checkin(client=client_a, data=answers(in_crisis=True), now=NOW + timedelta(weeks=1))
    assert active(client_a, FlagKind.CRISIS).is_open


def test_a_crisis_answer_is_flagged_in_the_same_transaction_as_the_check_in(client_a, monkeypatch):
    """If the crisis flag and its alert cannot be stored, the check-in is not stored
    either: there is never a crisis answer without its flag."""
    from checkins import services

    def broken(flag):
        raise RuntimeError("the alert could not be stored")

    monkeypatch.setattr(services, "alert_on_new_safety_flag", broken)
    with pytest.raises(RuntimeError):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
    assert not CheckIn.objects.filter(client=client_a).exists()
    assert active(client_a, FlagKind.CRISIS) is None
    monkeypatch.undo()
    checkin = submit_checkin(client=client_a, data=answers(in_crisis=True))
    assert checkin.pk and active(client_a, FlagKind.CRISIS).is_open


def test_handling_needs_a_note(client_a, therapist):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = active(client_a, FlagKind.DISCOMFORT)
    with pytest.raises(FlagError, match=FLAG_NOTE_REQUIRED):
        raise_flag(flag=flag, by=therapist, raised_on=timezone.localdate(), note="  ")
    with pytest.raises(FlagError, match=FLAG_NOTE_REQUIRED):
        dismiss_flag(flag=flag, by=therapist, reason="")
    flag.refresh_from_db()
    assert flag.is_open


def test_the_daily_recompute_flags_clients_who_stopped_checking_in(client_a):
    checkin_history(client_a, [{}, {}], last_week_at=NOW - timedelta(weeks=4))
    assert active(client_a, FlagKind.CHECKINS_STOPPED) is None, "nothing is saved for silence"
    out = StringIO()
    call_command("recompute_flags", stdout=out)
    assert "1/1" in out.getvalue()
    assert active(client_a, FlagKind.CHECKINS_STOPPED).summary.startswith("No check-in for 3 weeks")
    # Checking in again ends it.
    submit_checkin(client=client_a, data=answers())
    assert active(client_a, FlagKind.CHECKINS_STOPPED) is None


def test_recompute_applies_new_thresholds(client_a, settings):
    submit_checkin(client=client_a, data=answers(discomfort=3))
    assert active(client_a, FlagKind.DISCOMFORT)
    settings.TREND_THRESHOLDS = {"discomfort_high": 4}
    call_command("recompute_flags", stdout=StringIO())
    assert active(client_a, FlagKind.DISCOMFORT) is None


def test_a_crisis_emails_the_therapist_once_without_client_data(
    client_a, therapist, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(
            client=client_a, data=answers(in_crisis=True, to_raise="I cannot go on", wellbeing=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(in_crisis=True, wellbeing=2))  # edited
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [therapist.email]
    assert message.subject == "A client needs your attention"
    assert "/caseload/" in message.body
    for private in (client_a.first_name, client_a.last_name, client_a.email, "cannot go on"):
        assert private not in message.subject + message.body


def test_no_crisis_email_if_the_check_in_is_rolled_back(
    client_a, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit_checkin(client=client_a, data=answers(in_crisis=True))
        raise RuntimeError("the request failed after the save")
    assert callbacks == []
    assert mailoutbox == []
    assert not CheckIn.objects.filter(client=client_a).exists()


def test_an_unchanged_flag_is_not_rewritten(client_a):
    submit_checkin(client=client_a, data=answers(discomfort=4))
    flag = active(client_a, FlagKind.DISCOMFORT)
    versions = flag.history.count()
    submit_checkin(client=client_a, data=answers(discomfort=4, to_raise="edited text"))
    assert flag.history.count() == versions, "the history shows only real changes"


def wait_for_a_blocked_writer(connection, timeout=10.0):
    """Hold the first transaction open until the second writer is queued behind
    its lock. PostgreSQL shows an ungranted lock in pg_locks; SQLite takes one
    writer at a time, so there the second simply runs after the first commits."""
    if connection.vendor != "postgresql":
        return
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second writer never queued behind the first")


@pytest.mark.django_db(transaction=True)
def test_a_submit_and_the_daily_recompute_at_once_open_one_flag():
    """One writer opens a flag and has not committed when the other starts: the
    second must wait and then find the flag, not open a second one (on
    PostgreSQL that would fail on the unique index once the first commits)."""
    import threading

    from django.db import connection, transaction

    from checkins.services import sync_flags
    from clinical.reading import evaluate
    from clinical.trends import thresholds
    from tests.factories import ClientFactory

    person = ClientFactory()
    checkin_history(person, [{"discomfort": 4}], last_week_at=NOW - timedelta(weeks=1))
    Flag.objects.all().delete()  # as if the rules had just changed: no flag yet
    history = list(CheckIn.objects.filter(client=person))
    findings = evaluate(history, current_week=history[-1].week_start, t=thresholds())
    opened, second_started = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                sync_flags(client=person, findings=findings, now=NOW)
                opened.set()
                second_started.wait(timeout=10)
                wait_for_a_blocked_writer(connection)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            opened.wait(timeout=10)
            second_started.set()
            recompute_flags(client=person, now=NOW)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Flag.objects.active().filter(client=person, kind=FlagKind.DISCOMFORT).count() == 1
