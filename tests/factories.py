"""Factories for the people side. Each builds a valid, saved object."""

import secrets
from datetime import UTC, datetime

import factory
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.utils import timezone

from checkins.demo import NEUTRAL
from clinical.measures import INSTRUMENTS
from portal.models import CaseloadAssignment, Invitation, Practice, Role, User, hash_token

PASSWORD = "correct-horse-battery-staple"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    time_zone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    practice = factory.SubFactory(PracticeFactory)
    time_zone = "America/New_York"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - test-only


def current_totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app would show now for `secret`."""
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


class TwoFactorMixin(factory.django.DjangoModelFactory):
    """Therapists and staff must have two-factor sign-in; pass two_factor=False
    for one who has not set it up yet."""

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(self, TOTP_SECRET)
            RecoveryCodes.activate(self)


class TherapistFactory(UserFactory, TwoFactorMixin):
    role = Role.THERAPIST


class StaffFactory(UserFactory, TwoFactorMixin):
    role = ""
    is_staff = True
    is_superuser = True


class LeadFactory(UserFactory, TwoFactorMixin):
    """A practice's clinical lead, with no portal role of their own."""

    role = ""
    is_clinical_lead = True


class ClientFactory(UserFactory):
    """A client on `therapist`'s caseload (a new therapist unless one is given)."""

    role = Role.CLIENT

    @factory.post_generation
    def therapist(self, create, extracted, **kwargs):
        if not create:
            return
        therapist = extracted or TherapistFactory(practice=self.practice)
        CaseloadAssignment.objects.create(client=self, therapist=therapist)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation; the raw token of its link is passed as `token`."""

    class Meta:
        model = Invitation
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"test-token-{n:06d}-abcdefghijklmnop")
    therapist = factory.SubFactory(TherapistFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    first_name = "Robin"
    last_name = "Invitee"
    # As the invite form presets it: the therapist's own language.
    language = factory.LazyAttribute(lambda o: o.therapist.language)
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    expires_at = factory.LazyFunction(lambda: Invitation.default_expiry(timezone.now()))


def invitation_with_token(**kwargs) -> tuple[Invitation, str]:
    """Create an invitation and return it with the token its link carries."""
    token = kwargs.pop("token", None) or secrets.token_urlsafe(24)
    return InvitationFactory(token=token, **kwargs), token


# A fixed Wednesday afternoon: mid-week for every client time zone the tests
# use, so no test flips its week at Sunday midnight between collection and run.
MIDWEEK = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)


def answers(**overrides) -> dict:
    """A complete, valid set of check-in answers, as `submit_checkin` takes them."""
    data = {**NEUTRAL, "sessions_attended": 4, "wellbeing": 6}
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """The same answers as the check-in form posts them."""
    data = answers(**overrides)
    barriers = [b for b in ("time", "money", "energy", "life_events") if data.pop(f"barrier_{b}")]
    posted = {key: ("" if value is None else value) for key, value in data.items()}
    posted["barriers"] = barriers
    # The questionnaires, answered "Not at all" throughout unless given; the form
    # reads only those due this week.
    for instrument in INSTRUMENTS.values():
        for number in range(1, len(instrument.items) + 1):
            posted.setdefault(f"{instrument.key}_{number}", 0)
    return posted


def checkin_history(client, rows: list[dict], *, last_week_at=None):
    """Check-ins for consecutive weeks ending in the week of `last_week_at` (default now).

    Each row holds the answers that differ from `answers()`; None skips a week.
    Built through submit_checkin, the one write path.
    """
    from datetime import timedelta

    from checkins.services import submit_checkin

    end = last_week_at or timezone.now()
    made = []
    for weeks_ago, row in zip(range(len(rows) - 1, -1, -1), rows, strict=True):
        if row is None:
            continue
        made.append(
            submit_checkin(client=client, data=answers(**row), now=end - timedelta(weeks=weeks_ago))
        )
    return made


def sign_in(http, user, password: str = PASSWORD, code: str | None = None):
    """Sign in through the real forms, answering the two-factor step if asked.

    The clock stands still between reading the code and sending it, so the
    code cannot expire at a 30-second boundary in between.
    """
    from django.urls import reverse

    response = http.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        with time_machine.travel(timezone.now(), tick=False):
            response = http.post(reverse("mfa_authenticate"), {"code": code or current_totp_code()})
    return response


def open_invitation(http, token: str):
    """Follow an invitation link as a browser does: the token is kept in the
    session and the browser lands on the form, whose address does not hold it."""
    from django.urls import reverse

    return http.get(reverse("accept_invitation", args=[token]), follow=True)


def post_invitation_form(http, token: str, data: dict):
    """Open the invitation link, then send the form on the page it leads to."""
    from django.urls import reverse

    open_invitation(http, token)
    return http.post(reverse("accept_invitation_form"), data)
