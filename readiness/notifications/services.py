"""Writes: subscriptions and settings, the fan-out of a change into notifications and
deliveries, and the sending of e-mails (one by one, or as a digest after quiet hours).

The outbox pattern (docs/notifications.md): a source row -- a RecommendationChange with
``processed_at`` NULL, a PostFailure just opened -- is claimed with a conditional update
and fanned out in the same transaction, so a crash leaves it unclaimed for the sweep and
never half told. E-mails are sent after that commit; a failed send keeps its row, its
error and a later ``next_attempt_at`` (exponential backoff up to an hour) and is tried
again by the sweep, for ever: nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from readiness.assessments.models import RecommendationChange, Verdict
from readiness.posts import access
from readiness.posts.models import Post
from readiness.wording.verdict import verdict as verdict_sentence

from .models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    NotificationSettings,
    PostFailure,
    Scope,
    Status,
    Subscription,
)
from .selectors import recipients_of

log = logging.getLogger(__name__)

# A change left unprocessed this long was missed by its own task (lost with a worker, or
# the broker was down): the sweep takes it. Shorter would race the task it backs up.
SWEEP_AFTER = dt.timedelta(seconds=10)
# An e-mail claimed for sending this long ago and neither sent nor failed was lost with
# its worker: the sweep offers it again (it may then go twice; it is never lost).
SENDING_STALE_AFTER = dt.timedelta(minutes=10)
# Retries: a minute, then doubling, at most an hour apart.
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
# Deliveries one sending round claims for a user (a digest holds at most this many lines).
SEND_BATCH = 200


# --- Subscriptions and settings -----------------------------------------------------------


def subscription_create(
    *,
    user: Any,
    scope: str,
    region: str = "",
    posts: Iterable[Post] = (),
    on_level: bool = False,
    on_verdict: bool = False,
    on_failure: bool = False,
    by_email: bool = False,
) -> Subscription:
    """A user's new subscription; ValidationError names the field at fault."""
    chosen = list(posts)
    errors: dict[str, str] = {}
    if scope == Scope.REGION and not region:
        errors["region"] = _("Choose a region.")
    if scope == Scope.POSTS and not chosen:
        errors["posts"] = _("Choose at least one post.")
    if not (on_level or on_verdict or on_failure):
        errors["on_level"] = _("Choose at least one kind of change.")
    if by_email and not settings.EMAIL_ENABLED:
        errors["by_email"] = _("This server sends no e-mail; notifications appear here only.")
    elif by_email and not user.email:
        errors["by_email"] = _(
            "Your account has no e-mail address; ask an administrator to add one."
        )
    visible = set(access.posts_visible_to(user).filter(pk__in=[p.pk for p in chosen]))
    if scope == Scope.POSTS and len(visible) != len(set(chosen)):
        errors["posts"] = _("You may only follow posts you can see.")
    if errors:
        raise ValidationError(errors)
    subscription = Subscription(
        user=user,
        scope=scope,
        region=region if scope == Scope.REGION else "",
        on_level=on_level,
        on_verdict=on_verdict,
        on_failure=on_failure,
        by_email=by_email,
    )
    subscription.full_clean()
    with transaction.atomic():
        subscription.save()
        if scope == Scope.POSTS:
            subscription.posts.set(chosen)
    return subscription


def subscription_delete(*, user: Any, subscription_id: int) -> bool:
    """Delete one of the user's own subscriptions; False if they have no such one."""
    deleted, _by_model = Subscription.objects.filter(pk=subscription_id, user=user).delete()
    return bool(deleted)


def notification_settings_update(
    *,
    user: Any,
    quiet_from: dt.time | None,
    quiet_until: dt.time | None,
    timezone_name: str,
    language: str,
) -> NotificationSettings:
    """Quiet hours (both times or neither, not equal) in a time zone, and the language of
    the user's e-mails."""
    if (quiet_from is None) != (quiet_until is None):
        raise ValidationError(
            {"quiet_until": _("Give both the start and the end of the quiet hours, or neither.")}
        )
    if quiet_from is not None and quiet_from == quiet_until:
        raise ValidationError({"quiet_until": _("The quiet hours must end at another time.")})
    row = NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
    row.quiet_from, row.quiet_until = quiet_from, quiet_until
    row.timezone = timezone_name
    row.language = language
    row.full_clean()
    row.save()
    return row


def notification_language_remember(*, user: Any, language: str) -> None:
    """E-mails are written in the language the user last chose their notifications in."""
    NotificationSettings.objects.update_or_create(user=user, defaults={"language": language})


def notifications_mark_read(
    *, user: Any, notification_ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark the user's own notifications read (all of them without ids); returns how many
    changed. Another user's ids are ignored."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=now or timezone.now())


# --- Fan-out ------------------------------------------------------------------------------


def change_kinds(change: RecommendationChange) -> set[str]:
    """What a recommendation change is, in subscription terms. A post's first assessment
    (no previous one) changes nothing anybody was told of: no kind."""
    if change.from_level is None:
        return set()
    kinds = set()
    if change.from_level != change.to_level:
        kinds.add(str(Kind.LEVEL))
    if change.from_verdict and change.from_verdict != change.to_verdict:
        kinds.add(str(Kind.VERDICT))
    return kinds


def change_fan_out(*, change_id: int, now: dt.datetime | None = None) -> list[int]:
    """Claim one recommendation change and tell its subscribers, in one transaction.
    Returns the users with an e-mail to send now (empty if another notifier had claimed
    it, or nobody was to be told)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = RecommendationChange.objects.filter(
            pk=change_id, processed_at__isnull=True
        ).update(processed_at=now)
        if not claimed:
            return []
        change = RecommendationChange.objects.select_related("post").get(pk=change_id)
        return _fan_out(post=change.post, kinds=change_kinds(change), change=change, now=now)


def failure_record(*, post_id: int, now: dt.datetime | None = None) -> list[int]:
    """Open a PostFailure for a post whose re-scoring fails, once per spell of failures,
    and tell its subscribers; close the open one of a post scored again. Returns the
    users with an e-mail to send now."""
    now = now or timezone.now()
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return []
    if not post.rescore_error or post.rescore_failed_at is None:
        PostFailure.objects.filter(post_id=post_id, resolved_at__isnull=True).update(
            resolved_at=now
        )
        return []
    if PostFailure.objects.filter(post_id=post_id, resolved_at__isnull=True).exists():
        return []  # this spell was told already
    try:
        with transaction.atomic():
            failure = PostFailure.objects.create(
                post=post,
                failed_at=post.rescore_failed_at,
                error=post.rescore_error,
                created_at=now,
            )
            return _fan_out(post=post, kinds={str(Kind.FAILURE)}, failure=failure, now=now)
    except IntegrityError:
        return []  # another notifier opened it a moment ago (post_failure_one_open)


def _fan_out(
    *,
    post: Post,
    kinds: set[str],
    now: dt.datetime,
    change: RecommendationChange | None = None,
    failure: PostFailure | None = None,
) -> list[int]:
    """One Notification per recipient, its in-application delivery (delivered as it is
    written) and, if asked for, its e-mail: due now, or held until the user's quiet hours
    end. Returns the users with an e-mail due now."""
    due_now: list[int] = []
    order = [str(kind) for kind in Kind]
    for recipient in recipients_of(post=post, kinds=kinds):
        notification = Notification.objects.create(
            user=recipient.user,
            post=post,
            change=change,
            failure=failure,
            kinds=",".join(kind for kind in order if kind in recipient.kinds),
            created_at=now,
        )
        deliveries = [
            Delivery(
                notification=notification,
                channel=Channel.IN_APP,
                status=Status.SENT,
                created_at=now,
                attempts=1,
                sent_at=now,
            )
        ]
        if recipient.by_email and settings.EMAIL_ENABLED:
            quiet_end = _settings_of(recipient.user).quiet_end_after(now)
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.EMAIL,
                    status=Status.HELD if quiet_end else Status.PENDING,
                    in_digest=quiet_end is not None,
                    created_at=now,
                    next_attempt_at=quiet_end or now,
                )
            )
            if quiet_end is None:
                due_now.append(recipient.user.pk)
        Delivery.objects.bulk_create(deliveries)
    return due_now


def _settings_of(user: Any) -> NotificationSettings:
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(
        user=user, language=settings.LANGUAGE_CODE
    )


# --- Sending ------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """The wait before try ``attempts + 1``: BACKOFF_FIRST * 2^(attempts - 1), capped."""
    wait: dt.timedelta = BACKOFF_FIRST * 2 ** max(attempts - 1, 0)
    return min(wait, BACKOFF_MAX)


def deliveries_send(*, user_id: int, now: dt.datetime | None = None) -> int:
    """Send a user's due e-mails: each pending one on its own, and every held one whose
    quiet hours have ended as one digest. Claimed before sending (status SENDING, in a
    transaction that skips rows another sender holds), sent after that commit, then marked
    sent or given back with the error and a later try. Returns how many were sent."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                channel=Channel.EMAIL,
                notification__user_id=user_id,
                status__in=[Status.PENDING, Status.HELD],
                next_attempt_at__lte=now,
            )
            .select_related(
                "notification__user",
                "notification__post",
                "notification__change__assessment",
                "notification__failure",
            )
            .order_by("notification__created_at", "id")[:SEND_BATCH]
        )
        Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.SENDING, claimed_at=now
        )
    if not rows:
        return 0
    user = rows[0].notification.user
    held = [row for row in rows if row.in_digest]
    batches: list[list[Delivery]] = [[row] for row in rows if not row.in_digest]
    if held:
        batches.append(held)
    sent = 0
    for number, batch in enumerate(batches):
        count, failed = _send(user=user, rows=batch, now=now)
        sent += count
        if failed:
            # The server refused or is down: the rest waits for the same next try rather
            # than each running into the same timeout.
            rest = [row.pk for later in batches[number + 1 :] for row in later]
            _give_back(Delivery.objects.filter(pk__in=rest), error=failed, now=now)
            break
    return sent


def _give_back(rows: Any, *, error: str, now: dt.datetime) -> None:
    for in_digest, status in ((False, Status.PENDING), (True, Status.HELD)):
        rows.filter(in_digest=in_digest).update(
            status=status, claimed_at=None, last_error=error, next_attempt_at=now + BACKOFF_FIRST
        )


def _send(*, user: Any, rows: list[Delivery], now: dt.datetime) -> tuple[int, str]:
    """Send one e-mail for ``rows`` and record the outcome on them: (how many were sent,
    the error if the send failed)."""
    ids = [row.pk for row in rows]
    attempts = max(row.attempts for row in rows) + 1
    give_back = Status.HELD if rows[0].in_digest else Status.PENDING
    if not user.email:
        Delivery.objects.filter(pk__in=ids).update(
            status=Status.FAILED,
            attempts=attempts,
            claimed_at=None,
            last_error="The user has no e-mail address.",
        )
        return 0, ""
    try:
        message = email_message(user=user, notifications=[row.notification for row in rows])
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP refusals, timeouts, a server down: tried again later
        log.warning("e-mail to user %s failed (try %d): %s", user.pk, attempts, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Delivery.objects.filter(pk__in=ids).update(
            status=give_back,
            attempts=attempts,
            claimed_at=None,
            last_error=error,
            next_attempt_at=now + backoff(attempts),
        )
        return 0, error
    Delivery.objects.filter(pk__in=ids).update(
        status=Status.SENT, attempts=attempts, claimed_at=None, sent_at=timezone.now()
    )
    return len(ids), ""


def deliveries_retry(*, delivery_ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """The admin's "Send again": failed (or waiting) e-mails due at once, counted afresh."""
    return Delivery.objects.filter(
        pk__in=list(delivery_ids),
        channel=Channel.EMAIL,
        status__in=[Status.FAILED, Status.PENDING, Status.HELD],
    ).update(status=Status.PENDING, in_digest=False, next_attempt_at=now or timezone.now())


def headline(notification: Notification) -> str:
    """One line, in the active language: the post and what changed."""
    post = notification.post
    if notification.failure_id is not None:
        what = _("re-scoring failed")
    else:
        change = notification.change
        assert change is not None
        parts = []
        kinds = notification.kind_list()
        if Kind.LEVEL in kinds:
            parts.append(
                _("recommended level %(before)s → %(after)s")
                % {"before": change.from_level, "after": change.to_level}
            )
        if Kind.VERDICT in kinds:
            parts.append(
                _("verdict %(before)s → %(after)s")
                % {
                    "before": Verdict(change.from_verdict).label,
                    "after": Verdict(change.to_verdict).label,
                }
            )
        what = "; ".join(parts)
    return f"{post.code} {post.name}: {what}"


def _detail(notification: Notification) -> str:
    if notification.failure is not None:
        return (
            _("The post is no longer re-scored; its dashboards show old figures. Error: %s")
            % (notification.failure.error[:500])
        )
    change = notification.change
    assert change is not None
    return str(verdict_sentence(change.assessment.explanation))


def email_message(*, user: Any, notifications: list[Notification]) -> EmailMessage:
    """The e-mail of one notification, or the digest of several, in the user's language."""
    language = _settings_of(user).language or settings.LANGUAGE_CODE
    with translation.override(language):
        if len(notifications) == 1:
            (only,) = notifications
            subject = "[Readiness] " + headline(only)
        else:
            subject = "[Readiness] " + _("%(count)d changes during your quiet hours") % {
                "count": len(notifications)
            }
        blocks = []
        for notification in notifications:
            link = f"{settings.SITE_URL}/posts/{notification.post.code}/"
            when = timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M %Z")
            blocks.append(f"{when}\n{headline(notification)}\n{_detail(notification)}\n{link}")
        footer = _("Choose what you are told, and when: %(url)s") % {
            "url": f"{settings.SITE_URL}/notifications/settings/"
        }
        body = "\n\n".join([*blocks, footer])
    # One line whatever a post's name holds (a header cannot carry a line break).
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


# --- The sweep ----------------------------------------------------------------------------


def notifications_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The safety net, run by beat every minute: fan out changes whose own task was lost,
    open and close failures, give back e-mails lost mid-send, and send what is due
    (retries, digests whose quiet hours ended). Returns what it did, for the log."""
    now = now or timezone.now()
    done = {"changes": 0, "failures": 0, "reclaimed": 0, "sent": 0}
    users: set[int] = set()
    missed = (
        RecommendationChange.objects.filter(
            processed_at__isnull=True, created_at__lt=now - SWEEP_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for change_id in list(missed):
        users.update(change_fan_out(change_id=change_id, now=now))
        done["changes"] += 1
    failing = Post.objects.exclude(rescore_error="").filter(rescore_failed_at__isnull=False)
    open_ = PostFailure.objects.filter(resolved_at__isnull=True)
    unseen = failing.exclude(pk__in=open_.values("post_id")).values_list("pk", flat=True)
    recovered = open_.exclude(post__in=failing).values_list("post_id", flat=True)
    for post_id in [*unseen, *recovered]:
        users.update(failure_record(post_id=post_id, now=now))
        done["failures"] += 1
    lost = Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    for in_digest, status in ((False, Status.PENDING), (True, Status.HELD)):
        done["reclaimed"] += lost.filter(in_digest=in_digest).update(
            status=status, claimed_at=None, last_error="Lost while being sent; sent again."
        )
    due = Delivery.objects.filter(
        Q(status__in=[Status.PENDING, Status.HELD]), channel=Channel.EMAIL, next_attempt_at__lte=now
    ).values_list("notification__user_id", flat=True)
    users.update(due.order_by().distinct())
    for user_id in sorted(users):
        done["sent"] += deliveries_send(user_id=user_id, now=now)
    return done
