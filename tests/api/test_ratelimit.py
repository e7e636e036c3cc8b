"""The per-token rate limit of the feeds' API (readiness/indicators/ratelimit.py): past
API_RATE_LIMIT requests in a window, 429 with Retry-After, and nothing recorded."""

from __future__ import annotations

import json
import uuid

import pytest
import redis
from django.urls import reverse

from readiness.indicators import ratelimit
from readiness.indicators.models import Feed, Indicator
from readiness.indicators.services import feed_create
from readiness.posts.models import Post
from tests.security.doors import observation

from .conftest import Get

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("api:overview")


@pytest.fixture
def limit_of_three(settings: pytest.FixtureRequest) -> None:
    settings.API_RATE_LIMIT = 3  # type: ignore[attr-defined]
    settings.API_RATE_WINDOW_SECONDS = 60  # type: ignore[attr-defined]


def test_past_the_limit_a_token_is_told_when_to_come_back(
    get: Get, post: Post, reader: tuple[Feed, str], limit_of_three: None
) -> None:
    token = reader[1]
    assert [get(OVERVIEW, token).status_code for _ in range(3)] == [200, 200, 200]
    response = get(OVERVIEW, token)
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "too many requests" in response.json()["error"]


def test_the_limit_is_per_token(
    get: Get, post: Post, reader: tuple[Feed, str], limit_of_three: None
) -> None:
    for _ in range(4):
        get(OVERVIEW, reader[1])
    other, other_token = feed_create(name="Other", reliability="A", posts=[post])
    Feed.objects.filter(pk=other.pk).update(can_read=True)
    assert get(OVERVIEW, other_token).status_code == 200
    assert get(OVERVIEW, reader[1]).status_code == 429


def test_a_delivery_over_the_limit_records_nothing(
    client: object, post: Post, reader: tuple[Feed, str], limit_of_three: None
) -> None:
    def deliver(external_id: str) -> object:
        return client.post(  # type: ignore[attr-defined]
            reverse("api:indicators"),
            json.dumps(observation(external_id=external_id)),
            content_type="application/json",
            headers={"Authorization": f"Bearer {reader[1]}"},
        )

    assert [deliver(f"r{i}").status_code for i in range(3)] == [201, 201, 201]
    refused = deliver("r3")
    assert refused.status_code == 429 and refused["Retry-After"]  # type: ignore[attr-defined]
    assert not Indicator.objects.filter(external_id="r3").exists()
    assert Indicator.objects.count() == 3


def test_the_window_starts_over(settings: pytest.FixtureRequest) -> None:
    settings.API_RATE_LIMIT = 2  # type: ignore[attr-defined]
    settings.API_RATE_WINDOW_SECONDS = 60  # type: ignore[attr-defined]
    digest = f"test-window-{uuid.uuid4().hex}"
    start = 1_800_000_000.0  # a window's first second (a multiple of 60)
    assert ratelimit.retry_after(token_digest=digest, now=start) is None
    assert ratelimit.retry_after(token_digest=digest, now=start + 10) is None
    assert ratelimit.retry_after(token_digest=digest, now=start + 15) == 45
    assert ratelimit.retry_after(token_digest=digest, now=start + 60) is None


def test_a_limit_of_zero_turns_it_off(
    get: Get, post: Post, reader: tuple[Feed, str], settings: pytest.FixtureRequest
) -> None:
    settings.API_RATE_LIMIT = 0  # type: ignore[attr-defined]
    assert all(get(OVERVIEW, reader[1]).status_code == 200 for _ in range(5))


def test_an_unreachable_counter_lets_requests_through(
    get: Get,
    post: Post,
    reader: tuple[Feed, str],
    limit_of_three: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down(key: str, ttl: int) -> int:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(ratelimit, "_count", down)
    assert all(get(OVERVIEW, reader[1]).status_code == 200 for _ in range(5))


def test_without_redis_the_counter_is_django_s_cache(
    get: Get,
    post: Post,
    reader: tuple[Feed, str],
    limit_of_three: None,
    settings: pytest.FixtureRequest,
) -> None:
    settings.REDIS_URL = ""  # type: ignore[attr-defined]
    assert [get(OVERVIEW, reader[1]).status_code for _ in range(4)] == [200, 200, 200, 429]
