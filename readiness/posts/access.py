"""Who may see and act on which post, and who may see personal data: the one rule, used by
the dashboards, the brief, the admin, the roster exports and any view that names a post.

- Duty officers of the crisis centre (superusers, staff users and members of the "Crisis
  centre" group) see and feed every post and take level decisions.
- A post's security officers see and feed their own posts only.
- Read-only viewers (members of the "Read-only viewers" group) see every post's dashboards
  and the brief, and write nothing: no indicator, route check, confirmation, checklist
  tick or decision. The group takes precedence over the roles above (a superuser aside).
- Anyone else sees no post. (The feeds' API does not sign users in: a feed's token names
  the one post it may write to.)

Personal data -- the names, roles, phones and e-mails of staff and wardens -- is a
permission of its own, ``rosters.view_personal_data``, whatever the role: without it a user
sees counts, not people, on the post page, the brief, the roster exports and the admin's
roster lists, and cannot open or import a roster row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Post

# Members of this group are duty officers of the crisis centre, like staff users
# (created by migration posts/0007, empty).
CRISIS_CENTRE_GROUP = "Crisis centre"
# Members of this group see every post and change nothing (created by migration posts/0009,
# empty and without permissions).
VIEWERS_GROUP = "Read-only viewers"
PERSONAL_DATA_PERMISSION = "rosters.view_personal_data"


def _in_group(user: Any, name: str) -> bool:
    """One query for the user's groups, cached on the user for the request."""
    names = getattr(user, "_readiness_groups", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._readiness_groups = names
    return name in names


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_viewer(user: Any) -> bool:
    """A member of the read-only viewers (a superuser never is)."""
    return _active(user) and not user.is_superuser and _in_group(user, VIEWERS_GROUP)


def is_duty_officer(user: Any) -> bool:
    """Superusers, staff users and members of the "Crisis centre" group. Cached on the
    user for the request."""
    if not _active(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return _in_group(user, CRISIS_CENTRE_GROUP)


def posts_visible_to(user: Any) -> QuerySet[Post]:
    """Duty officers and read-only viewers every post, a post security officer the posts
    they secure, anyone else none."""
    if not _active(user):
        return Post.objects.none()
    if is_duty_officer(user) or is_viewer(user):
        return Post.objects.all()
    return Post.objects.filter(security_officers=user)


def can_write(user: Any) -> bool:
    """May record indicators, route checks, confirmations and checklist ticks on the posts
    they see: everyone who sees a post but the read-only viewers."""
    return _active(user) and not is_viewer(user)


def can_decide(user: Any) -> bool:
    """Level decisions are the crisis centre's; post officers feed the post; read-only
    viewers do neither."""
    return is_duty_officer(user) and not is_viewer(user)


def sees_personal_data(user: Any) -> bool:
    """Names, roles, phones and e-mails of staff and wardens: Django's permission check
    (superusers have every permission; the user's own and their groups' otherwise)."""
    return _active(user) and bool(user.has_perm(PERSONAL_DATA_PERMISSION))
