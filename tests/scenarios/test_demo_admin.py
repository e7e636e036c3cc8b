"""`make run HOST=...` prints the login at the address served, and says what the demo
lacks without Redis (the periodic re-evaluation)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from readiness.scenarios.management.commands.demo_admin import demo_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("8001", "http://127.0.0.1:8001/"),
        ("192.168.1.20:8080", "http://192.168.1.20:8080/"),
        ("localhost", "http://localhost:8000/"),
    ],
)
def test_the_url_follows_the_host(host: str, url: str) -> None:
    assert demo_url(host) == url


def test_the_command_prints_the_host_and_the_missing_beat(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    settings.REDIS_URL = ""
    out = StringIO()
    call_command("demo_admin", "--host", "0.0.0.0:9000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:9000/" in text and ":8000" not in text
    assert "periodic re-evaluation (every" in text and "does not run" in text
    settings.REDIS_URL = "redis://127.0.0.1:6379/6"
    out = StringIO()
    call_command("demo_admin", stdout=out)
    assert "http://127.0.0.1:8000/" in out.getvalue()
    assert "periodic" not in out.getvalue()
