"""Scoring posts: load the engine's inputs, run it, store the assessment.

Re-scores are requested with ``post_rescore_enqueue`` after a write commits. Bursts
coalesce: the first request claims the post (a conditional update of
``Post.rescore_requested_at``) and queues one task a few seconds later; requests while the
claim stands add nothing. The task releases the claim *before* it reads the data, so a
write committed after that read claims again and is scored by the next task: the last
assessment always reflects every committed indicator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import math
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as KombuOperationalError

from readiness.assessments.summary import summary_of
from readiness.engine import assess
from readiness.engine.assessment import EXPLANATION_FORMAT
from readiness.evidence import evidence_path
from readiness.posts.models import Post
from readiness.wording.verdict import verdict

from .models import Assessment, RecommendationChange
from .selectors import Previous, scoring_inputs

log = logging.getLogger(__name__)

# Seconds a burst of writes is given to finish before the post is scored. The first write
# after a quiet spell (no assessment stored for the post in the last QUIET_SECONDS) is
# scored at once: an officer entering one indicator sees it without the wait; the writes
# that follow it closely are the burst, and coalesce.
COALESCE_SECONDS = 2
QUIET_SECONDS = 10
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

    callback.rescore_post_id = post_id  # type: ignore[attr-defined]  # the mark read above
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
    quiet = not Assessment.objects.filter(
        post_id=post_id, created_at__gte=now - dt.timedelta(seconds=QUIET_SECONDS)
    ).exists()
    try:
        rescore_post.apply_async((post_id,), countdown=0 if quiet else COALESCE_SECONDS)
    except (KombuOperationalError, OSError):
        # The broker is unreachable. The write is saved; the claim goes stale and the next
        # write or the periodic job re-scores the post. Never lose the request silently.
        log.exception("could not queue the re-score of post %s; it will be retried", post_id)
        return False
    return True


def post_rescore_release(*, post_id: int) -> None:
    """Release the claim before reading, so later writes queue a new re-score."""
    Post.objects.filter(pk=post_id).update(rescore_requested_at=None)


def _headline(row: Assessment | Previous) -> tuple[object, ...]:
    margin = row.next_level_margin_days
    return (
        row.current_level,
        row.recommended_level,
        row.verdict,
        round(row.threat_index, 1),
        None if margin is None else (margin if math.isinf(margin) else round(margin, 1)),
        round(row.preparedness),
    )


class RescoreFailed(Exception):
    """Some posts of a batch could not be scored; the others were stored."""


def posts_rescore(*, post_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, int]:
    """Score posts now and store their assessments in one go. A post whose situation has
    not changed since its newest assessment (same inputs, same headline figures) keeps it.
    Returns post id -> id of its newest assessment. A post that cannot be scored is
    recorded as failing and the others carry on; RescoreFailed is raised once they are
    stored (a crash-loop guard: one bad post never blocks the rest)."""
    with _gc_paused(), transaction.atomic():
        newest, failures = _score_and_store(post_ids=list(post_ids), now=now or timezone.now())
    if failures:
        raise RescoreFailed("; ".join(f"post {pk}: {error}" for pk, error in failures.items()))
    return newest


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is scored. A batch allocates
    hundreds of thousands of short-lived objects without cycles (the inputs, the engine's
    figures, the explanations), and the collector would walk them, and every long-lived
    object of the process, again and again for nothing: a fifth of the batch's time in
    bench/bench_rescore.py. Reference counting still frees them as they go; the collector
    resumes (as it was) when the batch ends, even on an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _score_and_store(
    *, post_ids: list[int], now: dt.datetime
) -> tuple[dict[int, int], dict[int, str]]:
    batch = scoring_inputs(post_ids=post_ids, now=now)
    newest: dict[int, int] = {}
    created: list[Assessment] = []
    previous_of: dict[int, Previous | None] = {}
    failures: dict[int, str] = {}
    for item in batch:
        post = item.post
        if item.inputs is None:
            failures[post.pk] = item.error
            continue
        try:
            result = assess(item.inputs)
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
                fingerprint=item.inputs.fingerprint(),
            )
            previous = item.previous
            if (
                previous
                and previous.fingerprint == candidate.fingerprint
                and _headline(previous) == _headline(candidate)
                and previous.explanation_format == EXPLANATION_FORMAT
            ):
                newest[post.pk] = previous.id
                continue
            # Only an assessment that is stored needs its explanation in plain JSON.
            candidate.explanation = result.to_dict()
            candidate.summary = summary_of(candidate.explanation)
        except Exception as exc:  # a bug or bad data for this post only
            log.exception("scoring post %s failed", post.code)
            failures[post.pk] = f"{type(exc).__name__}: {exc}"
            continue
        created.append(candidate)
        previous_of[post.pk] = previous
    # One INSERT for the assessments; their ids come back (RETURNING on PostgreSQL and SQLite).
    Assessment.objects.bulk_create(created)
    newest_assessment_point(assessments=created, evaluated_at=now)
    changes = []
    for assessment in created:
        newest[assessment.post_id] = assessment.pk
        previous = previous_of[assessment.post_id]
        if previous is None or (previous.recommended_level, previous.verdict) != (
            assessment.recommended_level,
            assessment.verdict,
        ):
            changes.append(
                RecommendationChange(
                    post_id=assessment.post_id,
                    assessment=assessment,
                    from_level=previous.recommended_level if previous else None,
                    to_level=assessment.recommended_level,
                    from_verdict=previous.verdict if previous else "",
                    to_verdict=assessment.verdict,
                )
            )
    RecommendationChange.objects.bulk_create(changes)
    recovered = [
        item.post.pk for item in batch if item.post.rescore_error and item.post.pk in newest
    ]
    if recovered:
        Post.objects.filter(pk__in=recovered).update(rescore_error="", rescore_failed_at=None)
    for post_id, error in failures.items():
        post_rescore_failed(post_id=post_id, error=error)
    return newest, failures


def newest_assessment_point(*, assessments: list[Assessment], evaluated_at: dt.datetime) -> None:
    """Point each post of `assessments` (stored, all evaluated at `evaluated_at`) at its
    new assessment, in one UPDATE; a post whose pointer already shows a later evaluation
    (a concurrent re-score that finished first) keeps it."""
    if not assessments:
        return
    by_post = {a.post_id: a.pk for a in assessments}
    (
        Post.objects.filter(pk__in=list(by_post))
        .exclude(newest_assessment__evaluated_at__gt=evaluated_at)
        .update(
            newest_assessment_id=Case(
                *(When(pk=post_id, then=Value(pk)) for post_id, pk in by_post.items()),
                default=F("newest_assessment_id"),
                output_field=BigIntegerField(),
            )
        )
    )


def post_rescore(*, post_id: int, now: dt.datetime | None = None) -> Assessment:
    """Score one post now (a batch of one) and return its newest assessment."""
    newest = posts_rescore(post_ids=[post_id], now=now)
    if post_id not in newest:
        raise Post.DoesNotExist(f"no post with id {post_id}")
    return Assessment.objects.get(pk=newest[post_id])


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
        # Said in the site's language (the recipients have no session to choose another).
        with translation.override(settings.LANGUAGE_CODE):
            body = verdict(change.assessment.explanation)
        send_mail(subject, body, None, recipients)


def assessments_prune(*, keep_days: int = 14, now: dt.datetime | None = None) -> int:
    """Thin out assessments older than ``keep_days``: keep the last one of each post's day
    (the history charts need no more), every one a decision was taken against, and every
    one that changed the recommendation (evidence). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    last_of_its_day = (
        Assessment.objects.filter(post=OuterRef("post"), evaluated_at__date=OuterRef("day"))
        .order_by("-evaluated_at", "-id")
        .values("id")[:1]
    )
    doomed = (
        Assessment.objects.filter(
            evaluated_at__lt=cutoff, decisions__isnull=True, change__isnull=True
        )
        .annotate(day=TruncDate("evaluated_at"))
        .exclude(pk=Subquery(last_of_its_day))
        .values_list("pk", flat=True)
    )
    # The one path that deletes assessments: the database refuses it elsewhere (evidence).
    with evidence_path("prune"):
        deleted, _by_model = Assessment.objects.filter(pk__in=list(doomed)).delete()
    return deleted
