"""A bad environment value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="readiness.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, named",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"REEVALUATE_EVERY_MINUTES": "often"}, "REEVALUATE_EVERY_MINUTES"),
    ],
)
def test_bad_setting_stops_start_up_naming_it(env, named):  # type: ignore[no-untyped-def]
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_defaults_start():  # type: ignore[no-untyped-def]
    assert start().returncode == 0


def test_error_reporting_is_off_without_a_dsn_and_on_with_one() -> None:
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"

    def active(**env: str) -> str:
        environment = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
        environment.update(env, DJANGO_SETTINGS_MODULE="readiness.settings")
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    assert active() == "False"
    assert active(SENTRY_DSN="https://public@sentry.invalid/1") == "True"
