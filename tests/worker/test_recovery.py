"""Recovery after a lost worker or broker, through a real worker and beat on a real Redis:
the sweeper brings every committed indicator into the newest assessment within its bound
(here shortened: claims stale after 8 s, a sweep every second), not after the broker's
visibility timeout (300 s) nor the periodic job (15 minutes, switched off here)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.engine import contributions_from_dict
from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from tests.factories import CommunityFactory, ExitRouteFactory, IndicatorFactory, PostFactory
from tests.worker.conftest import RedisServer, Worker, _database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Longer than the burst around the kill takes, so that no write of it finds the claim
# stale and queues the re-score itself: what brings the post back is the sweeper.
STALE_SECONDS = 8
SWEEP_SECONDS = 1
# From the moment a worker is back to the assessment that counts everything: the claim
# going stale, the next sweep, the re-score; plus a worker's start-up on a busy machine.
BOUND_SECONDS = STALE_SECONDS + SWEEP_SECONDS + 20
SWEPT = re.compile(r"sweep_rescores\[[^\]]+\] succeeded in [\d.]+s: [1-9]")


@pytest.fixture
def sweeping_worker(celery_on: RedisServer, transactional_db: None, tmp_path: Path, settings):  # type: ignore[no-untyped-def]
    """A worker with beat inside it; the schedule holds only the sweeper, every second."""
    import importlib

    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    settings.RESCORE_CLAIM_STALE_SECONDS = STALE_SECONDS  # this process's writes
    sweep = importlib.import_module("readiness.assessments.migrations.0009_sweep_schedule")
    every, _ = IntervalSchedule.objects.get_or_create(every=SWEEP_SECONDS, period="seconds")
    PeriodicTask.objects.exclude(name=sweep.NAME).delete()  # no periodic job to help
    PeriodicTask.objects.update_or_create(
        name=sweep.NAME,
        defaults={
            "task": "readiness.assessments.tasks.sweep_rescores",
            "interval": every,
            "enabled": True,
        },
    )
    process = Worker(
        celery_on.url,
        _database_url(),
        tmp_path,
        beat=True,
        env={"RESCORE_CLAIM_STALE_SECONDS": str(STALE_SECONDS)},
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture
def post() -> Iterator[Post]:
    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    yield post


def settled(post: Post) -> bool:
    """Scored, and no re-score asked for or under way."""
    row = Post.objects.values("newest_assessment_id", "rescore_requested_at").get(pk=post.pk)
    return bool(row["newest_assessment_id"]) and row["rescore_requested_at"] is None


def counted(post: Post) -> int:
    assessment = Post.objects.get(pk=post.pk).newest_assessment
    return len(contributions_from_dict(assessment.explanation)) if assessment else -1


def commit_indicators(post: Post, numbers: range) -> None:
    for i in numbers:
        with transaction.atomic():  # one commit each, as separate feed deliveries
            Indicator.objects.create(
                post=post, category="incident", severity=2, reliability="C", credibility=3,
                source="feed", text=f"report {i}", observed_at=timezone.now(),
                external_id=f"feed-{i}",
            )  # fmt: skip


def test_a_worker_killed_mid_burst_is_made_good_by_the_sweeper_within_the_bound(
    sweeping_worker: Worker, post: Post
) -> None:
    wait_for(lambda: settled(post), 60, "the post's first assessment")
    sweeping_worker.stall_flag.write_text("stall the burst's re-score")
    commit_indicators(post, range(100))
    pid_file = sweeping_worker.stall_flag.with_name("stall.pid")
    wait_for(pid_file.exists, 30, "the burst's re-score to start")
    sweeping_worker.kill()  # kill -9, mid-task: its message stays unacknowledged in Redis
    commit_indicators(post, range(100, 200))  # the burst goes on with no worker
    assert Post.objects.get(pk=post.pk).rescore_requested_at is not None, "the claim stands"
    assert counted(post) < 200

    sweeping_worker.start()
    back = time.monotonic()
    wait_for(lambda: counted(post) == 200, BOUND_SECONDS, "an assessment counting all 200")
    took = time.monotonic() - back
    print(f"\nworker killed mid-burst: all 200 indicators counted {took:.1f}s after it was back")
    assert SWEPT.search(sweeping_worker.log.read_text()), "the sweeper queued it"
    assert wait_for(lambda: settled(post), 30, "the claim released")


def test_a_broker_outage_is_made_good_by_the_sweeper_within_the_bound(
    sweeping_worker: Worker, post: Post, redis_server: RedisServer
) -> None:
    wait_for(lambda: settled(post), 60, "the post's first assessment")
    first = Post.objects.get(pk=post.pk).newest_assessment_id
    redis_server.stop()
    indicator = IndicatorFactory(post=post, severity=5, text="posted while the broker was down")
    assert Post.objects.get(pk=post.pk).rescore_requested_at is not None, "the request stands"
    redis_server.start()
    # Celery 5.7's worker exits when its broker vanishes; its supervisor restarts it (as
    # here). Should a later Celery reconnect instead, that is accepted too.
    if wait_for(sweeping_worker.exited_or_reconnected, 60, "the worker to notice") == "exited":
        sweeping_worker.start()
    back = time.monotonic()

    def scored() -> Assessment | None:
        assessment = Post.objects.get(pk=post.pk).newest_assessment
        if assessment and assessment.pk != first:
            ids = {row["id"] for row in contributions_from_dict(assessment.explanation)}
            return assessment if str(indicator.pk) in ids else None
        return None

    wait_for(scored, BOUND_SECONDS, "the indicator written during the outage to be scored")
    took = time.monotonic() - back
    print(f"\nbroker outage: the indicator was scored {took:.1f}s after the worker was back")
    log = sweeping_worker.log.read_text()
    assert SWEPT.search(log), "the sweeper queued it"
    assert "reevaluate_all_posts[" not in log, "not the periodic job"
