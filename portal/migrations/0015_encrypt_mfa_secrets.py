"""Encrypt the two-factor secrets stored in the clear before encryption was turned on.

Reversible: going back decrypts them, for a version of the portal that reads
only plain secrets. Both directions use the keys in MFA_ENCRYPTION_KEYS at the
time the migration runs, and do nothing on an empty table.
"""

from django.db import migrations

from portal.mfa_secrets import (
    SECRET_FIELDS,
    change_authenticator_secrets,
    decrypt_secret,
    encrypt_if_plain,
)


def encrypt_plain_secrets(apps, schema_editor) -> int:
    Authenticator = apps.get_model("mfa", "Authenticator")
    return change_authenticator_secrets(
        authenticators=Authenticator.objects.filter(type__in=SECRET_FIELDS),
        change=encrypt_if_plain,
    )


def decrypt_secrets(apps, schema_editor) -> int:
    Authenticator = apps.get_model("mfa", "Authenticator")
    return change_authenticator_secrets(
        authenticators=Authenticator.objects.filter(type__in=SECRET_FIELDS),
        change=decrypt_secret,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0014_caseload_assignment_starts_course"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plain_secrets, decrypt_secrets)]
