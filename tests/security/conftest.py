"""Fixtures of the security tests: a post, a feed allowed to write to it, a sender, and the
dashboards' personas (for the tests that open a post page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from readiness.indicators.models import Feed
from readiness.indicators.services import feed_create
from readiness.posts.models import Post
from tests.dashboard.conftest import duty_client, duty_officer  # noqa: F401  (fixtures)
from tests.factories import PostFactory

from .doors import CAP_URL, JSON_URL, POST_CODE

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

Send = Callable[..., "_MonkeyPatchedWSGIResponse"]


@pytest.fixture
def post(db: None) -> Post:
    return PostFactory(code=POST_CODE)


@pytest.fixture
def feed_and_token(post: Post) -> tuple[Feed, str]:
    return feed_create(name="Sahel watch", reliability="B", posts=[post])


@pytest.fixture
def send_json(client: Client, feed_and_token: tuple[Feed, str]) -> Send:
    """POST a JSON delivery (a payload, or the body as str/bytes) with the feed's token."""
    token = feed_and_token[1]

    def send(payload: Any) -> _MonkeyPatchedWSGIResponse:
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        return client.post(
            JSON_URL,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return send


@pytest.fixture
def send_cap(client: Client, feed_and_token: tuple[Feed, str]) -> Send:
    """POST a CAP document with the feed's token."""
    token = feed_and_token[1]

    def send(document: bytes) -> _MonkeyPatchedWSGIResponse:
        return client.post(
            CAP_URL,
            document,
            content_type="application/cap+xml",
            headers={"Authorization": f"Bearer {token}"},
        )

    return send
