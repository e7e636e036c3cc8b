"""GET /healthz: 200 when the database (and the broker, when there is one) answers, 503
naming the part that does not; answered whatever the Host header."""

from __future__ import annotations

import pytest
from django.test import override_settings

from readiness import health

pytestmark = pytest.mark.django_db


def test_healthy(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_a_failing_part_is_named(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def down() -> None:
        raise ConnectionError("no broker")

    monkeypatch.setitem(health.CHECKS, "broker", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_broker_is_unavailable(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json()["broker"] == "unavailable"


def test_only_reads(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/healthz").status_code == 405
