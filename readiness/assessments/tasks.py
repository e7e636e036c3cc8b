"""Celery tasks: thin, take ids, retry with backoff. The work is in services.py."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from celery import shared_task
from django.db import DatabaseError

from readiness.posts.models import Post

from . import services

if TYPE_CHECKING:
    from celery import Task

log = logging.getLogger(__name__)

# Posts per periodic re-score task: big enough to amortise the queries, small enough that
# two worker processes share the work and a task stays well inside its time limit.
REEVALUATION_CHUNK = 25


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
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
    services.post_rescore_release(post_id=post_id)
    # A post that cannot be scored is recorded as failing (dashboards show it) and
    # RescoreFailed is raised for the logs; it is not retried: the data must be fixed.
    return services.posts_rescore(post_ids=[post_id]).get(post_id)


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=8,
    soft_time_limit=120,
    time_limit=150,
    acks_late=True,
)
def rescore_posts(post_ids: list[int]) -> int:
    """Score a chunk of posts in one go (the periodic job's unit of work)."""
    Post.objects.filter(pk__in=post_ids).update(rescore_requested_at=None)
    return len(services.posts_rescore(post_ids=post_ids))


@shared_task(soft_time_limit=300, time_limit=360)
def reevaluate_all_posts() -> int:
    """Periodic (beat): indicators decay and deadlines approach even when nothing is
    written, so every post is re-scored on a schedule, in chunks that the workers'
    processes share."""
    post_ids = services.posts_due_for_reevaluation()
    for start in range(0, len(post_ids), REEVALUATION_CHUNK):
        rescore_posts.delay(post_ids[start : start + REEVALUATION_CHUNK])
    return len(post_ids)


@shared_task(soft_time_limit=120, time_limit=150)
def notify_changes() -> int:
    """Periodic (beat): send the outbox of recommendation changes."""
    return services.changes_notify()


@shared_task(soft_time_limit=600, time_limit=660)
def prune_assessments() -> int:
    """Daily (beat): keep full detail for two weeks, then one assessment per post per day
    plus every one that is evidence (see services.assessments_prune)."""
    return services.assessments_prune()
