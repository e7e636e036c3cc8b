"""A feed taken off a post can no longer withdraw, supersede or end what it delivered there
(issue 9): what it left is evidence the post's officers now own."""

from __future__ import annotations

import datetime as dt

import pytest

from readiness.indicators.models import Feed, Indicator
from readiness.posts.models import Post

from .conftest import Send
from .doors import NOW, cap_alert, observation

pytestmark = pytest.mark.django_db

REFERENCE = f"sahel-watch,SW-1,{(NOW - dt.timedelta(minutes=30)).isoformat()}"


@pytest.fixture
def delivered_then_removed(
    send_cap: Send, feed_and_token: tuple[Feed, str], post: Post
) -> Indicator:
    assert send_cap(cap_alert(identifier="SW-1")).status_code == 201
    feed = feed_and_token[0]
    feed.posts.remove(post)
    return Indicator.objects.get()


def test_a_cancel_from_a_feed_taken_off_the_post_withdraws_nothing(
    send_cap: Send, delivered_then_removed: Indicator
) -> None:
    response = send_cap(cap_alert(identifier="SW-2", msg_type="Cancel", references=REFERENCE))
    assert response.status_code == 200, response.content
    assert response.json()["withdrawn"] == []
    delivered_then_removed.refresh_from_db()
    assert delivered_then_removed.expires_at is None


def test_an_update_from_a_feed_taken_off_the_post_is_refused_whole(
    send_cap: Send, delivered_then_removed: Indicator
) -> None:
    response = send_cap(cap_alert(identifier="SW-2", msg_type="Update", references=REFERENCE))
    assert response.status_code == 403, response.content
    delivered_then_removed.refresh_from_db()
    assert delivered_then_removed.expires_at is None and delivered_then_removed.event == ""
    assert Indicator.objects.count() == 1


def test_an_end_from_a_feed_taken_off_the_post_is_refused(
    send_json: Send, feed_and_token: tuple[Feed, str], post: Post
) -> None:
    assert send_json(observation(ongoing=True)).status_code == 201
    feed_and_token[0].posts.remove(post)
    response = send_json(observation(ongoing=True, ended_at=NOW.isoformat()))
    assert response.status_code == 403, response.content
    assert Indicator.objects.get().ended_at is None


def test_a_cancel_still_withdraws_at_the_posts_the_feed_keeps(
    send_cap: Send, feed_and_token: tuple[Feed, str]
) -> None:
    assert send_cap(cap_alert(identifier="SW-1")).status_code == 201
    response = send_cap(cap_alert(identifier="SW-2", msg_type="Cancel", references=REFERENCE))
    assert response.status_code == 200, response.content
    assert len(response.json()["withdrawn"]) == 1
    assert Indicator.objects.get().expires_at is not None
