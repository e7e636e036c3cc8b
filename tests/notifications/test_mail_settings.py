"""Mail from the environment: EMAIL_URL, EMAIL_HOST, and the defaults (readiness/settings.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from readiness.settings import _email_from_url

ROOT = Path(__file__).resolve().parents[2]
MAIL_VARIABLES = {"EMAIL_URL", "EMAIL_HOST", "DEBUG", "DATABASE_URL", "REDIS_URL", "NOTIFY_EMAILS"}


def test_an_smtp_url() -> None:
    assert _email_from_url("smtp://alerts%40ministry.example:s%3Acret@mail.example:2525") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "alerts@ministry.example",
        "EMAIL_HOST_PASSWORD": "s:cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_implicit_tls_and_no_tls() -> None:
    ssl = _email_from_url("smtp+ssl://mail.example")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    plain = _email_from_url("smtp://relay.internal:25?tls=false")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == (25, False)


def test_a_folder_and_the_console() -> None:
    assert _email_from_url("file:///var/mail/readiness") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/readiness",
    }
    assert _email_from_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize("url", ["ftp://mail.example", "mail.example", "smtp://", "file://"])
def test_a_bad_url_is_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _email_from_url(url)


def backend_at_start_up(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in MAIL_VARIABLES}
    environment.update(env, DJANGO_SETTINGS_MODULE="readiness.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_ENABLED, settings.PASSWORD_RESET_ENABLED)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_demo_prints_and_production_without_mail_queues_none() -> None:
    assert backend_at_start_up() == "django.core.mail.backends.console.EmailBackend True False"
    production = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}
    assert (
        backend_at_start_up(**production)
        == "django.core.mail.backends.dummy.EmailBackend False False"
    )
    assert (
        backend_at_start_up(**production, EMAIL_URL="smtp://u:p@mail.example")
        == "django.core.mail.backends.smtp.EmailBackend True True"
    )


@pytest.mark.parametrize(
    "variable, value",
    [("EMAIL_URL", "gopher://x"), ("NOTIFY_EMAILS", "crisis@ministry.example")],
)
def test_a_bad_or_retired_variable_stops_start_up_naming_it(variable: str, value: str) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in MAIL_VARIABLES}
    environment.update({variable: value, "DJANGO_SETTINGS_MODULE": "readiness.settings"})
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert variable in done.stderr.splitlines()[-1]
