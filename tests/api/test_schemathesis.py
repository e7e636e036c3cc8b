"""Schemathesis against the feeds' API, through the WSGI app, with a feed's token that may
write to and read the post: whatever it sends that the schema allows (and some that it does
not), no answer is a 5xx, and every answer matches the schema (status, content type,
headers, body)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from readiness.indicators.models import Feed
from readiness.posts.models import Post

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schemathesis.serializer("application/cap+xml")
def _cap_document(ctx: Any, value: Any) -> bytes:
    """A CAP body is a string in the schema: its UTF-8 bytes (or bytes as they are)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """The WSGI app closes the database connection after each request, as in production;
    the test's transaction (its post and feed) must outlive each one, as Django's test client
    makes sure."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(
    case: schemathesis.Case,
    post: Post,
    reader: tuple[Feed, str],
    _connection_kept: None,
    settings: Any,
) -> None:
    # The rate limit has its own tests; here it would turn most of a run into 429s.
    settings.API_RATE_LIMIT = 0
    case.call_and_validate(headers={"Authorization": f"Bearer {reader[1]}"}, checks=CHECKS)
