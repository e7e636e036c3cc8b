"""Scoring posts: load the engine's inputs, run it, store the assessment.

Re-scores are requested with ``post_rescore_enqueue`` after a write commits. Bursts
coalesce: the first request claims the post (a conditional update of
``Post.rescore_requested_at``) and queues one task a few seconds later; a request while
the claim stands only moves it by a microsecond. The re-score reads the claim before the
inputs and releases it, if still as read, in the transaction that stores the assessment;
a claim that moved (a write came after the read) stands and the post is scored again: the
last assessment always reflects every committed indicator. A claim that stands too long
was lost with its task (a killed worker, a broker that was down): ``rescores_sweep``, run
every half minute, queues it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import logging
import math
import operator
from collections.abc import Iterable, Iterator
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from readiness.assessments.summary import summary_of
from readiness.engine import assess
from readiness.engine.assessment import EXPLANATION_FORMAT
from readiness.evidence import evidence_path
from readiness.posts.models import Post

from . import live, signals
from .models import Assessment, RecommendationChange
from .selectors import Previous, loaded_indicators, scoring_inputs, unreadable_dates

log = logging.getLogger(__name__)

# Seconds a burst of writes is given to finish before the post is scored. The first write
# after a quiet spell (no assessment stored for the post in the last QUIET_SECONDS) is
# scored at once: an officer entering one indicator sees it without the wait; the writes
# that follow it closely are the burst, and coalesce.
COALESCE_SECONDS = 2
QUIET_SECONDS = 10
# A post that failed is left out of the sweep and the periodic job this long (STYLE.md's
# crash-loop guard); a write to it still asks again.
FAILURE_BACKOFF = dt.timedelta(hours=1)
# A write while a claim stands moves the claim by this much: the claim's value is its
# version, so a re-score that read the inputs before the write knows, when it releases the
# claim, that it did not see everything; the claim's age (what "stale" measures) is kept.
_CLAIM_TICK = dt.timedelta(microseconds=1)
# Errors that say nothing about the data: the database restarting, a connection dropped.
# Only these are retried (by the task, with backoff); any other failure is the post's.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def claim_stale_after() -> dt.timedelta:
    """A claim is the promise "a re-score that will see these writes is on its way". One
    that stands longer than this was broken (the broker was down when it was queued, the
    worker holding the task was killed): the next write claims again, and the sweeper
    (rescores_sweep) re-queues it without waiting for a write."""
    return dt.timedelta(seconds=settings.RESCORE_CLAIM_STALE_SECONDS)


def post_rescore_enqueue(*, post_id: int) -> None:
    """Ask for a re-score of a post once the current transaction commits (once per
    transaction however many rows of the post it writes)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "rescore_post_id", None) == post_id
        or post_id in getattr(callback, "rescore_post_ids", ())
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return

    def callback() -> None:
        _claim_and_queue(post_id)

    callback.rescore_post_id = post_id  # type: ignore[attr-defined]  # the mark read above
    transaction.on_commit(callback, robust=True)


def posts_rescore_enqueue(*, post_ids: Iterable[int]) -> None:
    """post_rescore_enqueue for several posts a write touched (a feed's delivery): after
    commit, one statement claims them all (_claims_and_queue), not two a post."""
    connection = transaction.get_connection()
    pending: set[int] = set()
    if connection.in_atomic_block:
        for _savepoints, requested, _robust in connection.run_on_commit:
            pending.update(getattr(requested, "rescore_post_ids", ()))
            if (post_id := getattr(requested, "rescore_post_id", None)) is not None:
                pending.add(post_id)
    ids = [post_id for post_id in dict.fromkeys(post_ids) if post_id not in pending]
    if len(ids) < 2:
        for post_id in ids:
            post_rescore_enqueue(post_id=post_id)
        return

    def callback() -> None:
        _claims_and_queue(ids)

    callback.rescore_post_ids = frozenset(ids)  # type: ignore[attr-defined]  # read above
    transaction.on_commit(callback, robust=True)


def _claims_and_queue(post_ids: list[int]) -> list[int]:
    """_claim_and_queue for several posts; the posts queued. On PostgreSQL one statement
    locks the posts (in order of id: two deliveries never wait on each other crosswise),
    claims those without a standing claim and moves the others' claims by a tick, as
    _claim_and_queue does for each; one query then finds the quiet ones."""
    from .tasks import rescore_post

    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return [post_id for post_id in post_ids if _claim_and_queue(post_id)]
    now = timezone.now()
    table = connection.ops.quote_name(Post._meta.db_table)
    claimable = "old.requested IS NULL OR old.requested < %(stale)s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH old AS (
                SELECT id, rescore_requested_at AS requested FROM {table}
                WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE
            )
            UPDATE {table} AS post SET rescore_requested_at =
                CASE WHEN {claimable} THEN %(now)s ELSE old.requested + %(tick)s END
            FROM old WHERE post.id = old.id
            RETURNING post.id, {claimable}""",
            {"ids": post_ids, "stale": now - claim_stale_after(), "now": now, "tick": _CLAIM_TICK},
        )
        claimed = sorted(post_id for post_id, claim in cursor.fetchall() if claim)
    if not claimed:
        return []
    busy = set(
        Assessment.objects.filter(
            post_id__in=claimed, created_at__gte=now - dt.timedelta(seconds=QUIET_SECONDS)
        ).values_list("post_id", flat=True)
    )
    return [
        post_id
        for post_id in claimed
        if _queue(rescore_post, (post_id,), countdown=COALESCE_SECONDS if post_id in busy else 0)
    ]


def _claim_and_queue(post_id: int) -> bool:
    """Claim the post and queue its re-score, or, if a claim stands, tell its re-score that
    one more write came (it goes again if it read before this write). True if queued."""
    from .tasks import rescore_post

    now = timezone.now()
    stale = now - claim_stale_after()
    post = Post.objects.filter(pk=post_id)
    for _ in range(3):
        claimed = post.filter(
            Q(rescore_requested_at__isnull=True) | Q(rescore_requested_at__lt=stale)
        ).update(rescore_requested_at=now)
        if claimed:
            break
        if post.filter(rescore_requested_at__isnull=False).update(
            rescore_requested_at=F("rescore_requested_at") + _CLAIM_TICK
        ):
            return False  # a re-score is queued or running, and will see this write
        # The claim was released between the two updates (or the post is gone): again.
    else:
        return False
    quiet = not Assessment.objects.filter(
        post_id=post_id, created_at__gte=now - dt.timedelta(seconds=QUIET_SECONDS)
    ).exists()
    return _queue(rescore_post, (post_id,), countdown=0 if quiet else COALESCE_SECONDS)


def _queue(task: Any, args: tuple[object, ...], *, countdown: float = 0) -> bool:
    try:
        task.apply_async(args, countdown=countdown)
    except (KombuOperationalError, OSError):
        # The broker is unreachable. The write is saved and the claim stands: it goes stale
        # and the sweeper re-queues it once the broker is back. Never lose it silently.
        log.exception("could not queue %s%r; the sweeper will retry it", task.name, args)
        return False
    return True


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
    stored (a crash-loop guard: one bad post never blocks the rest). Only transient
    database errors (TRANSIENT_ERRORS) escape, for the task to retry.

    The posts' claims are read first, before any input: each is released once the run
    that covered it has ended (stored, or recorded as failing), unless a write moved it
    meanwhile; then the post is queued again."""
    ids = list(post_ids)
    claims = {
        pk: at
        for pk, at in Post.objects.filter(pk__in=ids).values_list("pk", "rescore_requested_at")
        if at is not None
    }
    with _gc_paused():
        newest, failures = _attempt(ids, now or timezone.now(), claims)
    if failures:
        # A failing post is not left claimed: the next write (a fix, perhaps) asks again.
        # One failing run per write or burst of writes, no more: the sweeper leaves it an hour.
        with transaction.atomic():
            _claims_release({pk: claims[pk] for pk in failures if pk in claims})
        raise RescoreFailed("; ".join(f"post {pk}: {error}" for pk, error in failures.items()))
    return newest


def _attempt(
    post_ids: list[int], now: dt.datetime, claims: dict[int, dt.datetime]
) -> tuple[dict[int, int], dict[int, str]]:
    """Score and store a batch in one transaction. If the batch fails as a whole, its data
    is to blame (a date psycopg cannot read fails the one query that loads every post's
    indicators; a row a constraint refuses fails the one INSERT): score each post on its
    own, so that only the post at fault fails, and say so on it."""
    try:
        with transaction.atomic():
            return _score_and_store(post_ids=post_ids, now=now, claims=claims)
    except Exception as exc:
        if isinstance(exc, (*TRANSIENT_ERRORS, SoftTimeLimitExceeded)):
            raise  # not the data's fault: the task retries, or gives up, as a whole
        if len(post_ids) > 1:
            log.warning(
                "re-scoring %d posts together failed (%s: %s); scoring them one by one",
                len(post_ids), type(exc).__name__, exc,
            )  # fmt: skip
            newest: dict[int, int] = {}
            failures: dict[int, str] = {}
            for post_id in post_ids:
                one, failed = _attempt([post_id], now, claims)
                newest.update(one)
                failures.update(failed)
            return newest, failures
        (post_id,) = post_ids
        log.exception("re-scoring post %s failed", post_id)
        error = _failure_of(post_id, exc)
        post_rescore_failed(post_id=post_id, error=error)
        return {}, {post_id: error}


def _failure_of(post_id: int, exc: Exception) -> str:
    """The error as the post records it: what failed, and for a value the database holds
    but Python cannot read, which rows hold it."""
    error = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, DataError):
        rows = unreadable_dates(post_id=post_id)
        if rows:
            error += (
                ". These dates are outside the years 1 to 9999 and cannot be read: "
                + ", ".join(rows)
                + ". Correct or delete those rows."
            )
    return error


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
    *, post_ids: list[int], now: dt.datetime, claims: dict[int, dt.datetime]
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
    if changes:  # the outbox's rows: notifications are fanned out once this commits
        signals.recommendation_changed.send(
            sender=RecommendationChange, change_ids=[change.pk for change in changes]
        )
    _claims_release({pk: claims[pk] for pk in newest if pk in claims})
    recovered = [
        item.post.pk for item in batch if item.post.rescore_error and item.post.pk in newest
    ]
    if recovered:
        Post.objects.filter(pk__in=recovered).update(rescore_error="", rescore_failed_at=None)
    for post_id, error in failures.items():
        post_rescore_failed(post_id=post_id, error=error)
    return newest, failures


def _claims_release(claims: dict[int, dt.datetime]) -> None:
    """Release the claims a re-score covered: each still as it was read before the inputs.
    A claim a write moved since (or the sweeper took again) stands, and its post is queued
    again once this transaction commits. Released with the stored assessment, never
    before: a worker killed mid-run leaves the claim standing, and the sweeper sees it go
    stale."""
    if not claims:
        return
    covered = functools.reduce(
        operator.or_, (Q(pk=pk, rescore_requested_at=at) for pk, at in claims.items())
    )
    if Post.objects.filter(covered).update(rescore_requested_at=None) == len(claims):
        return
    again = list(
        Post.objects.filter(pk__in=list(claims), rescore_requested_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    transaction.on_commit(
        lambda: rescores_queue(post_ids=again, countdown=COALESCE_SECONDS), robust=True
    )


def rescores_queue(*, post_ids: list[int], countdown: float = 0) -> int:
    """Queue the re-score of posts already claimed: one task for one post, chunks of
    REEVALUATION_CHUNK for more. Returns how many posts were queued; a broker that cannot
    be reached is logged and the claims stand (the sweeper takes them again)."""
    from .tasks import REEVALUATION_CHUNK, rescore_post, rescore_posts

    if len(post_ids) == 1:
        return len(post_ids) if _queue(rescore_post, (post_ids[0],), countdown=countdown) else 0
    queued = 0
    for start in range(0, len(post_ids), REEVALUATION_CHUNK):
        chunk = post_ids[start : start + REEVALUATION_CHUNK]
        if _queue(rescore_posts, (chunk,), countdown=countdown):
            queued += len(chunk)
    return queued


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
    # Open dashboards are told once the assessments are visible to them.
    transaction.on_commit(lambda: live.assessments_published(post_ids=list(by_post)))


def post_rescore(*, post_id: int, now: dt.datetime | None = None) -> Assessment:
    """Score one post now (a batch of one) and return its newest assessment."""
    newest = posts_rescore(post_ids=[post_id], now=now)
    if post_id not in newest:
        raise Post.DoesNotExist(f"no post with id {post_id}")
    return Assessment.objects.get(pk=newest[post_id])


def post_rescore_failed(*, post_id: int, error: str) -> None:
    """Keep the failure where dashboards can show it. The next write to the post asks for
    a re-score again (a burst of writes, once); the sweeper leaves the post alone for an
    hour, and the periodic job retries it after that hour."""
    Post.objects.filter(pk=post_id).update(
        rescore_failed_at=timezone.now(), rescore_error=error[:2000]
    )
    signals.rescore_failed.send(sender=Post, post_id=post_id)


def posts_rescore_timed_out(*, post_ids: list[int], seconds: int) -> None:
    """A re-score that hit its time limit stored nothing; without this its claims would go
    stale and the sweeper would run it into the limit again every minute."""
    for post_id in post_ids:
        post_rescore_failed(
            post_id=post_id,
            error=f"Re-scoring took longer than {seconds} s (the task's time limit).",
        )


def rescores_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Claim the posts whose re-score was lost, and return them for rescores_queue: a
    claim older than settings.RESCORE_CLAIM_STALE_SECONDS (never queued: the broker was
    down; or queued and lost: the worker holding it was killed), or no claim yet
    something the newest assessment has not seen (a post never scored; an indicator
    recorded since it was evaluated, which the engine will load: the write's own request
    was lost, e.g. its process died between the commit and the claim). Posts that failed
    in the last hour are left to the periodic job. Two queries whatever the number of
    posts: the claim is one conditional UPDATE, its stamp finds the posts it took."""
    now = now or timezone.now()
    stale = now - claim_stale_after()
    unseen = loaded_indicators(now=now).filter(
        post=OuterRef("pk"),
        recorded_at__lt=stale,  # its own claim had time to be made and to go stale
        recorded_at__gt=OuterRef("newest_assessment__evaluated_at"),
    )
    due = Post.objects.exclude(rescore_failed_at__gt=now - FAILURE_BACKOFF).filter(
        Q(rescore_requested_at__lt=stale)
        | (
            Q(rescore_requested_at__isnull=True)
            & (Q(newest_assessment__isnull=True) | Q(Exists(unseen)))
        )
    )
    if not due.update(rescore_requested_at=now):
        return []
    return list(
        Post.objects.filter(rescore_requested_at=now).order_by("pk").values_list("pk", flat=True)
    )


def posts_due_for_reevaluation(*, now: dt.datetime | None = None) -> list[int]:
    """Every post, except those that failed in the last hour (a crash loop must not eat
    the worker; they are retried once that hour has passed)."""
    now = now or timezone.now()
    backoff = now - FAILURE_BACKOFF
    return list(
        Post.objects.exclude(rescore_failed_at__gt=backoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Assessments deleted per transaction by assessments_prune: short transactions, and far
# under PostgreSQL's 65,535 parameters per query whatever the backlog.
PRUNE_CHUNK = 1000


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
    ids = list(doomed)
    deleted = 0
    for start in range(0, len(ids), PRUNE_CHUNK):
        # The one path that deletes assessments: the database refuses it elsewhere
        # (evidence); each chunk commits on its own.
        with evidence_path("prune"):
            count, _by_model = Assessment.objects.filter(
                pk__in=ids[start : start + PRUNE_CHUNK]
            ).delete()
        deleted += count
    return deleted
