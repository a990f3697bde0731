"""Every admin URL, for every actor, GET and POST: nobody but staff gets in, no
page fails, no post changes a clinical record, a practice's staff see and act on
their own practice alone, and no admin page shows what a client wrote.

The URLs come from the public APIs: every installed model the admin site has
registered, and the named patterns of its model admin."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from checkins.agenda import add_item, mark_talked_about, record_answers
from checkins.models import (
    AgendaItem,
    CheckIn,
    Flag,
    FlagKind,
    FlagStatus,
    MeasureResponse,
    SafetyAction,
    SafetyAlert,
)
from checkins.services import submit_checkin
from clinical.vocabulary import AgendaOutcome
from guidance.models import Advice, ShownAdvice
from portal.models import AccessLog, CaseloadAssignment, Practice, User
from tests.factories import (
    ClientFactory,
    LeadFactory,
    PracticeFactory,
    StaffFactory,
    TherapistFactory,
    answers,
)

# Written by the client into every free-text field and agenda item, and quoted
# by the flag their agenda item opened.
MARKER = "ZZCLIENTWORDS"

CLINICAL = [CheckIn, MeasureResponse, Flag, SafetyAction, SafetyAlert, AgendaItem, ShownAdvice]
# Rows a practice's staff may change for their own practice, never for another's.
PRACTICE_ROWS = {
    CaseloadAssignment: "client__practice",
    User: "practice",
    Practice: "pk",
}

NON_STAFF = ["anonymous", "client_a", "therapist", "lead"]
STAFF = ["staff", "other_staff", "operator"]


def practice_staff(practice) -> User:
    """A practice administrator the operator trusted with every permission: the
    admin's own checks, not the permissions, keep them to their practice."""
    person = StaffFactory(practice=practice, is_superuser=False)
    person.user_permissions.set(Permission.objects.all())
    return person


@pytest.fixture
def world(db, client_a, client_b, therapist, other_therapist, practice):
    checkin = submit_checkin(
        client=client_a,
        data=answers(
            in_crisis=True,
            hoped_for=MARKER,
            to_raise=MARKER,
            sessions_attended=0,
            sessions_reason=MARKER,
        ),
    )
    item = add_item(client=client_a, text=f"{MARKER} my sleep")
    mark_talked_about(item=item, by=therapist, note=f"{MARKER} note")
    record_answers(client=client_a, answers={item.pk: AgendaOutcome.NOT_REALLY}, week=date.today())
    crisis = Flag.objects.get(client=client_a, kind=FlagKind.CRISIS)
    agenda_flag = Flag.objects.get(client=client_a, kind=FlagKind.AGENDA_FOLLOW_UP)
    assert MARKER in agenda_flag.summary

    elsewhere = PracticeFactory()
    far_therapist = TherapistFactory(practice=elsewhere)
    far_client = ClientFactory(practice=elsewhere, therapist=far_therapist)
    operator = StaffFactory(practice=None)
    # The operator changed the client's account once: the admin's action log names her.
    LogEntry.objects.log_actions(
        user_id=operator.pk, queryset=[client_a], action_flag=CHANGE, change_message=""
    )
    AccessLog.objects.create(
        actor=therapist, actor_email=therapist.email, client=client_a, view="x", outcome="allowed"
    )
    return {
        "practice": practice,
        "client_a": client_a,
        "client_b": client_b,
        "therapist": therapist,
        "other_therapist": other_therapist,
        "lead": LeadFactory(practice=practice),
        "staff": practice_staff(practice),
        "other_staff": practice_staff(elsewhere),
        "operator": operator,
        "far_therapist": far_therapist,
        "far_client": far_client,
        "checkin": checkin,
        "crisis": crisis,
        "agenda_flag": agenda_flag,
        "group": Group.objects.create(name="Practice administrators"),
    }


# The object of each registered model that belongs to the world's practice.
SAMPLES = {
    CheckIn: lambda w: [w["checkin"]],
    Flag: lambda w: [w["crisis"], w["agenda_flag"]],
    User: lambda w: [w["client_a"], w["therapist"]],
    Practice: lambda w: [w["practice"]],
    EmailAddress: lambda w: [EmailAddress.objects.get(user=w["client_a"])],
    EmailConfirmation: lambda w: [
        EmailConfirmation.objects.create(
            email_address=EmailAddress.objects.get(user=w["client_a"]), key="k" * 64
        )
    ],
    Authenticator: lambda w: list(Authenticator.objects.filter(user=w["therapist"])),
    AccessLog: lambda w: list(AccessLog.objects.filter(client=w["client_a"])[:1]),
    Group: lambda w: [w["group"]],
    Advice: lambda w: list(Advice.objects.all()[:1]),
}


def registered_models():
    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def admin_urls(world) -> list[str]:
    """The changelist, add, change, delete, history, history-version, password
    and autocomplete URLs of every registered model, for the world's objects."""
    urls = []
    for model in registered_models():
        model_admin = admin.site.get_model_admin(model)
        names = [p.name for p in model_admin.get_urls() if getattr(p, "name", None)]
        for obj in SAMPLES.get(model, lambda w: [])(world):
            history = getattr(obj, "history", None)
            versions = [v.pk for v in history.all()] if history is not None else []
            for name in names:
                for args in ([], [obj.pk], *([obj.pk, v] for v in versions)):
                    try:
                        urls.append(reverse(f"admin:{name}", args=args))
                    except NoReverseMatch:
                        continue
        if not SAMPLES.get(model):
            for name in names:
                try:
                    urls.append(reverse(f"admin:{name}"))
                except NoReverseMatch:
                    continue
        opts = model._meta
        for field in opts.get_fields():
            if field.many_to_one and field.concrete:
                urls.append(
                    reverse("admin:autocomplete")
                    + f"?app_label={opts.app_label}&model_name={opts.model_name}"
                    f"&field_name={field.name}&term="
                )
    urls.append(reverse("admin:index"))
    return sorted(set(urls))


def snapshot(models) -> dict:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def practice_snapshot(practice) -> dict:
    return {
        m._meta.label: list(m.objects.filter(**{path: practice.pk}).order_by("pk").values())
        for m, path in PRACTICE_ROWS.items()
    }


def access_log_rows(before_pk: int):
    return list(AccessLog.objects.filter(pk__lte=before_pk).order_by("pk").values())


def posts(world, url: str) -> list[dict]:
    """What an intruder posts: a crisis flag dismissed, a deletion confirmed, and on
    a list every action on every row, moving clients to another practice."""
    forged = {"status": FlagStatus.DISMISSED, "note": "", "post": "yes"}
    changelists = {reverse(admin_changelist(m)): m for m in registered_models()}
    model = changelists.get(url)
    if model is None:
        return [forged]
    rows = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
    return [forged] + [
        {
            "action": action,
            "_selected_action": rows,
            "therapist": str(world["far_therapist"].pk),
            "post": "yes",
        }
        for action in ("delete_selected", "move_to_therapist", "end_therapy", "make_verified")
    ]


def admin_changelist(model) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"


def sign_in_as(http, world, who):
    if who != "anonymous":
        http.force_login(world[who])


@pytest.mark.parametrize("who", NON_STAFF)
def test_nobody_but_staff_opens_or_posts_to_any_admin_url(client, world, who):
    sign_in_as(client, world, who)
    before = snapshot(CLINICAL), practice_snapshot(world["practice"])
    for url in admin_urls(world):
        for response in [client.get(url), client.post(url, posts(world, url)[0])]:
            assert response.status_code == 302 and "login" in response.url, url
    assert (snapshot(CLINICAL), practice_snapshot(world["practice"])) == before


@pytest.mark.parametrize("who", STAFF)
def test_no_admin_url_fails_or_changes_a_clinical_record(client, world, who):
    sign_in_as(client, world, who)
    last_log = AccessLog.objects.order_by("pk").last().pk
    log_before = access_log_rows(last_log)
    before = snapshot(CLINICAL)
    for url in admin_urls(world):
        assert client.get(url).status_code in (200, 302, 403, 404), url
        for data in posts(world, url):
            assert client.post(url, data).status_code in (200, 302, 400, 403, 404, 405), url
            assert snapshot(CLINICAL) == before, f"{url} changed a clinical record with {data}"
    # The access log only grows.
    assert access_log_rows(last_log) == log_before


def test_staff_of_another_practice_see_and_change_nothing_of_this_one(client, world):
    client.force_login(world["other_staff"])
    before = snapshot(CLINICAL), practice_snapshot(world["practice"])
    people = [world[k] for k in ("client_a", "client_b", "therapist", "other_therapist")]
    for url in admin_urls(world):
        page = client.get(url)
        text = page.content.decode(errors="replace")
        for person in people:
            assert person.email not in text and person.display_name not in text, (url, person)
        for data in posts(world, url):
            client.post(url, data)
    assert (snapshot(CLINICAL), practice_snapshot(world["practice"])) == before


@pytest.mark.parametrize("who", ["staff", "operator"])
def test_no_admin_page_shows_what_a_client_wrote(client, world, who):
    client.force_login(world[who])
    for url in admin_urls(world):
        response = client.get(url)
        assert MARKER not in response.content.decode(errors="replace"), url


def flag_form(flag, **changes) -> dict:
    """The whole change form of a flag, as a browser would post it."""
    data = {
        "client": flag.client_id,
        "kind": flag.kind,
        "severity": flag.severity,
        "score": flag.score,
        "summary": flag.summary,
        "summary_message": "{}",
        "evidence": "[]",
        "status": flag.status,
        "opened_at_0": flag.opened_at.date().isoformat(),
        "opened_at_1": "12:00:00",
        "note": "",
        "client_said": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize("who", ["staff", "operator"])
def test_no_earlier_version_of_a_crisis_flag_closes_it(client, world, who):
    crisis = world["crisis"]
    client.force_login(world[who])
    for version in crisis.history.all():
        url = reverse("admin:checkins_flag_simple_history", args=[crisis.pk, version.pk])
        response = client.post(url, flag_form(crisis, status=FlagStatus.DISMISSED))
        assert response.status_code == 403
    crisis.refresh_from_db()
    assert crisis.status == FlagStatus.OPEN
    assert Flag.objects.active().filter(client=world["client_a"], kind=FlagKind.CRISIS).exists()


def test_a_flags_pages_never_quote_the_clients_agenda_words(client, world):
    flag = world["agenda_flag"]
    client.force_login(world["staff"])
    urls = [
        reverse("admin:checkins_flag_change", args=[flag.pk]),
        reverse("admin:checkins_flag_history", args=[flag.pk]),
        *(
            reverse("admin:checkins_flag_simple_history", args=[flag.pk, v.pk])
            for v in flag.history.all()
        ),
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200
        assert MARKER not in page.content.decode(), url
    # What staff do see: the kind of flag and where it stands.
    change = client.get(urls[0]).content.decode()
    assert str(flag.get_kind_display()) in change and str(flag.get_status_display()) in change


@pytest.mark.parametrize("who", ["other_staff", "operator"])
def test_nobody_moves_a_client_to_another_practices_therapist(client, world, who):
    client.force_login(world[who])
    client.post(
        reverse("admin:portal_user_changelist"),
        {
            "action": "move_to_therapist",
            "_selected_action": [world["client_a"].pk],
            "therapist": world["far_therapist"].pk,
        },
    )
    assert world["client_a"].current_therapist() == world["therapist"]


def test_a_practices_staff_move_clients_within_it(client, world):
    client.force_login(world["staff"])
    client.post(
        reverse("admin:portal_user_changelist"),
        {
            "action": "move_to_therapist",
            "_selected_action": [world["client_a"].pk],
            "therapist": world["other_therapist"].pk,
        },
    )
    assert world["client_a"].current_therapist() == world["other_therapist"]


def page_of(client, name, *args) -> str:
    """The page, or nothing where the person may not open it at all."""
    response = client.get(reverse(name, args=args))
    assert response.status_code in (200, 403), name
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.parametrize("who", ["staff", "operator"])
def test_pages_about_something_else_list_no_client(client, world, who):
    client.force_login(world[who])
    clients = [world["client_a"], world["client_b"], world["far_client"]]
    practice, therapist = world["practice"], world["therapist"]
    crisis = world["crisis"]
    version = crisis.history.first()
    log_row = AccessLog.objects.filter(client=world["client_a"]).first()
    pages = {
        "recent actions": page_of(client, "admin:index"),
        "practice delete": page_of(client, "admin:portal_practice_delete", practice.pk),
        "therapist delete": page_of(client, "admin:portal_user_delete", therapist.pk),
        "invitation add": page_of(client, "admin:portal_invitation_add"),
        "access log list": page_of(client, "admin:portal_accesslog_changelist"),
        "access log row": page_of(client, "admin:portal_accesslog_change", log_row.pk),
    }
    for name, page in pages.items():
        for person in clients:
            assert person.display_name not in page, (name, person)
            assert person.email not in page, (name, person)
    # A crisis flag's earlier version names its own client (logged), nobody else.
    page = page_of(client, "admin:checkins_flag_simple_history", crisis.pk, version.pk)
    assert world["client_b"].display_name not in page
    assert world["far_client"].display_name not in page
    assert "cannot be deleted here" in pages["therapist delete"]
    # A practice comes and goes by the operator alone; even they are told why not.
    if who == "operator":
        assert "cannot be deleted here" in pages["practice delete"]
    else:
        assert pages["practice delete"] == ""


def test_deleting_a_client_in_the_admin_is_refused_with_their_records_kept(client, world):
    client.force_login(world["operator"])
    url = reverse("admin:portal_user_delete", args=[world["client_a"].pk])
    page = client.post(url, {"post": "yes"})
    assert "cannot be deleted here" in page.content.decode()
    assert CheckIn.objects.filter(client=world["client_a"]).exists()


def test_a_practices_staff_cannot_take_over_a_clients_sign_in(client, world):
    """Staff who could change a client's address or set their password could sign
    in as the client and read every word they wrote: neither is possible."""
    person = world["client_a"]
    client.force_login(world["staff"])
    password_page = reverse("admin:auth_user_password_change", args=[person.pk])
    assert client.get(password_page).status_code == 403
    sent = client.post(password_page, {"password1": "Taken-over-9", "password2": "Taken-over-9"})
    assert sent.status_code == 403
    change = reverse("admin:portal_user_change", args=[person.pk])
    page = client.get(change).content.decode()
    assert 'name="email"' not in page, "the client's address is shown, not offered to change"
    person.refresh_from_db()
    assert not person.check_password("Taken-over-9")
