"""Reads: a user's notifications and choices, and who is to be told of a post's change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from readiness.posts import access
from readiness.posts.models import Post

from .models import Kind, Notification, NotificationSettings, Scope, Subscription


def unread_count(*, user: Any) -> int:
    """The header's figure: one query on the partial index of unread notifications."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(*, user: Any, limit: int = 100) -> QuerySet[Notification]:
    """The newest notifications of a user, with what their lines name (3 queries)."""
    return (
        Notification.objects.filter(user=user)
        .select_related("post", "change", "failure")
        .order_by("-created_at", "-id")[:limit]
    )


def subscriptions_of(*, user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).prefetch_related("posts")


def settings_of(*, user: Any) -> NotificationSettings:
    """The user's settings, unsaved defaults if they never chose any."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def regions_visible_to(*, user: Any) -> list[str]:
    """The regions of the posts the user may see (Post.region; empty ones left out)."""
    return list(
        access.posts_visible_to(user)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


@dataclass
class Recipient:
    """A user to tell of one change: the kinds they asked for, and whether by e-mail."""

    user: Any
    kinds: set[str] = field(default_factory=set)
    by_email: bool = False


def recipients_of(*, post: Post, kinds: set[str]) -> list[Recipient]:
    """Active users one of whose subscriptions covers the post and one of the kinds, and
    who may see the post now (readiness/posts/access.py: a post officer moved to another
    post hears no more of this one, whatever their subscription says)."""
    if not kinds:
        return []
    wanted = Q()
    for kind, column in ((Kind.LEVEL, "on_level"), (Kind.VERDICT, "on_verdict")):
        if kind in kinds:
            wanted |= Q(**{column: True})
    if Kind.FAILURE in kinds:
        wanted |= Q(on_failure=True)
    where = Q(scope=Scope.ALL) | Q(scope=Scope.POSTS, posts=post)
    if post.region:
        where |= Q(scope=Scope.REGION, region=post.region)
    subscriptions = (
        Subscription.objects.filter(where, wanted, user__is_active=True)
        .select_related("user")
        .distinct()
        .order_by("user_id", "id")
    )
    by_user: dict[int, Recipient] = {}
    for subscription in subscriptions:
        recipient = by_user.setdefault(subscription.user_id, Recipient(user=subscription.user))
        recipient.kinds |= subscription.kinds() & kinds
        recipient.by_email = recipient.by_email or subscription.by_email
    return [
        recipient
        for recipient in by_user.values()
        if access.posts_visible_to(recipient.user).filter(pk=post.pk).exists()
    ]
