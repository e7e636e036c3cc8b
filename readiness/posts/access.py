"""Who may see and act on which post: the one rule, used by the dashboards, the brief, the
admin and any view that names a post.

Duty officers of the crisis centre (superusers, staff users and members of the "Crisis
centre" group) see and feed every post and take level decisions; a post's security
officers see and feed their own posts only; anyone else sees none. (The feeds' API does
not sign users in: a feed's token names the one post it may write to.)
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Post

# Members of this group are duty officers of the crisis centre, like staff users
# (created by migration posts/0007, empty).
CRISIS_CENTRE_GROUP = "Crisis centre"


def is_duty_officer(user: Any) -> bool:
    """Superusers, staff users and members of the "Crisis centre" group. Cached on the
    user for the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    cached = getattr(user, "_readiness_duty_officer", None)
    if cached is None:
        cached = user.groups.filter(name=CRISIS_CENTRE_GROUP).exists()
        user._readiness_duty_officer = cached
    return bool(cached)


def posts_visible_to(user: Any) -> QuerySet[Post]:
    """Duty officers every post, a post security officer the posts they secure, anyone
    else none."""
    if not user.is_authenticated or not user.is_active:
        return Post.objects.none()
    if is_duty_officer(user):
        return Post.objects.all()
    return Post.objects.filter(security_officers=user)


def can_decide(user: Any) -> bool:
    """Level decisions are the crisis centre's; post officers feed the post."""
    return is_duty_officer(user)
