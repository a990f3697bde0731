import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from checkins.data_rights import cancel_deletion, csv_safe, request_deletion
from checkins.models import CheckIn, Flag
from guidance.models import ShownAdvice
from portal.models import AccessLog, DeletionRequest, User
from tests.factories import PASSWORD, checkin_history


@pytest.fixture
def history_of_a(client_a, therapist, client):
    checkin_history(
        client_a,
        [
            {"discomfort": 4, "to_raise": '=HYPERLINK("http://x")'},
            {"discomfort": 4, "hoped_for": "+sleep", "share_text_with_therapist": False},
            {"in_crisis": True, "to_raise": "@home it is hard"},
        ],
    )
    client.force_login(therapist)
    client.get(reverse("client_detail", args=[client_a.public_id]))
    client.logout()
    return client_a


def test_the_json_export_holds_every_record_tied_to_the_client(client, history_of_a):
    client.force_login(history_of_a)
    response = client.get(reverse("my_data_json"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == history_of_a.email
    assert len(data["checkins"]) == CheckIn.objects.filter(client=history_of_a).count() == 3
    assert {c["to_raise"] for c in data["checkins"]} >= {"@home it is hard"}
    shown = sum(len(c["advice_shown"]) for c in data["checkins"])
    assert shown == ShownAdvice.objects.filter(checkin__client=history_of_a).count() > 0
    assert len(data["flags"]) == Flag.objects.filter(client=history_of_a).count() > 0
    assert len(data["access_log"]) == AccessLog.objects.filter(client=history_of_a).count() == 1
    assert data["therapists"][0]["until"] is None
    (session,) = data["signed_in_sessions"]
    assert client.session.session_key not in json.dumps(data), "never the key that signs in"


def test_the_csv_export_escapes_formulas(client, history_of_a):
    client.force_login(history_of_a)
    response = client.get(reverse("my_data_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    cells = [cell for row in rows for cell in row.values()]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+sleep" in cells
    assert "'@home it is hard" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("+x", "'+x"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("ok", "ok"),
        (None, ""),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_a_client_exports_only_their_own_data(client, history_of_a, client_b):
    client.force_login(client_b)
    data = json.loads(client.get(reverse("my_data_json")).content)
    assert data["account"]["email"] == client_b.email
    assert data["checkins"] == []


def test_deletion_waits_for_the_grace_period_then_leaves_nothing(client, history_of_a):
    email = history_of_a.email
    client.force_login(history_of_a)
    client.post(reverse("my_data"), {"action": "delete", "confirm": "yes"})
    request = DeletionRequest.objects.get()
    assert request.due_at - request.requested_at == timedelta(days=30)
    assert "Keep my data" in client.get(reverse("my_data")).text
    call_command("erase_due_clients", stdout=io.StringIO())
    assert CheckIn.objects.filter(client=history_of_a).count() == 3, "not before the grace period"
    client.logout()

    with time_machine.travel(request.due_at + timedelta(minutes=1)):
        call_command("erase_due_clients", stdout=io.StringIO())
    pk = history_of_a.pk
    assert not CheckIn.objects.filter(client_id=pk).exists()
    assert not CheckIn.history.filter(client_id=pk).exists()
    assert not Flag.objects.filter(client_id=pk).exists()
    assert not Flag.history.filter(client_id=pk).exists()
    assert not ShownAdvice.objects.filter(checkin__client_id=pk).exists()
    erased = User.objects.get(pk=pk)
    assert erased.email.endswith("@invalid") and not erased.first_name and not erased.is_active
    request.refresh_from_db()
    assert request.completed_at is not None, "the record that it happened stays"
    assert request.client_ref == str(erased.public_id)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 200, "the old sign-in no longer works"
    assert "_auth_user_id" not in client.session


def test_asking_to_delete_asks_once_what_goes_and_when_before_anything_is_scheduled(
    client, history_of_a
):
    history_of_a.time_zone = "Pacific/Kiritimati"  # UTC+14: a day ahead of the server
    history_of_a.save(update_fields=["time_zone"])
    client.force_login(history_of_a)
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), tick=False):
        first = client.post(reverse("my_data"), {"action": "delete"})
        assert first.status_code == 200
        assert not DeletionRequest.objects.exists(), "one tap deletes nothing"
        text = " ".join(first.text.split())
        assert "Delete your data?" in text
        assert "your check-ins and your answers to them" in text and "your account" in text
        assert "your agenda" in text
        # Thirty days after noon on 2 March in UTC is 2:00 on 2 April in Kiritimati.
        assert "When: on <strong>April 2, 2026</strong>" in text
        assert "Until then you can cancel" in text
        assert 'name="confirm" value="yes"' in text
        client.post(reverse("my_data"), {"action": "delete", "confirm": "yes"})
    assert DeletionRequest.objects.filter(client=history_of_a).count() == 1


def test_a_client_can_change_their_mind(client, history_of_a):
    client.force_login(history_of_a)
    client.post(reverse("my_data"), {"action": "delete", "confirm": "yes"})
    client.post(reverse("my_data"), {"action": "cancel"})
    request = DeletionRequest.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("erase_due_clients", stdout=io.StringIO())
    assert CheckIn.objects.filter(client=history_of_a).count() == 3
    assert request.cancelled_at is not None
    assert request.completed_at is None


def test_an_erasure_whose_account_is_gone_does_not_block_the_others(client_a, client_b):
    from checkins.data_rights import erase_due, request_deletion

    first = request_deletion(client=client_a)
    request_deletion(client=client_b)
    User.objects.filter(pk=client_a.pk).delete()  # removed outright in the admin
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert erase_due() == 2
    first.refresh_from_db()
    assert first.completed_at is not None
    assert User.objects.get(pk=client_b.pk).email.endswith("@invalid")


def test_erasure_scrubs_every_invitation_to_the_client(client_a, therapist):
    from checkins.data_rights import erase_client, request_deletion
    from portal.models import Invitation
    from tests.factories import invitation_with_token

    old, _ = invitation_with_token(therapist=therapist, email=client_a.email.upper())
    old.revoked_at = timezone.now()
    old.save()
    erase_client(request=request_deletion(client=client_a))
    assert not Invitation.objects.filter(email__iexact=client_a.email).exists()


def test_the_database_holds_one_pending_deletion_per_client(client_a):
    """Twenty presses at once may race past the check in Python; the database
    constraint still keeps one pending request."""
    from django.db import IntegrityError, transaction

    first = request_deletion(client=client_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeletionRequest.objects.create(
            client=client_a, client_ref=first.client_ref, due_at=first.due_at
        )
    assert request_deletion(client=client_a) == first
    cancel_deletion(client=client_a)
    assert request_deletion(client=client_a) != first, "a new request after a cancel"


# -- Everything, in both directions ------------------------------------------

SECRET_TEXT = "my secret sorrow about the winter"


PHQ9_ANSWERS = [1, 2, 3, 0, 1, 2, 3, 0, 1]


@pytest.fixture
def full_record(client_a, therapist, staff, django_capture_on_commit_callbacks):
    """A client with a row in every table the portal keeps about a person."""
    from allauth.account.models import EmailAddress
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from checkins.models import NotificationPreference, SentNotification
    from checkins.safety import record_safety_action
    from checkins.services import submit_checkin
    from portal.models import Invitation
    from tests.factories import answers, invitation_with_token

    invitation, _ = invitation_with_token(therapist=therapist, email=client_a.email)
    invitation.accepted_by, invitation.accepted_at = client_a, timezone.now()
    invitation.save()
    client_a.first_name, client_a.last_name = "Wilhelmina", "Quartermaine"
    client_a.phone = "+1 555 0199"
    client_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit_checkin(client=client_a, data=answers(to_raise="first words", in_crisis=True))
        submit_checkin(  # an edit: the first answers live on in the edit history
            client=client_a,
            data=answers(
                to_raise=SECRET_TEXT,
                hoped_for=SECRET_TEXT,
                in_crisis=True,
                measures={"phq9": {"answers": PHQ9_ANSWERS, "follow_up": 2}},
            ),
        )
    flag = Flag.objects.get(client=client_a, kind="crisis")
    record_safety_action(
        flag=flag,
        by=therapist,
        kind="contacted",
        done_at=timezone.now(),
        method="phone",
        note="Wilhelmina is safe tonight",
    )
    from checkins.agenda import add_item

    add_item(client=client_a, text=f"Agenda: {SECRET_TEXT}")
    NotificationPreference.objects.create(user=client_a, reminder_hour=9)
    SentNotification.objects.create(user=client_a, kind="reminder", period=timezone.localdate())
    for queryset in (
        User.objects.filter(pk=client_a.pk),
        Invitation.objects.filter(pk=invitation.pk),
        EmailAddress.objects.filter(user=client_a),
    ):
        LogEntry.objects.log_actions(
            user_id=staff.pk, queryset=queryset, action_flag=CHANGE, change_message="Changed."
        )
    assert ContentType.objects.exists()
    return client_a


def test_the_export_holds_every_table_that_refers_to_the_client(client, full_record):
    client.force_login(full_record)
    data = json.loads(client.get(reverse("my_data_json")).content)
    assert data["account"]["phone"] == "+1 555 0199"
    assert [v["to_raise"] for v in data["checkin_versions"]] == ["first words", SECRET_TEXT]
    (flag,) = [f for f in data["flags"] if f["kind"] == "crisis"]
    assert flag["score"] is not None and flag["actions"][0]["what"] == "Contacted the client"
    assert flag["alerts"][0]["what"] == "Alert to the therapist"
    assert data["flag_versions"], "earlier versions of flags"
    assert data["reminder_settings"][0]["reminder_hour"] == 9
    assert data["emails_sent"][0]["what"] == "Check-in reminder"
    (invitation,) = data["invitations"]
    assert invitation["from"] and invitation["accepted_at"]
    assert data["account"]["email_addresses"][0]["email"] == full_record.email


def test_every_model_that_refers_to_a_client_is_exported_or_says_why_not():
    from django.apps import apps

    from checkins.models import CheckIn, Flag

    exported = {
        "portal.User",
        "account.EmailAddress",
        "mfa.Authenticator",
        "portal.CaseloadAssignment",
        "portal.Invitation",
        "portal.AccessLog",
        "portal.DeletionRequest",
        "portal.SignedInSession",
        "checkins.CheckIn",
        "checkins.HistoricalCheckIn",
        "checkins.Flag",
        "checkins.HistoricalFlag",
        "checkins.AgendaItem",
        "checkins.HistoricalAgendaItem",
        "checkins.MeasureResponse",
        "checkins.HistoricalMeasureResponse",
        "checkins.SafetyAction",
        "checkins.SafetyAlert",
        "checkins.NotificationPreference",
        "checkins.SentNotification",
        "guidance.ShownAdvice",
    }
    not_exported = {
        # Staff's own actions in the admin; erased with the client's records.
        "admin.LogEntry",
    }
    about_a_client = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in (User, CheckIn, Flag)
    }
    assert about_a_client <= exported | not_exported, about_a_client - exported - not_exported


def test_erasure_leaves_no_trace_of_the_person_in_any_table(full_record):
    from django.db import connection

    from checkins.data_rights import erase_client, request_deletion

    needles = [
        "Wilhelmina",
        "Quartermaine",
        full_record.email,
        "555 0199",
        SECRET_TEXT,
        "first words",
    ]
    erase_client(request=request_deletion(client=full_record))
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found += [(table, needle) for needle in needles if needle in text]
    assert found == []
    from checkins.models import MeasureResponse

    assert not MeasureResponse.objects.filter(client=full_record).exists()
    assert not MeasureResponse.history.filter(client_id=full_record.pk).exists()


def test_the_export_holds_every_questionnaire_answer_and_score(full_record, client):
    import csv
    import io
    import json

    client.force_login(full_record)
    data = json.loads(client.get("/me/data/export.json").content)
    (week,) = [c for c in data["checkins"] if c["questionnaires"]]
    (phq9,) = week["questionnaires"]
    assert [a["score"] for a in phq9["answers"]] == PHQ9_ANSWERS
    assert phq9["answers"][8]["answer"] == "Several days"
    assert phq9["total"] == sum(PHQ9_ANSWERS) == 13
    assert phq9["range"] == "Moderate"
    assert phq9["follow_up"] == "Very difficult"
    assert "Kroenke" in phq9["source"]
    assert data["questionnaire_versions"], "the edit history of the answers too"

    rows = list(csv.DictReader(io.StringIO(client.get("/me/data/export.csv").content.decode())))
    (row,) = [r for r in rows if r["phq9_total"]]
    assert [int(row[f"phq9_{n}"]) for n in range(1, 10)] == PHQ9_ANSWERS
    assert row["phq9_total"] == "13" and row["phq9_follow_up"] == "2"
    assert row["gad7_total"] == "", "a questionnaire not answered that week stays empty"


@pytest.mark.parametrize(("language", "words"), [("en", "14 days"), ("es", "14 días")])
def test_the_page_says_how_long_the_client_has_to_change_their_mind(
    client, client_a, settings, language, words
):
    """The grace period is a setting (DELETION_GRACE_DAYS): the page says the true one."""
    settings.DELETION_GRACE_DAYS = 14
    client_a.language = language
    client_a.save(update_fields=["language"])
    client.force_login(client_a)
    page = client.get(reverse("my_data")).content.decode()
    assert words in page
    assert "30 days" not in page and "30 días" not in page
