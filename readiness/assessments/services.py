"""Scoring posts: load the engine's inputs, run it, store the assessment.

Re-scores are requested with ``post_rescore_enqueue`` after a write commits. Bursts
coalesce: the first request claims the post (a conditional update of
``Post.rescore_requested_at``) and queues one task a few seconds later; requests while the
claim stands add nothing. The task releases the claim *before* it reads the data, so a
write committed after that read claims again and is scored by the next task: the last
assessment always reflects every committed indicator.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from readiness.engine import assess
from readiness.posts.models import Post

from .models import Assessment, RecommendationChange
from .selectors import engine_inputs, newest_assessment

log = logging.getLogger(__name__)

# Seconds a burst of writes is given to finish before the post is scored.
COALESCE_SECONDS = 2
# A claim older than this is considered lost (the broker was down, the message dropped),
# so the next write claims again instead of waiting for the periodic job.
CLAIM_STALE_SECONDS = 120


def post_rescore_enqueue(*, post_id: int) -> None:
    """Ask for a re-score of a post once the current transaction commits (once per
    transaction however many rows of the post it writes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "rescore_post_id", None) == post_id
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return

    def callback() -> None:
        _claim_and_queue(post_id)

    callback.rescore_post_id = post_id  # type: ignore[attr-defined]
    transaction.on_commit(callback, robust=True)


def _claim_and_queue(post_id: int) -> bool:
    from .tasks import rescore_post

    now = timezone.now()
    stale = now - dt.timedelta(seconds=CLAIM_STALE_SECONDS)
    claimed = (
        Post.objects.filter(pk=post_id)
        .filter(Q(rescore_requested_at__isnull=True) | Q(rescore_requested_at__lt=stale))
        .update(rescore_requested_at=now)
    )
    if not claimed:
        return False  # a re-score is already queued and will see this write
    try:
        rescore_post.apply_async((post_id,), countdown=COALESCE_SECONDS)
    except Exception:
        # The broker is unreachable. The write is saved; the claim goes stale and the next
        # write or the periodic job re-scores the post. Never lose the request silently.
        log.exception("could not queue the re-score of post %s; it will be retried", post_id)
        return False
    return True


def post_rescore_release(*, post_id: int) -> None:
    """Release the claim before reading, so later writes queue a new re-score."""
    Post.objects.filter(pk=post_id).update(rescore_requested_at=None)


def _headline(assessment: Assessment | None) -> tuple[object, ...] | None:
    if assessment is None:
        return None
    margin = assessment.next_level_margin_days
    return (
        assessment.current_level,
        assessment.recommended_level,
        assessment.verdict,
        round(assessment.threat_index, 1),
        None if margin is None else (margin if math.isinf(margin) else round(margin, 1)),
        round(assessment.preparedness),
    )


@transaction.atomic
def post_rescore(*, post_id: int, now: dt.datetime | None = None) -> Assessment:
    """Score a post now and store the assessment, unless nothing changed since the newest
    one (same inputs, same headline figures): then the newest one is returned."""
    now = now or timezone.now()
    post = Post.objects.get(pk=post_id)
    previous = newest_assessment(post=post)
    inputs = engine_inputs(post=post, now=now, previous=previous)
    result = assess(inputs)
    candidate = Assessment(
        post=post,
        evaluated_at=now,
        current_level=result.current_level,
        recommended_level=result.recommended_level,
        verdict=result.verdict,
        threat_index=result.threat_index,
        trend_per_day=result.trend_per_day,
        next_level_margin_days=result.next_level_margin_days,
        preparedness=result.preparedness_score,
        fingerprint=inputs.fingerprint(),
        explanation=result.to_dict(),
    )
    if (
        previous is not None
        and previous.fingerprint == candidate.fingerprint
        and _headline(previous) == _headline(candidate)
    ):
        return previous
    candidate.save()
    if previous is None or (previous.recommended_level, previous.verdict) != (
        candidate.recommended_level,
        candidate.verdict,
    ):
        RecommendationChange.objects.create(
            post=post,
            assessment=candidate,
            from_level=previous.recommended_level if previous else None,
            to_level=candidate.recommended_level,
            from_verdict=previous.verdict if previous else "",
            to_verdict=candidate.verdict,
        )
    if post.rescore_error:
        Post.objects.filter(pk=post.pk).update(rescore_error="", rescore_failed_at=None)
    return candidate


def post_rescore_failed(*, post_id: int, error: str) -> None:
    """Keep the failure where dashboards can show it; the claim stays, so the post is not
    re-queued by every write while it keeps failing (the periodic job retries it)."""
    Post.objects.filter(pk=post_id).update(
        rescore_failed_at=timezone.now(), rescore_error=error[:2000]
    )


def posts_due_for_reevaluation(*, now: dt.datetime | None = None) -> list[int]:
    """Every post, except those that failed in the last hour (a crash loop must not eat
    the worker; they are retried once that hour has passed)."""
    now = now or timezone.now()
    backoff = now - dt.timedelta(hours=1)
    return list(
        Post.objects.exclude(rescore_failed_at__gt=backoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def changes_notify(*, limit: int = 100) -> int:
    """Claim unprocessed recommendation changes one by one and notify; returns how many.
    The conditional update makes two notifiers never send the same change twice."""
    sent = 0
    pending = RecommendationChange.objects.filter(processed_at__isnull=True).order_by("created_at")
    for change in pending.select_related("post")[:limit]:
        claimed = RecommendationChange.objects.filter(
            pk=change.pk, processed_at__isnull=True
        ).update(processed_at=timezone.now())
        if not claimed:
            continue
        _notify(change)
        sent += 1
    return sent


def _notify(change: RecommendationChange) -> None:
    from django.core.mail import send_mail

    subject = (
        f"[Readiness] {change.post.code}: recommended level {change.from_level} → {change.to_level}, "
        f"{change.get_to_verdict_display()}"
    )
    log.info(subject)
    recipients = getattr(settings, "NOTIFY_EMAILS", [])
    if recipients:
        send_mail(subject, change.assessment.explanation.get("verdict_text", ""), None, recipients)
