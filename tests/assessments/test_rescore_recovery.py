"""Lost re-scores come back within about a minute: the claim stands until a stored
re-score covers it, and the sweeper re-queues claims that went stale and posts whose newest
assessment misses an indicator. (The real worker and Redis: tests/worker/test_recovery.py.)"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from readiness.assessments import services, tasks
from readiness.assessments.models import Assessment
from readiness.engine import contributions_from_dict
from readiness.posts.models import Post
from tests.factories import CommunityFactory, ExitRouteFactory, IndicatorFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):  # type: ignore[no-untyped-def]
    """What the write path and the sweeper queue, instead of running it."""
    sent: list[tuple[str, tuple[object, ...]]] = []

    def fake(task):  # type: ignore[no-untyped-def]
        return lambda args, countdown=0: sent.append((task.name.rsplit(".", 1)[-1], args))

    monkeypatch.setattr(tasks.rescore_post, "apply_async", fake(tasks.rescore_post))
    monkeypatch.setattr(tasks.rescore_posts, "apply_async", fake(tasks.rescore_posts))
    return sent


@pytest.fixture
def post():  # type: ignore[no-untyped-def]
    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    services.post_rescore(post_id=post.pk)
    transaction.get_connection().run_on_commit.clear()  # the fixtures' own requests
    Post.objects.filter(pk=post.pk).update(rescore_requested_at=None)
    return post


def claim_of(post):  # type: ignore[no-untyped-def]
    return Post.objects.values_list("rescore_requested_at", flat=True).get(pk=post.pk)


def age(post, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Make the post's claim `seconds` old."""
    Post.objects.filter(pk=post.pk).update(
        rescore_requested_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


STALE = settings.RESCORE_CLAIM_STALE_SECONDS


# --- The claim stands until a stored re-score covers it -----------------------------------


def test_a_stored_re_score_releases_the_claim_it_covered(post, queued):  # type: ignore[no-untyped-def]
    assert services._claim_and_queue(post.pk)
    services.post_rescore(post_id=post.pk)
    assert claim_of(post) is None


def test_a_re_score_killed_mid_run_leaves_the_claim_standing(post, queued, monkeypatch):  # type: ignore[no-untyped-def]
    """The task used to release the claim before reading: a worker killed then left no
    trace that the post still needed scoring."""
    assert services._claim_and_queue(post.pk)
    claim = claim_of(post)

    def killed(inputs):  # type: ignore[no-untyped-def]
        raise SystemExit("SIGKILL")  # not an Exception: nothing in the service catches it

    monkeypatch.setattr(services, "assess", killed)
    with pytest.raises(SystemExit):
        tasks.rescore_post.apply(args=(post.pk,), throw=True)
    assert claim_of(post) == claim
    age(post, STALE + 1)
    assert services.rescores_sweep() == [post.pk]


def test_a_write_during_a_re_score_sends_it_round_again(
    post, queued, monkeypatch, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    """A write that commits after the re-score read the inputs finds the claim taken, so
    it queues nothing: the re-score must see that the claim moved and go again."""
    assert services._claim_and_queue(post.pk)
    queued.clear()
    real_assess = services.assess

    def assess_while_a_write_commits(inputs):  # type: ignore[no-untyped-def]
        IndicatorFactory.build(post=post).save()  # read too late for this re-score
        assert services._claim_and_queue(post.pk) is False  # the claim stands: coalesced
        return real_assess(inputs)

    monkeypatch.setattr(services, "assess", assess_while_a_write_commits)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_rescore(post_id=post.pk)
    assert claim_of(post) is not None, "not released: it did not see the last write"
    assert queued == [("rescore_post", (post.pk,))]
    monkeypatch.setattr(services, "assess", real_assess)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_rescore(post_id=post.pk)
    assert claim_of(post) is None


def test_a_write_keeps_the_age_of_the_claim_it_joins(post, queued):  # type: ignore[no-untyped-def]
    age(post, 20)
    before = claim_of(post)
    assert services._claim_and_queue(post.pk) is False
    after = claim_of(post)
    assert after != before and after - before < dt.timedelta(milliseconds=1)


def test_a_write_after_the_claim_went_stale_claims_again(post, queued):  # type: ignore[no-untyped-def]
    age(post, STALE + 1)
    assert services._claim_and_queue(post.pk) is True
    assert queued == [("rescore_post", (post.pk,))]


# --- The sweeper --------------------------------------------------------------------------


def test_the_sweeper_takes_a_stale_claim_and_leaves_a_fresh_one(post, queued):  # type: ignore[no-untyped-def]
    fresh = PostFactory()
    services.post_rescore(post_id=fresh.pk)
    Post.objects.filter(pk=fresh.pk).update(rescore_requested_at=timezone.now())
    age(post, STALE + 1)
    assert services.rescores_sweep() == [post.pk]
    assert services.rescores_sweep() == [], "taken again: not stale until the bound passes"


def test_after_a_broker_outage_the_sweeper_queues_what_the_writes_could_not(post, monkeypatch):  # type: ignore[no-untyped-def]
    def broker_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.rescore_post, "apply_async", broker_down)
    indicator = IndicatorFactory(post=post, severity=5, reliability="A", credibility=1)
    assert services._claim_and_queue(post.pk) is False
    assert claim_of(post) is not None, "the request stands"
    monkeypatch.undo()  # the broker is back (tasks run in-process here)
    assert tasks.sweep_rescores.apply().get() == 0, "not stale yet"
    age(post, STALE + 1)
    assert tasks.sweep_rescores.apply().get() == 1
    newest = Post.objects.get(pk=post.pk).newest_assessment
    assert str(indicator.pk) in {row["id"] for row in contributions_from_dict(newest.explanation)}
    assert claim_of(post) is None


def test_the_sweeper_scores_an_indicator_the_newest_assessment_missed(post, queued):  # type: ignore[no-untyped-def]
    """No claim at all (the writer's process died between its commit and its claim)."""
    evaluated = Post.objects.get(pk=post.pk).newest_assessment.evaluated_at
    IndicatorFactory(post=post, recorded_at=evaluated + dt.timedelta(seconds=1))
    Post.objects.filter(pk=post.pk).update(rescore_requested_at=None)
    later = evaluated + dt.timedelta(seconds=STALE + 2)
    assert services.rescores_sweep(now=later) == [post.pk]


def test_a_just_recorded_indicator_is_left_to_its_own_claim(post, queued):  # type: ignore[no-untyped-def]
    evaluated = Post.objects.get(pk=post.pk).newest_assessment.evaluated_at
    IndicatorFactory(post=post, recorded_at=evaluated + dt.timedelta(seconds=1))
    Post.objects.filter(pk=post.pk).update(rescore_requested_at=None)
    assert services.rescores_sweep(now=evaluated + dt.timedelta(seconds=2)) == []


def test_an_indicator_the_engine_would_not_load_does_not_make_a_post_due(post, queued):  # type: ignore[no-untyped-def]
    """Else the sweeper would re-score it every round: the re-score stores nothing new
    (the same inputs), so the newest assessment would never get past it."""
    evaluated = Post.objects.get(pk=post.pk).newest_assessment.evaluated_at
    IndicatorFactory(
        post=post,
        recorded_at=evaluated + dt.timedelta(seconds=1),
        observed_at=evaluated - dt.timedelta(days=3000),  # a hindcast's, long decayed
    )
    Post.objects.filter(pk=post.pk).update(rescore_requested_at=None)
    assert services.rescores_sweep(now=evaluated + dt.timedelta(seconds=STALE + 2)) == []


def test_the_sweeper_scores_a_post_never_scored(queued):  # type: ignore[no-untyped-def]
    post = PostFactory()
    transaction.get_connection().run_on_commit.clear()
    assert services.rescores_sweep() == [post.pk]


def test_a_post_that_failed_in_the_last_hour_is_left_to_the_periodic_job(post, queued):  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=post.pk).update(
        rescore_failed_at=timezone.now(), rescore_error="ValueError: bad ladder"
    )
    age(post, STALE + 1)
    assert services.rescores_sweep() == []
    assert services.rescores_sweep(now=timezone.now() + dt.timedelta(hours=2)) == [post.pk]


def test_the_sweep_costs_two_queries_whatever_the_number_of_posts(
    post, queued, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    others = [PostFactory() for _ in range(6)]
    for other in others:
        IndicatorFactory(post=other)
    Post.objects.update(rescore_requested_at=timezone.now() - dt.timedelta(seconds=STALE + 1))
    with django_assert_num_queries(2):
        swept = services.rescores_sweep()
    assert swept == sorted([post.pk, *(o.pk for o in others)])


def test_the_sweep_task_queues_posts_in_chunks(post, queued):  # type: ignore[no-untyped-def]
    others = [PostFactory() for _ in range(tasks.REEVALUATION_CHUNK)]
    Post.objects.update(rescore_requested_at=timezone.now() - dt.timedelta(seconds=STALE + 1))
    assert tasks.sweep_rescores.apply().get() == len(others) + 1
    assert [name for name, _args in queued] == ["rescore_posts", "rescore_posts"]
    assert sorted(pk for _name, (ids,) in queued for pk in ids) == sorted(
        [post.pk, *(o.pk for o in others)]
    )


def test_the_sweep_is_scheduled_every_rescore_sweep_seconds():  # type: ignore[no-untyped-def]
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("readiness.assessments.migrations.0009_sweep_schedule")
    PeriodicTask.objects.filter(name=migration.NAME).delete()  # a transactional test flushed it
    migration.seed(apps, None)
    job = PeriodicTask.objects.get(name=migration.NAME)
    assert job.task == "readiness.assessments.tasks.sweep_rescores" and job.enabled
    assert (job.interval.every, job.interval.period) == (settings.RESCORE_SWEEP_SECONDS, "seconds")
    assert settings.RESCORE_SWEEP_SECONDS + settings.RESCORE_CLAIM_STALE_SECONDS <= 60


# --- The broker's visibility timeout and the tasks' time limits ---------------------------


def test_the_visibility_timeout_outlasts_every_task_but_not_by_an_hour():  # type: ignore[no-untyped-def]
    """Redis hands a task that is not acknowledged within the timeout to another worker:
    shorter than a task's run (or its retry countdown) runs it twice; an hour kept the
    re-score a killed worker held for an hour."""
    from readiness.celery import app

    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout <= 300
    for name, task in app.tasks.items():
        if not name.startswith("readiness."):
            continue
        retried = getattr(task, "autoretry_for", ())
        longest_wait = getattr(task, "retry_backoff_max", 0) if retried else 0
        assert task.time_limit and task.soft_time_limit, f"{name} has no time limits"
        assert task.time_limit + longest_wait < timeout, name


def test_a_re_score_cut_short_by_its_time_limit_is_recorded(post, monkeypatch):  # type: ignore[no-untyped-def]
    """Else its claim would go stale and the sweeper would run it into the limit again
    every minute."""
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(**kwargs):  # type: ignore[no-untyped-def]
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "posts_rescore", too_slow)
    with pytest.raises(SoftTimeLimitExceeded):
        tasks.rescore_post.apply(args=(post.pk,), throw=True)
    post.refresh_from_db()
    assert "time limit" in post.rescore_error
    age(post, STALE + 1)
    assert services.rescores_sweep() == []


def test_pruning_deletes_in_chunks(post, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "PRUNE_CHUNK", 2)
    # Five assessments within one UTC day (from 08:00), whatever the hour the test runs.
    old = (timezone.now() - dt.timedelta(days=30)).replace(hour=8, minute=0)
    for hour in range(5):
        Assessment.objects.create(
            post=post, evaluated_at=old + dt.timedelta(hours=hour), current_level=0,
            recommended_level=0, verdict="on_time", threat_index=10, trend_per_day=0,
            preparedness=50, fingerprint="f", explanation={},
        )  # fmt: skip
    assert services.assessments_prune() == 4, "all but the last of that day"


def test_a_failing_post_is_asked_again_by_the_next_write(post, queued):  # type: ignore[no-untyped-def]
    """A post created before its ladder fails its first re-score; the ladder's writes that
    follow must bring it back at once, not after the claim went stale."""
    Post.objects.filter(pk=post.pk).update(level=42)
    assert services._claim_and_queue(post.pk)
    with pytest.raises(services.RescoreFailed):
        tasks.rescore_post.apply(args=(post.pk,), throw=True)
    assert claim_of(post) is None
    Post.objects.filter(pk=post.pk).update(level=0)  # the fix
    assert services._claim_and_queue(post.pk) is True
