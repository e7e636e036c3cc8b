"""One bad post never stops the others' scoring: a batch that fails as a whole is scored
post by post, the post at fault carries a clear rescore_error, and only transient database
errors are retried."""

from __future__ import annotations

import os

import pytest
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.urls import reverse

from readiness.assessments import services, tasks
from readiness.assessments.models import Assessment
from readiness.assessments.selectors import unreadable_dates
from readiness.evidence import evidence_path
from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from tests.factories import CommunityFactory, IndicatorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():  # type: ignore[no-untyped-def]
    found = []
    for _ in range(4):
        post = PostFactory()
        CommunityFactory(post=post)
        IndicatorFactory(post=post, severity=3)
        found.append(post)
    transaction.get_connection().run_on_commit.clear()
    return found


def failing_for(bad: Post, error: Exception, real):  # type: ignore[no-untyped-def]
    """scoring_inputs as a database error for any batch that holds `bad` would make it."""

    def scoring_inputs(*, post_ids, now, **kwargs):  # type: ignore[no-untyped-def]
        if bad.pk in post_ids:
            raise error
        return real(post_ids=post_ids, now=now, **kwargs)

    return scoring_inputs


def test_a_batch_that_fails_as_a_whole_is_scored_post_by_post(posts, monkeypatch):  # type: ignore[no-untyped-def]
    bad = posts[1]
    monkeypatch.setattr(
        services,
        "scoring_inputs",
        failing_for(
            bad, DataError("timestamp too large (after year 10K)"), services.scoring_inputs
        ),
    )
    with pytest.raises(services.RescoreFailed, match="timestamp too large"):
        services.posts_rescore(post_ids=[p.pk for p in posts])
    for post in posts:
        post.refresh_from_db()
        assert Assessment.objects.filter(post=post).exists() is (post != bad)
    assert "DataError: timestamp too large" in Post.objects.get(pk=bad.pk).rescore_error
    assert all(not p.rescore_error for p in posts if p != bad)


def test_a_row_the_insert_refuses_fails_its_post_only(posts, monkeypatch):  # type: ignore[no-untyped-def]
    bad = posts[2]
    real_bulk_create = Assessment.objects.bulk_create

    def bulk_create(rows, *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(row.post_id == bad.pk for row in rows):
            raise IntegrityError('new row violates check constraint "assessment_threat_0_100"')
        return real_bulk_create(rows, *args, **kwargs)

    monkeypatch.setattr(Assessment.objects, "bulk_create", bulk_create)
    with pytest.raises(services.RescoreFailed):
        tasks.rescore_posts.apply(args=([p.pk for p in posts],), throw=True)
    assert set(Assessment.objects.values_list("post_id", flat=True)) == {
        p.pk for p in posts if p != bad
    }
    assert "IntegrityError" in Post.objects.get(pk=bad.pk).rescore_error


def test_a_transient_error_is_retried_and_blames_no_post(posts, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        services,
        "scoring_inputs",
        failing_for(posts[0], OperationalError("server closed the connection"), lambda **kw: []),
    )
    with pytest.raises(OperationalError):
        services.posts_rescore(post_ids=[p.pk for p in posts])
    assert not Post.objects.exclude(rescore_error="").exists()
    assert tasks.rescore_posts.autoretry_for == services.TRANSIENT_ERRORS
    assert tasks.rescore_post.autoretry_for == services.TRANSIENT_ERRORS
    assert DataError not in services.TRANSIENT_ERRORS


def test_a_data_error_is_not_retried(posts, monkeypatch):  # type: ignore[no-untyped-def]
    """It used to be retried eight times, with nothing recorded on any post."""
    bad = posts[0]
    calls = []

    def scoring_inputs(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["post_ids"])
        raise DataError("out of range")

    monkeypatch.setattr(services, "scoring_inputs", scoring_inputs)
    with pytest.raises(services.RescoreFailed, match="DataError: out of range"):
        tasks.rescore_post.apply(args=(bad.pk,))
    assert calls == [[bad.pk]], "one try, no retry"
    assert "DataError: out of range" in Post.objects.get(pk=bad.pk).rescore_error


# --- On PostgreSQL, with a date psycopg cannot read ---------------------------------------


def plant_year_10000(indicator: Indicator) -> None:
    """What a feed could store before dates were refused at the door:
    9999-12-31T23:59:59-14:00 is year 10000 in UTC. The check constraints that now refuse
    it are dropped inside this test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'"
            " AND pg_get_constraintdef(oid) LIKE '%%expires_at%%'",
            [Indicator._meta.db_table],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {Indicator._meta.db_table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            f"UPDATE {Indicator._meta.db_table} SET expires_at = %s::timestamptz WHERE id = %s",
            ["9999-12-31T23:59:59-14:00", indicator.pk],
        )


@pytest.fixture
def postgresql():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this on PostgreSQL (DATABASE_URL)", pytrace=False)
        pytest.skip("a year-10000 timestamp needs PostgreSQL (SQLite stores it as text)")


def test_a_post_with_an_unreadable_date_fails_alone_and_says_which_row(postgresql, posts, client):  # type: ignore[no-untyped-def]
    bad = posts[2]
    indicator = IndicatorFactory(post=bad, severity=5, text="expires in the year 10000")
    transaction.get_connection().run_on_commit.clear()
    plant_year_10000(indicator)
    with pytest.raises(DataError):  # what broke every batch that held the post
        list(Indicator.objects.filter(post=bad).values_list("expires_at", flat=True))

    # The periodic job's unit: one chunk holding the bad post and the others.
    with pytest.raises(services.RescoreFailed):
        tasks.rescore_posts.apply(args=([p.pk for p in posts],))
    scored = set(Assessment.objects.values_list("post_id", flat=True))
    assert scored == {p.pk for p in posts if p != bad}, "the others are scored"
    bad.refresh_from_db()
    assert bad.rescore_error.startswith("DataError:")
    assert f"indicator {indicator.pk} (expires_at)" in bad.rescore_error
    assert "outside the years 1 to 9999" in bad.rescore_error
    assert bad.rescore_failed_at is not None
    assert unreadable_dates(post_id=posts[0].pk) == []

    # Officers see that the post's figures are not current. (The post's own page lists
    # the indicator, so it cannot be read until the row is corrected.)
    client.force_login(UserFactory(is_staff=True))
    overview = client.get(reverse("dashboard:overview")).content.decode()
    assert overview.count("re-scoring failed") == 1

    # Once the row is corrected (a data repair: evidence is rewritten only on that path),
    # the post is scored and loses its error.
    with evidence_path("migration"):
        Indicator.objects.filter(pk=indicator.pk).update(expires_at=None)
    services.post_rescore(post_id=bad.pk)
    bad.refresh_from_db()
    assert bad.rescore_error == "" and bad.newest_assessment_id
    page = client.get(reverse("dashboard:post", args=[bad.code])).content.decode()
    assert "The last re-scoring failed" not in page
