"""Fixtures of the API tests: a post with its first assessment, a second post, and feeds
with and without the read scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from readiness.indicators.models import Feed
from readiness.indicators.services import feed_create
from readiness.posts.models import Post
from tests.factories import PostFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

Get = Callable[..., "_MonkeyPatchedWSGIResponse"]


@pytest.fixture
def post(db: None, django_capture_on_commit_callbacks: Any) -> Post:
    # Its creation's re-score runs now: the post has its first assessment.
    with django_capture_on_commit_callbacks(execute=True):
        return PostFactory(code="ML-BKO", region="Sahel")


@pytest.fixture
def other_post(db: None, django_capture_on_commit_callbacks: Any) -> Post:
    with django_capture_on_commit_callbacks(execute=True):
        return PostFactory(code="NE-NIM")


@pytest.fixture
def reader(post: Post) -> tuple[Feed, str]:
    """A feed of the post, allowed to read."""
    feed, token = feed_create(name="Sahel watch", reliability="B", posts=[post])
    feed.can_read = True
    feed.save(update_fields=["can_read"])
    return feed, token


@pytest.fixture
def writer(post: Post) -> tuple[Feed, str]:
    """A feed of the post that may only write (the default)."""
    return feed_create(name="Sahel writer", reliability="C", posts=[post])


@pytest.fixture
def get(client: Client) -> Get:
    def send(url: str, token: str | None) -> _MonkeyPatchedWSGIResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(url, headers=headers)

    return send
