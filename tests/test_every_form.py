"""Every form the portal serves, posted arbitrary data: never a server error, and a
rejected post changes no row."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.models import (
    CheckIn,
    Flag,
    NotificationPreference,
    SafetyAction,
    SafetyAlert,
)
from portal.models import CaseloadAssignment, DeletionRequest, Invitation, User
from tests.factories import PASSWORD, checkin_history, invitation_with_token
from tests.strategies import hostile_text

WATCHED = [
    CheckIn,
    Flag,
    SafetyAction,
    SafetyAlert,
    Invitation,
    User,
    DeletionRequest,
    NotificationPreference,
    CaseloadAssignment,
    EmailAddress,
]


def snapshot():
    """Every row a form could write (the access log aside: it records each look)."""
    return [list(model.objects.order_by("pk").values()) for model in WATCHED]


@dataclass(frozen=True)
class Form:
    url: Callable[[dict], str]
    persona: str | None
    valid: Callable[[dict], dict]
    # A link followed before the form (an invitation link puts its token in the session).
    opens: Callable[[dict], str] | None = None


FORMS = {
    "invite": Form(
        lambda w: reverse("invite_client"),
        "therapist",
        lambda w: {"email": "new.person@example.com", "first_name": "Ana", "last_name": "Li"},
    ),
    "accept_invitation": Form(
        lambda w: reverse("accept_invitation_form"),
        None,
        lambda w: {
            "password1": "a long passphrase indeed",
            "password2": "a long passphrase indeed",
            "time_zone": "Europe/Madrid",
            "phone": "+34 600 000 000",
        },
        opens=lambda w: reverse("accept_invitation", args=[w["token"]]),
    ),
    "raise": Form(
        lambda w: reverse("flag_raise", args=[w["client_a"].public_id, w["flag"].pk]),
        "therapist",
        lambda w: {
            f"raise-{w['flag'].pk}-raised_on": timezone.localdate().isoformat(),
            f"raise-{w['flag'].pk}-note": "Talked it through",
        },
    ),
    "dismiss": Form(
        lambda w: reverse("flag_dismiss", args=[w["client_a"].public_id, w["flag"].pk]),
        "therapist",
        lambda w: {f"dismiss-{w['flag'].pk}-reason": "Known already"},
    ),
    **{
        f"safety_{kind}": Form(
            lambda w, kind=kind: reverse(
                "flag_safety_action", args=[w["client_a"].public_id, w["crisis"].pk, kind]
            ),
            "therapist",
            lambda w, kind=kind: {
                f"{kind}-{w['crisis'].pk}-done_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                f"{kind}-{w['crisis'].pk}-method": "phone",
                f"{kind}-{w['crisis'].pk}-note": "Called",
            },
        )
        for kind in ("contacted", "safety_plan", "cleared")
    },
    "reminders": Form(
        lambda w: reverse("reminders"),
        "client_a",
        lambda w: {
            "reminders_enabled": "on",
            "reminder_weekday": "4",
            "reminder_hour": "18",
            "time_zone": "America/New_York",
            "phone": "+1 555 0100",
        },
    ),
    "digest": Form(
        lambda w: reverse("digest_settings"),
        "therapist",
        lambda w: {"digest_enabled": "on", "digest_hour": "7"},
    ),
    "my_data": Form(lambda w: reverse("my_data"), "client_a", lambda w: {"action": "delete"}),
    "sign_in": Form(
        lambda w: reverse("account_login"),
        None,
        lambda w: {"login": w["client_a"].email, "password": PASSWORD},
    ),
    "reset_password": Form(
        lambda w: reverse("account_reset_password"), None, lambda w: {"email": "x@example.com"}
    ),
    "change_password": Form(
        lambda w: reverse("account_change_password"),
        "client_a",
        lambda w: {
            "oldpassword": PASSWORD,
            "password1": "another long passphrase",
            "password2": "another long passphrase",
        },
    ),
}


@pytest.fixture
def world(client_a, therapist):
    checkin_history(client_a, [{"discomfort": 4, "in_crisis": True}])
    _, token = invitation_with_token(therapist=therapist)
    return {
        "client_a": client_a,
        "therapist": therapist,
        "token": token,
        "flag": Flag.objects.get(client=client_a, kind="discomfort"),
        "crisis": Flag.objects.get(client=client_a, kind="crisis"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_survives_arbitrary_posts(client, world, name):
    form = FORMS[name]
    if form.persona:
        client.force_login(world[form.persona])
    if form.opens:
        client.get(form.opens(world))
    url, valid = form.url(world), form.valid(world)
    fields = sorted(valid)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        changes=st.dictionaries(st.sampled_from(fields), hostile_text, max_size=len(fields)),
        dropped=st.sets(st.sampled_from(fields), max_size=2),
    )
    def post(changes, dropped):
        data = {**valid, **changes}
        for field in dropped:
            data.pop(field, None)
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code < 500, (name, data)
        if response.status_code != 302:
            assert snapshot() == before, f"{name}: a rejected post changed data"

    post()
