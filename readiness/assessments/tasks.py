"""Celery tasks: thin, take ids, retry with backoff. The work is in services.py."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import services

if TYPE_CHECKING:
    from celery import Task

log = logging.getLogger(__name__)

# Posts per periodic re-score task: big enough to amortise the queries, small enough that
# two worker processes share the work and a task stays well inside its time limit.
REEVALUATION_CHUNK = 25

# Every task's hard time limit plus its longest retry countdown stays under the broker's
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), or Redis would hand a task
# that is still running, or still waiting for its countdown, to a second worker
# (tests/assessments/test_rescore_recovery.py holds them together).


@shared_task(
    bind=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def rescore_post(self: Task, post_id: int) -> int | None:
    """Score one post. Idempotent: a second run stores nothing new."""
    # A post that cannot be scored is recorded as failing (dashboards show it) and
    # RescoreFailed is raised for the logs; it is not retried: the data must be fixed.
    # Only a transient database error (the database restarting) is retried.
    with _time_limit_recorded([post_id], seconds=60):
        return services.posts_rescore(post_ids=[post_id]).get(post_id)


@shared_task(
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=8,
    soft_time_limit=120,
    time_limit=150,
    acks_late=True,
)
def rescore_posts(post_ids: list[int]) -> int:
    """Score a chunk of posts in one go (the periodic job's and the sweeper's unit of
    work). A post that fails is recorded and the others are stored."""
    with _time_limit_recorded(post_ids, seconds=120):
        return len(services.posts_rescore(post_ids=post_ids))


@contextlib.contextmanager
def _time_limit_recorded(post_ids: list[int], *, seconds: int) -> Iterator[None]:
    try:
        yield
    except SoftTimeLimitExceeded:
        services.posts_rescore_timed_out(post_ids=post_ids, seconds=seconds)
        raise


@shared_task(soft_time_limit=20, time_limit=30)
def sweep_rescores() -> int:
    """Periodic (beat, every RESCORE_SWEEP_SECONDS): re-queue the re-scores that were lost
    (a worker killed while holding them, a broker that was down when they were asked
    for) and score posts whose newest assessment misses an indicator. Bounds the wait
    after an outage to about a minute instead of the broker's visibility timeout or the
    periodic job. Returns how many posts it queued."""
    return services.rescores_queue(post_ids=services.rescores_sweep())


@shared_task(soft_time_limit=60, time_limit=90)
def reevaluate_all_posts() -> int:
    """Periodic (beat): indicators decay and deadlines approach even when nothing is
    written, so every post is re-scored on a schedule, in chunks that the workers'
    processes share."""
    post_ids = services.posts_due_for_reevaluation()
    for start in range(0, len(post_ids), REEVALUATION_CHUNK):
        rescore_posts.delay(post_ids[start : start + REEVALUATION_CHUNK])
    return len(post_ids)


@shared_task(soft_time_limit=240, time_limit=270)
def prune_assessments() -> int:
    """Daily (beat): keep full detail for two weeks, then one assessment per post per day
    plus every one that is evidence (see services.assessments_prune). Deletes in chunks,
    each committed: one cut short by its time limit keeps what it did, and the next day's
    run goes on."""
    return services.assessments_prune()
