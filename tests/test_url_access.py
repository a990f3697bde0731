"""Who may open every page of the portal.

ROUTES names every URL pattern of the project with who may see it. The first
test walks the URL configuration and fails when a pattern is missing here, so
a page cannot be added without deciding its access.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from checkins.agenda import add_item
from checkins.models import AgendaItem, CheckIn, Flag, FlagKind
from portal.models import DeletionRequest, Invitation, User
from tests.factories import (
    LeadFactory,
    PracticeFactory,
    checkin_history,
    invitation_with_token,
    sign_in,
)

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in person
CLIENT = "client"
THERAPIST = "therapist"
LEAD = "lead"  # a practice's clinical lead


@dataclass(frozen=True)
class Route:
    access: str
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    post_only: bool = False
    # What the right person posts to a POST-only page.
    data: Callable[[dict], dict] = field(default=lambda world: {})
    # Who the right person is, when not the first one the access level allows.
    person: str | None = None
    # Someone with the right role whose object this is not: gets a 404.
    intruder: str | None = None
    # What an anonymous visitor gets from a public page.
    public_status: int = 200


ROUTES: dict[str, Route] = {
    # The portal's own pages.
    "home": Route(SIGNED_IN),
    "client_home": Route(CLIENT),
    "caseload": Route(THERAPIST),
    "practice_outcomes": Route(LEAD),
    "practice_outcomes_csv": Route(LEAD),
    "invite_client": Route(THERAPIST),
    "invitation_resend": Route(THERAPIST, lambda w: {"pk": w["invitation"].pk}, post_only=True),
    "invitation_revoke": Route(THERAPIST, lambda w: {"pk": w["invitation"].pk}, post_only=True),
    "client_detail": Route(THERAPIST, lambda w: {"client_id": w["client_a"].public_id}),
    "checkin": Route(CLIENT),
    "checkin_saved": Route(CLIENT),
    "checkin_history": Route(CLIENT),
    "checkin_week": Route(
        CLIENT, lambda w: {"week_start": w["past_checkin"].week_start}, intruder="client_b"
    ),
    "advice_library": Route(SIGNED_IN),
    "session_prep": Route(
        THERAPIST, lambda w: {"client_id": w["client_a"].public_id}, intruder="other_therapist"
    ),
    "new_course": Route(
        THERAPIST,
        lambda w: {"client_id": w["client_a"].public_id},
        post_only=True,
        intruder="other_therapist",
    ),
    "agenda_add": Route(CLIENT, post_only=True, data=lambda w: {"text": "My sleep"}),
    "thinking_of_stopping": Route(CLIENT),
    "agenda_up": Route(
        CLIENT, lambda w: {"pk": w["agenda_item"].pk}, post_only=True, intruder="client_b"
    ),
    "agenda_down": Route(
        CLIENT, lambda w: {"pk": w["agenda_item"].pk}, post_only=True, intruder="client_b"
    ),
    "agenda_remove": Route(
        CLIENT, lambda w: {"pk": w["agenda_item"].pk}, post_only=True, intruder="client_b"
    ),
    "agenda_talked_about": Route(
        THERAPIST,
        lambda w: {"client_id": w["client_a"].public_id, "pk": w["agenda_item"].pk},
        post_only=True,
        intruder="other_therapist",
        data=lambda w: {f"talked-{w['agenda_item'].pk}-note": "We went through it"},
    ),
    "flag_raise": Route(
        THERAPIST,
        lambda w: {"client_id": w["client_a"].public_id, "pk": w["flag"].pk},
        post_only=True,
        intruder="other_therapist",
        data=lambda w: {
            f"raise-{w['flag'].pk}-raised_on": timezone.localdate().isoformat(),
            f"raise-{w['flag'].pk}-note": "Talked it through",
        },
    ),
    "flag_dismiss": Route(
        THERAPIST,
        lambda w: {"client_id": w["client_a"].public_id, "pk": w["flag"].pk},
        post_only=True,
        intruder="other_therapist",
        data=lambda w: {f"dismiss-{w['flag'].pk}-reason": "Already known"},
    ),
    "flag_safety_action": Route(
        THERAPIST,
        lambda w: {
            "client_id": w["client_a"].public_id,
            "pk": w["crisis_flag"].pk,
            "kind": "contacted",
        },
        post_only=True,
        intruder="other_therapist",
        data=lambda w: {
            f"contacted-{w['crisis_flag'].pk}-done_at": timezone.localtime().strftime(
                "%Y-%m-%dT%H:%M"
            ),
            f"contacted-{w['crisis_flag'].pk}-method": "phone",
        },
    ),
    "security_txt": Route(PUBLIC),
    "language": Route(PUBLIC),
    "favicon": Route(PUBLIC, public_status=302),
    "my_data": Route(CLIENT),
    "my_data_json": Route(CLIENT),
    "my_data_csv": Route(CLIENT),
    "reminders": Route(CLIENT),
    "digest_settings": Route(THERAPIST),
    "digest_now": Route(THERAPIST, post_only=True),
    "unsubscribe": Route(PUBLIC, lambda w: {"token": "not-a-real-token"}, public_status=400),
    # The link keeps its token in the session and moves on to the form's page.
    "accept_invitation": Route(PUBLIC, lambda w: {"token": w["token"]}, public_status=302),
    # Reached without the link first: nothing to accept.
    "accept_invitation_form": Route(PUBLIC, public_status=410),
    # Sign-in, reset and related account pages from django-allauth.
    "account_login": Route(PUBLIC),
    "account_logout": Route(PUBLIC, public_status=302),
    "account_inactive": Route(PUBLIC),
    "account_signup": Route(PUBLIC),
    "account_reauthenticate": Route(SIGNED_IN),
    "account_email": Route(SIGNED_IN),
    "account_email_verification_sent": Route(PUBLIC),
    "account_confirm_email": Route(PUBLIC, lambda w: {"key": "not-a-real-key"}),
    "account_change_password": Route(SIGNED_IN),
    "account_set_password": Route(SIGNED_IN),
    "account_reset_password": Route(PUBLIC),
    "account_confirm_login_code": Route(PUBLIC, public_status=302),
    "account_reset_password_from_key_done": Route(PUBLIC),
    "account_reset_password_from_key": Route(
        PUBLIC, lambda w: {"uidb36": "zz", "key": "not-a-real-key"}
    ),
    "account_reset_password_done": Route(PUBLIC),
    # Two-factor sign-in (allauth.mfa).
    "mfa_authenticate": Route(PUBLIC, public_status=302),
    "mfa_reauthenticate": Route(SIGNED_IN),
    "mfa_index": Route(SIGNED_IN),
    "mfa_activate_totp": Route(SIGNED_IN),
    "mfa_deactivate_totp": Route(SIGNED_IN, person="therapist"),  # needs two-factor set up
    "mfa_view_recovery_codes": Route(SIGNED_IN, person="therapist"),  # needs two-factor set up
    "mfa_generate_recovery_codes": Route(SIGNED_IN),
    "mfa_download_recovery_codes": Route(SIGNED_IN, person="therapist"),  # needs two-factor set up
}


def project_url_names() -> set[str]:
    """Every named URL pattern, except the Django admin (tested on its own)."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_pattern_has_an_access_decision():
    names = project_url_names()
    assert None not in names, "every URL pattern needs a name to be checked"
    undecided = names - ROUTES.keys()
    assert not undecided, f"Add these URL names to ROUTES with who may see them: {undecided}"
    stale = ROUTES.keys() - names
    assert not stale, f"ROUTES lists URLs that no longer exist: {stale}"


@pytest.fixture
def world(therapist, other_therapist, client_a, client_b, staff, lead):
    invitation, token = invitation_with_token(therapist=therapist)
    (past_checkin,) = checkin_history(
        client_a, [{}], last_week_at=timezone.now() - timedelta(weeks=3)
    )
    checkin_history(client_a, [{"discomfort": 4, "in_crisis": True}])
    flag = Flag.objects.get(client=client_a, kind=FlagKind.DISCOMFORT)
    return {
        "agenda_item": add_item(client=client_a, flag=flag),
        "flag": flag,
        "crisis_flag": Flag.objects.get(client=client_a, kind=FlagKind.CRISIS),
        "past_checkin": past_checkin,
        "therapist": therapist,
        "other_therapist": other_therapist,
        "client_a": client_a,
        "client_b": client_b,
        "staff": staff,
        "lead": lead,
        "other_lead": LeadFactory(practice=PracticeFactory()),
        "invitation": invitation,
        "token": token,
    }


def url_for(name: str, world: dict) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(world))


def names_with(*access: str) -> list[str]:
    return sorted(name for name, route in ROUTES.items() if route.access in access)


@pytest.mark.parametrize("name", names_with(SIGNED_IN, CLIENT, THERAPIST, LEAD))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    url = url_for(name, world)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method)
        assert response.url.startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("name", names_with(PUBLIC))
def test_public_pages_open_without_signing_in(client, world, name):
    response = client.get(url_for(name, world))
    assert response.status_code == ROUTES[name].public_status, name
    if response.status_code == 302:
        assert not response.url.startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("name", names_with(THERAPIST))
@pytest.mark.parametrize("who", ["client_a", "staff", "lead"])
def test_therapist_pages_refuse_other_roles(client, world, name, who):
    client.force_login(world[who])
    url = url_for(name, world)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("name", names_with(CLIENT))
@pytest.mark.parametrize("who", ["therapist", "staff", "lead"])
def test_client_pages_refuse_other_roles(client, world, name, who):
    client.force_login(world[who])
    assert client.get(url_for(name, world)).status_code == 403


@pytest.mark.parametrize("name", names_with(LEAD))
@pytest.mark.parametrize("who", ["client_a", "therapist", "staff"])
def test_lead_pages_refuse_everyone_else(client, world, name, who):
    client.force_login(world[who])
    assert client.get(url_for(name, world)).status_code == 403


@pytest.mark.parametrize("name", names_with(THERAPIST, CLIENT, SIGNED_IN, LEAD))
def test_the_right_person_gets_the_page(client, world, name):
    route = ROUTES[name]
    person = (
        route.person
        or {CLIENT: "client_a", THERAPIST: "therapist", SIGNED_IN: "client_a", LEAD: "lead"}[
            route.access
        ]
    )
    client.force_login(world[person])
    url = url_for(name, world)
    if route.post_only:
        assert client.get(url).status_code == 405
        assert client.post(url, route.data(world)).status_code == 302
    else:
        assert client.get(url).status_code in (200, 302)


def without_csrf(response) -> str:
    """The page without its CSRF token, and without the language switcher's
    return address (the page's own path, which the visitor typed)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
    text = re.sub(r'name="next" value="[^"]*"', "", text)
    return re.sub(r'\?next=[^"]*"', '"', text)


def test_a_therapist_sees_only_their_caseload(client, world):
    client.force_login(world["therapist"])
    own = client.get(reverse("client_detail", args=[world["client_a"].public_id]))
    assert own.status_code == 200
    other = client.get(reverse("client_detail", args=[world["client_b"].public_id]))
    missing = client.get(reverse("client_detail", args=["00000000-0000-0000-0000-000000000000"]))
    assert other.status_code == missing.status_code == 404
    assert without_csrf(other) == without_csrf(missing), "a foreign id looks like a missing one"
    caseload = client.get(reverse("caseload"))
    assert world["client_a"].display_name in caseload.text
    assert world["client_b"].display_name not in caseload.text


def test_the_admin_is_for_staff_only(client, world):
    assert client.get("/admin/").status_code == 302
    client.force_login(world["therapist"])
    assert client.get("/admin/").status_code == 302
    client.force_login(world["staff"])
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [
        ("client_a", "client_home"),
        ("therapist", "caseload"),
        ("staff", "admin:index"),
        ("lead", "practice_outcomes"),
    ],
)
def test_home_sends_each_role_to_their_start_page(client, world, who, lands_on):
    client.force_login(world[who])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(lands_on)


PERSONAS = [
    "anonymous",
    "client_a",
    "client_b",
    "therapist",
    "other_therapist",
    "staff",
    "lead",
    "other_lead",
]


def snapshot():
    """Everything a stray POST could change (the access log aside: it records the try)."""
    return (
        sorted(CheckIn.objects.values_list("client_id", "week_start", "wellbeing")),
        sorted(Flag.objects.values_list("pk", "status", "note", "closed_at")),
        sorted(Invitation.objects.values_list("pk", "token_hash", "revoked_at", "accepted_at")),
        sorted(User.objects.values_list("pk", "email", "is_active", "password")),
        sorted(DeletionRequest.objects.values_list("pk", "cancelled_at")),
        sorted(AgendaItem.objects.values_list("pk", "position", "removed_at", "talked_about_at")),
    )


def allowed(route: Route, persona: str) -> bool:
    if route.access == PUBLIC:
        return True
    if persona == "anonymous":
        return False
    if route.access == SIGNED_IN:
        return True
    return (
        persona
        in {
            CLIENT: {"client_a", "client_b"},
            THERAPIST: {"therapist", "other_therapist"},
            LEAD: {"lead", "other_lead"},
        }[route.access]
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix_of_every_page_person_and_method(client, world, persona):
    if persona != "anonymous":
        # Through the real sign-in, two-factor step included for the roles that have it.
        assert sign_in(client, world[persona]).status_code == 302
    for name, route in ROUTES.items():
        if route.access == PUBLIC:
            continue
        url = url_for(name, world)
        before = snapshot()
        for method in ("get", "post"):
            response = getattr(client, method)(url, route.data(world) if method == "post" else {})
            assert response.status_code < 500, (name, persona, method)
            if persona == route.intruder and not (route.post_only and method == "get"):
                assert response.status_code == 404, (name, persona, method)
            if not allowed(route, persona) or persona == route.intruder:
                assert snapshot() == before, f"{persona} changed data with {method} {name}"
        if persona != "anonymous" and not client.session.get("_auth_user_id"):
            client.force_login(world[persona])  # a page signed them out (sign-out, say)
