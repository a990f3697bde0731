"""Two-factor secrets are stored encrypted, keys rotate, and no admin page shows them."""

import importlib
import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY as TOTP_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins.management.commands.seed_demo import DEMO_TOTP_SECRET
from portal.models import User
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    StaffFactory,
    TherapistFactory,
    current_totp_code,
    sign_in,
)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(user, kind) -> dict:
    """The row as a database backup holds it."""
    return Authenticator.objects.values_list("data", flat=True).get(user=user, type=kind)


def plain_seed(user) -> str:
    """The recovery codes' seed, read the way allauth reads it."""
    from allauth.mfa.utils import decrypt

    return decrypt(stored(user, Authenticator.Type.RECOVERY_CODES)["seed"])


def signs_in_with(person, code: str) -> bool:
    """Password, then `code` at the two-factor step; True if the caseload opens."""
    http = Client()
    response = http.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    http.post(reverse("mfa_authenticate"), {"code": code})
    return http.get(reverse("caseload")).status_code == 200


def test_setting_up_two_factor_stores_neither_the_secret_nor_the_recovery_seed(client, practice):
    therapist = TherapistFactory(practice=practice, two_factor=False)
    sign_in(client, therapist)
    client.post(
        reverse("account_reauthenticate") + "?next=" + reverse("mfa_activate_totp"),
        {"password": PASSWORD},
    )
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[TOTP_SESSION_KEY]
    with time_machine.travel(timezone.now(), tick=False):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302

    totp = stored(therapist, Authenticator.Type.TOTP)
    recovery = stored(therapist, Authenticator.Type.RECOVERY_CODES)
    seed = plain_seed(therapist)
    assert len(seed) == 80, "allauth's seed: 40 random bytes in hex"
    backup = json.dumps([totp, recovery])
    assert secret not in backup
    assert seed not in backup
    assert totp["secret"].startswith("fernet:")
    assert recovery["seed"].startswith("fernet:")

    # The app the therapist just set up still gets them in, a code at a time.
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert signs_in_with(therapist, current_totp_code(secret))
        assert not signs_in_with(therapist, "000000")


def test_recovery_codes_still_work_once_each(therapist):
    assert "fernet:" in stored(therapist, Authenticator.Type.RECOVERY_CODES)["seed"]
    codes = Authenticator.objects.get(user=therapist, type="recovery_codes").wrap()
    first = codes.get_unused_codes()[0]
    assert signs_in_with(therapist, first)
    assert not signs_in_with(therapist, first), "a recovery code works once"


def test_a_secret_from_an_old_key_still_opens_and_rotation_moves_it_to_the_new_key(settings, db):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    therapist = TherapistFactory()
    seed = plain_seed(therapist)
    old_token = stored(therapist, Authenticator.Type.TOTP)["secret"].removeprefix("fernet:")
    assert Fernet(OLD_KEY).decrypt(old_token.encode()).decode() == TOTP_SECRET

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert signs_in_with(therapist, current_totp_code())

    out = StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    assert "2 authenticator" in out.getvalue()
    totp = stored(therapist, Authenticator.Type.TOTP)["secret"].removeprefix("fernet:")
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(totp.encode())
    assert Fernet(NEW_KEY).decrypt(totp.encode()).decode() == TOTP_SECRET

    # The old key can go: sign-in and the recovery codes need only the new one.
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    assert plain_seed(therapist) == seed
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert signs_in_with(therapist, current_totp_code())


def test_the_data_migration_encrypts_plain_secrets_and_reverses(therapist):
    migration = importlib.import_module("portal.migrations.0015_encrypt_mfa_secrets")
    assert migration.encrypt_plain_secrets(apps, None) == 0, "nothing left plain: nothing to do"
    person = TherapistFactory(two_factor=False)
    seed = "ab" * 40
    # Rows as they were stored before encryption was turned on.
    Authenticator.objects.create(user=person, type="totp", data={"secret": TOTP_SECRET})
    Authenticator.objects.create(
        user=person, type="recovery_codes", data={"seed": seed, "used_mask": 0}
    )
    with time_machine.travel(timezone.now(), tick=False):
        assert signs_in_with(person, current_totp_code()), "a plain secret is still read"

    assert migration.encrypt_plain_secrets(apps, None) == 2
    backup = json.dumps([stored(person, "totp"), stored(person, "recovery_codes")])
    assert TOTP_SECRET not in backup and seed not in backup
    assert plain_seed(person) == seed
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert signs_in_with(person, current_totp_code())
    assert migration.encrypt_plain_secrets(apps, None) == 0, "encrypted once, not twice"

    migration.decrypt_secrets(apps, None)
    assert stored(person, "totp") == {"secret": TOTP_SECRET}
    assert stored(person, "recovery_codes")["seed"] == seed


def test_the_demo_stores_its_published_secret_encrypted_and_prints_the_right_code(db):
    call_command("seed_demo", stdout=StringIO())
    therapist = User.objects.therapists().first()
    assert DEMO_TOTP_SECRET not in json.dumps(stored(therapist, "totp"))
    with time_machine.travel(timezone.now(), tick=False):
        out = StringIO()
        call_command("seed_demo", "--totp-code", stdout=out)
        assert TOTP(Authenticator.objects.get(user=therapist, type="totp")).validate_code(
            out.getvalue().strip()
        )


@pytest.fixture
def staff_without_superuser(practice):
    person = StaffFactory(practice=practice, is_superuser=False)
    person.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="mfa",
            codename__in=["view_authenticator", "change_authenticator", "delete_authenticator"],
        )
    )
    return person


@pytest.mark.parametrize("who", ["superuser", "staff"])
def test_no_admin_page_shows_a_two_factor_secret(client, staff, staff_without_superuser, who):
    therapist = TherapistFactory(practice=staff.practice)
    secrets = [
        TOTP_SECRET,
        plain_seed(therapist),
        stored(therapist, "totp")["secret"],
        stored(therapist, "recovery_codes")["seed"],
    ]
    viewer = staff if who == "superuser" else staff_without_superuser
    assert sign_in(client, viewer).status_code == 302  # two-factor step included
    pages = [reverse("admin:mfa_authenticator_changelist")]
    for authenticator in Authenticator.objects.filter(user=therapist):
        pages += [
            reverse(f"admin:mfa_authenticator_{view}", args=[authenticator.pk])
            for view in ("change", "history", "delete")
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in response.text, url
        assert "fernet:" not in response.text, url
    assert "TOTP Authenticator" in client.get(pages[1]).text
    assert 'name="data"' not in client.get(pages[1]).text
    # Read-only: posting a change does nothing.
    authenticator = Authenticator.objects.get(user=therapist, type="totp")
    client.post(pages[1], {"user": staff.pk, "type": "totp", "data": '{"secret": "X"}'})
    authenticator.refresh_from_db()
    assert authenticator.user == therapist
    assert authenticator.data != {"secret": "X"}


def test_the_admin_list_cannot_be_filtered_on_a_secret(client, staff, therapist):
    sign_in(client, staff)
    url = reverse("admin:mfa_authenticator_changelist")
    for lookup in ("data__secret__startswith", "data__seed__startswith", "data__contains"):
        for guess in (TOTP_SECRET[:1], "fernet:", "zzz"):
            response = client.get(url, {lookup: guess})
            assert response.status_code in (400, 302), (lookup, guess)
            assert b"1 authenticator" not in response.content
