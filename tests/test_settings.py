"""The production settings start only when configured, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "a-production-grade-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def run_manage(*args, env):
    dropped = {*PRODUCTION_ENV, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_two_factor_encryption_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "MFA_ENCRYPTION_KEYS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS must be set" in result.stderr


def test_production_refuses_a_two_factor_encryption_key_that_is_not_a_fernet_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "MFA_ENCRYPTION_KEYS": "not-a-key"})
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS must be Fernet keys" in result.stderr


def test_production_static_files_collect(tmp_path):
    """The manifest storage fails on any missing file a stylesheet or script
    points to; a deploy must not find that out."""
    result = run_manage(
        "collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest


def test_errors_are_logged_never_emailed(settings, mailoutbox):
    """Django's error emails carry the request's POST data: a client's own words."""
    import logging

    from django.test import RequestFactory
    from django.utils.log import configure_logging

    from portal.settings import base

    settings.ADMINS = [("Ops", "ops@example.org")]
    configure_logging(settings.LOGGING_CONFIG, base.LOGGING)
    try:
        request = RequestFactory().post("/checkin/", {"to_raise": "my secret words"})
        logging.getLogger("django.request").error(
            "Internal Server Error: /checkin/", extra={"status_code": 500, "request": request}
        )
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    assert mailoutbox == []
