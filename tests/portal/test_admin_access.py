"""Every admin URL, for every actor: who may open it, and that each client it
shows leaves a row in the access log (or the admin cannot show it)."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from checkins.models import CheckIn, Flag
from checkins.services import submit_checkin
from guidance.models import Advice
from portal.models import AccessLog, Invitation, Practice, User
from tests.factories import TOTP_SECRET, StaffFactory, answers, invitation_with_token, sign_in

# For each registered model: the object of it that concerns client_a, or None
# with the reason the model never shows a client.
SAMPLES = {
    CheckIn: lambda w: CheckIn.objects.get(client=w["client_a"]),
    Flag: lambda w: Flag.objects.filter(client=w["client_a"]).first(),
    User: lambda w: w["client_a"],
    Invitation: lambda w: w["accepted_invitation"],
    EmailAddress: lambda w: EmailAddress.objects.get(user=w["client_a"]),
    EmailConfirmation: lambda w: EmailConfirmation.objects.create(
        email_address=EmailAddress.objects.get(user=w["client_a"]), key="k" * 64
    ),
    Authenticator: lambda w: w["client_authenticator"],
}
NO_CLIENT = {
    Group: "groups of staff permissions",
    Practice: "practice settings and crisis contacts",
    Advice: "the advice library",
    AccessLog: "the audit trail itself: pseudonymous ids and staff emails, never a client's name",
    DBTaskResult: "background task results: ids only",
}


@pytest.fixture
def world(client_a, therapist, staff, lead):
    submit_checkin(client=client_a, data=answers(discomfort=4, to_raise="I have doubts"))
    invitation, _ = invitation_with_token(therapist=therapist, email=client_a.email)
    invitation.accepted_by = client_a
    invitation.save()
    from allauth.mfa.totp.internal.auth import TOTP

    return {
        "client_a": client_a,
        "therapist": therapist,
        "staff": staff,
        "lead": lead,
        "accepted_invitation": invitation,
        "client_authenticator": TOTP.activate(client_a, TOTP_SECRET).instance,
    }


def test_every_registered_model_says_whether_it_shows_a_client():
    registered = {m for m in apps.get_models() if admin.site.is_registered(m)}
    assert registered == set(SAMPLES) | set(NO_CLIENT), registered ^ (set(SAMPLES) | set(NO_CLIENT))


def object_urls(model, obj) -> list[str]:
    model_admin = admin.site.get_model_admin(model)
    urls = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name or "object_id" not in str(pattern.pattern) and "id" not in str(pattern.pattern):
            continue
        if "version_id" in str(pattern.pattern):
            continue
        urls.append(reverse(f"admin:{name}", args=[obj.pk]))
    return urls


def list_urls() -> list[str]:
    opts = [model._meta for model in apps.get_models() if admin.site.is_registered(model)]
    return [reverse(f"admin:{o.app_label}_{o.model_name}_changelist") for o in opts]


@pytest.mark.parametrize("model", list(SAMPLES), ids=lambda m: m._meta.label)
def test_every_admin_page_that_shows_a_client_logs_it(client, world, model):
    obj = SAMPLES[model](world)
    assert sign_in(client, world["staff"]).status_code == 302  # two-factor step included
    opts = model._meta
    urls = [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        *object_urls(model, obj),
    ]
    for url in urls:
        before = AccessLog.objects.filter(client=world["client_a"]).count()
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            after = AccessLog.objects.filter(client=world["client_a"]).count()
            assert after == before + 1, f"{url} showed the client without a log row"


@pytest.mark.parametrize("who", ["anonymous", "client_a", "therapist", "lead"])
def test_nobody_but_staff_opens_any_admin_page(client, world, who):
    if who != "anonymous":
        assert sign_in(client, world[who]).status_code == 302  # two-factor step included
    urls = list_urls() + [
        url for model, sample in SAMPLES.items() for url in object_urls(model, sample(world))
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url


def test_staff_without_two_factor_are_sent_to_set_it_up(client, world):
    person = StaffFactory(two_factor=False)
    client.force_login(person)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "2fa" in response.url


@pytest.mark.parametrize("field", ["to_raise", "hoped_for", "sessions_reason"])
@pytest.mark.parametrize(
    "path",
    [
        "admin:checkins_checkin_changelist",
        "admin:portal_user_changelist",
    ],
)
def test_staff_cannot_learn_private_text_through_any_admin_lookup(client, world, field, path):
    client.force_login(world["staff"])
    prefix = "" if path.startswith("admin:checkins") else "checkins__"
    answers_ = [
        client.get(reverse(path), {f"{prefix}{field}__{lookup}": guess})
        for lookup in ("startswith", "contains", "exact", "regex", "gt")
        for guess in ("I have", "zzz")
    ]
    # The same refusal whatever the guess: nothing to learn from.
    assert {r.status_code for r in answers_} <= {400, 302}
    for response in answers_:
        assert b"1 result" not in response.content


def test_clinical_records_are_read_only_in_the_admin(client, world):
    flag = Flag.objects.filter(client=world["client_a"]).first()
    client.force_login(world["staff"])
    change = reverse("admin:checkins_flag_change", args=[flag.pk])
    response = client.post(change, {"status": "dismissed", "note": ""})
    assert response.status_code == 403
    delete = reverse("admin:checkins_flag_delete", args=[flag.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_invitation_filter_lists_therapists_only(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("admin:portal_invitation_changelist")).content.decode()
    assert world["therapist"].display_name in page
    assert world["client_a"].display_name not in page.split("By therapist")[-1]


def test_the_on_call_contact_sees_what_was_done_about_a_crisis_in_the_admin(client, world):
    from checkins.safety import record_safety_action

    submit_checkin(client=world["client_a"], data=answers(in_crisis=True))
    flag = Flag.objects.get(client=world["client_a"], kind="crisis")
    record_safety_action(
        flag=flag,
        by=world["therapist"],
        kind="contacted",
        done_at=flag.opened_at,
        method="phone",
        note="Left a voicemail",
    )
    client.force_login(world["staff"])
    page = client.get(reverse("admin:checkins_flag_change", args=[flag.pk])).content.decode()
    assert "Left a voicemail" in page and "Alert to the therapist" in page
