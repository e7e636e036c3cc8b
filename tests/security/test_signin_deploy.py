"""Production settings (DEBUG off, as compose.yaml runs them) pass Django's deploy checks
at warning level: HTTPS redirect, HSTS, Secure cookies by default. The demo (DEBUG on)
keeps plain HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-8f2a91c07d4e5b6a3f1e0d9c8b7a6f5e4d3c2b1a",
    "ALLOWED_HOSTS": "readiness.example",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "SESSION_", "DJANGO_"))
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="readiness.settings")
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_at_warning_level() -> None:
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_turning_https_off_in_production_fails_the_check() -> None:
    """The check is real: without the HTTPS settings it fails, naming them."""
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        **PRODUCTION,
    )
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr + result.stdout


def test_production_defaults_are_https_only() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = run("-c", code, **PRODUCTION)
    assert result.stdout.split() == ["True"] * 4, result.stderr


def test_the_demo_keeps_plain_http() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = run("-c", code)
    assert result.stdout.split() == ["False", "False", "0"], result.stderr
