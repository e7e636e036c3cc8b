"""Reading over the feeds' API (readiness/indicators/reads.py): a feed allowed to read gets
its posts' newest assessments, from the stored summary, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from readiness.assessments.models import Assessment
from readiness.indicators.models import Feed
from readiness.posts.models import Post

from .conftest import Get

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("api:overview")


def assessment_url(code: str) -> str:
    return reverse("api:post-assessment", kwargs={"code": code})


def test_a_post_s_newest_assessment_is_its_stored_headline(
    get: Get, post: Post, reader: tuple[Feed, str]
) -> None:
    post.refresh_from_db()
    newest = Assessment.objects.filter(post=post).latest()
    assert post.newest_assessment_id == newest.pk
    response = get(assessment_url(post.code), reader[1])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["post"]["code"] == "ML-BKO" and body["post"]["region"] == "Sahel"
    assert body["post"]["level"] == post.level
    assert body["post"]["level_name"] == post.levels.get(rank=post.level).name
    figures = body["assessment"]
    assert figures["id"] == newest.pk
    assert figures["verdict"] == newest.verdict
    assert figures["recommended_level"] == newest.recommended_level
    assert figures["recommended_level_name"] == post.levels.get(rank=newest.recommended_level).name
    assert figures["threat_index"] == pytest.approx(newest.threat_index)
    assert figures["margin_days"] == newest.next_level_margin_days
    assert figures["margin_level"] == newest.summary["margin_rank"]
    assert [[r["kind"], r["level"], r["code"]] for r in figures["reasons"]] == newest.summary[
        "reasons"
    ]
    assert figures["trend"] == newest.summary["trend"]


def test_a_post_before_its_first_assessment_has_none(
    get: Get, post: Post, reader: tuple[Feed, str]
) -> None:
    Post.objects.filter(pk=post.pk).update(newest_assessment=None)
    body = get(assessment_url(post.code), reader[1]).json()
    assert body["assessment"] is None and body["post"]["code"] == post.code


def test_the_overview_lists_the_feed_s_posts_only_in_one_query(
    get: Get,
    post: Post,
    other_post: Post,
    reader: tuple[Feed, str],
    django_assert_num_queries: object,
) -> None:
    feed, token = reader
    assert [p["post"]["code"] for p in get(OVERVIEW, token).json()["posts"]] == ["ML-BKO"]
    feed.posts.add(other_post)
    # The feed by its token, its last use, and the posts with their assessments.
    with django_assert_num_queries(3):  # type: ignore[operator]
        response = get(OVERVIEW, token)
    codes = [p["post"]["code"] for p in response.json()["posts"]]
    assert codes == ["ML-BKO", "NE-NIM"]
    assert all(p["assessment"]["verdict"] for p in response.json()["posts"])


def test_a_feed_without_the_read_scope_is_refused(
    get: Get, post: Post, writer: tuple[Feed, str]
) -> None:
    for url in (OVERVIEW, assessment_url(post.code)):
        response = get(url, writer[1])
        assert response.status_code == 403, response.content
        assert "may not read" in response.json()["error"]


@pytest.mark.parametrize("code", ["NE-NIM", "XX-NONE", "ml-bko", "ML-BKO\x00", "%00"])
def test_a_post_the_feed_is_not_on_reads_as_unknown(
    get: Get, other_post: Post, reader: tuple[Feed, str], code: str
) -> None:
    response = get(assessment_url(code), reader[1])
    assert response.status_code == 403, response.content
    assert "may not read post" in response.json()["error"]


def test_reading_needs_a_token_and_a_get(
    get: Get, client: object, reader: tuple[Feed, str]
) -> None:
    response = get(OVERVIEW, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert get(OVERVIEW, "not-a-token").status_code == 401
    Feed.objects.filter(pk=reader[0].pk).update(is_active=False)
    assert get(OVERVIEW, reader[1]).status_code == 401
    Feed.objects.filter(pk=reader[0].pk).update(is_active=True)
    # No CSRF cookie is asked of a token: another method is a 405 in JSON, not CSRF's 403.
    strict = Client(enforce_csrf_checks=True)
    posted = strict.post(OVERVIEW, headers={"Authorization": f"Bearer {reader[1]}"})
    assert posted.status_code == 405 and "GET" in posted["Allow"], posted.content
    assert posted.json()["error"]


def test_the_read_scope_is_set_in_the_feed_s_admin_page(
    admin_client: object, reader: tuple[Feed, str]
) -> None:
    feed = reader[0]
    url = reverse("admin:indicators_feed_change", args=[feed.pk])
    page = admin_client.get(url)  # type: ignore[attr-defined]
    assert page.status_code == 200 and b'name="can_read"' in page.content


def test_a_database_fault_while_reading_asks_for_a_retry(
    get: Get, post: Post, reader: tuple[Feed, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    def lost(**_kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("readiness.indicators.api.feed_readable_posts", lost)
    response = get(OVERVIEW, reader[1])
    assert response.status_code == 503 and response["Retry-After"] == "10"
