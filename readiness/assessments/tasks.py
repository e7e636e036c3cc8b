"""Celery tasks: thin, take ids, retry with backoff. The work is in services.py."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from readiness.posts.models import Post

from . import services

log = logging.getLogger(__name__)


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
def rescore_post(self, post_id: int) -> int | None:  # type: ignore[no-untyped-def]
    """Score one post. Idempotent: a second run stores nothing new."""
    services.post_rescore_release(post_id=post_id)
    try:
        assessment = services.post_rescore(post_id=post_id)
    except Post.DoesNotExist:
        return None  # deleted since: nothing to score
    except DatabaseError:
        raise  # retried with backoff (autoretry_for)
    except Exception as exc:
        # A bug or bad data for this post: record it where officers see it, keep the
        # claim so writes do not re-queue it in a loop, and re-raise for the logs.
        services.post_rescore_failed(post_id=post_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return assessment.pk


@shared_task(soft_time_limit=300, time_limit=360)
def reevaluate_all_posts() -> int:
    """Periodic (beat): indicators decay and deadlines approach even when nothing is
    written, so every post is re-scored on a schedule."""
    post_ids = services.posts_due_for_reevaluation()
    for post_id in post_ids:
        services.post_rescore_release(post_id=post_id)
        rescore_post.delay(post_id)
    return len(post_ids)


@shared_task(soft_time_limit=120, time_limit=150)
def notify_changes() -> int:
    """Periodic (beat): send the outbox of recommendation changes."""
    return services.changes_notify()
