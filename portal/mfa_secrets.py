"""Two-factor secrets encrypted at rest.

An authenticator app's TOTP secret and the seed the recovery codes are derived
from are all anyone needs to pass the two-factor step, so a copy of the database
(a backup, a restore left on a laptop) must not hold them in the clear. allauth
passes every such value through its MFA adapter's `encrypt`/`decrypt`
(portal.adapters); they land here.

Keys are Fernet keys in `settings.MFA_ENCRYPTION_KEYS`: the first encrypts,
every one decrypts, so a new key is put first, `manage.py rotate_mfa_keys`
re-encrypts every secret with it, and only then is the old key removed.
"""

from collections.abc import Callable, Iterable
from functools import lru_cache

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction

# Marks a value as encrypted. A value without it was stored before encryption
# was turned on: it is still read (and encrypted by the data migration and by
# `rotate_mfa_keys`), never written again.
PREFIX = "fernet:"

# Where allauth keeps a secret in `Authenticator.data`, by authenticator type:
# each named key holds one secret, or a list of them. WebAuthn keeps only public
# key material and is not enabled here.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "totp": ("secret",),
    "recovery_codes": ("seed", "migrated_codes"),
}


class UndecryptableSecret(Exception):
    """No key in MFA_ENCRYPTION_KEYS opens this secret: a key still in use was removed."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def current_fernet(keys: Iterable[str] | None = None) -> MultiFernet:
    """The configured keys (or `keys`), built once per distinct list."""
    keys = tuple(settings.MFA_ENCRYPTION_KEYS if keys is None else keys)
    if not keys:
        raise ValueError("MFA_ENCRYPTION_KEYS holds no key.")
    return _fernet(keys)


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_secret(text: str, *, keys: Iterable[str] | None = None) -> str:
    token = current_fernet(keys).encrypt(text.encode())
    return PREFIX + token.decode("ascii")


def decrypt_secret(value: str, *, keys: Iterable[str] | None = None) -> str:
    if not is_encrypted(value):
        return value
    try:
        return current_fernet(keys).decrypt(value.removeprefix(PREFIX).encode("ascii")).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A two-factor secret could not be decrypted with any key in MFA_ENCRYPTION_KEYS."
        ) from exc


def rotate_secret(value: str, *, keys: Iterable[str] | None = None) -> str:
    """The value encrypted with the first key; a plain value is encrypted."""
    if not is_encrypted(value):
        return encrypt_secret(value, keys=keys)
    try:
        token = current_fernet(keys).rotate(value.removeprefix(PREFIX).encode("ascii"))
    except InvalidToken as exc:
        raise UndecryptableSecret(
            "A two-factor secret could not be decrypted with any key in MFA_ENCRYPTION_KEYS."
        ) from exc
    return PREFIX + token.decode("ascii")


def transform_secrets(kind: str, data: dict, change: Callable[[str], str]) -> dict:
    """A copy of an authenticator's `data` with `change` applied to each secret in it."""
    data = dict(data)
    for field in SECRET_FIELDS.get(kind, ()):
        value = data.get(field)
        if isinstance(value, str):
            data[field] = change(value)
        elif isinstance(value, list):
            data[field] = [change(item) for item in value]
    return data


def change_authenticator_secrets(*, authenticators, change: Callable[[str], str]) -> int:
    """Apply `change` to every secret of `authenticators` (a queryset of allauth's
    Authenticator, or of its historical model in a migration), row by row under
    a lock. Returns how many rows changed."""
    changed = 0
    with transaction.atomic():
        for authenticator in authenticators.select_for_update().order_by("pk"):
            data = transform_secrets(authenticator.type, authenticator.data, change)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


def encrypt_if_plain(value: str) -> str:
    return value if is_encrypted(value) else encrypt_secret(value)


def rotate_mfa_keys() -> int:
    """Re-encrypt every two-factor secret with the first key in
    MFA_ENCRYPTION_KEYS, encrypting any still plain. Returns the rows rewritten."""
    return change_authenticator_secrets(
        authenticators=Authenticator.objects.filter(type__in=SECRET_FIELDS), change=rotate_secret
    )
