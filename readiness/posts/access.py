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

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet, Value
from django.db.models.functions import Concat

from .models import Post

# Members of this group are duty officers of the crisis centre, like staff users
# (created by migration posts/0007, empty).
CRISIS_CENTRE_GROUP = "Crisis centre"
# Members of this group see every post and change nothing (created by migration posts/0009,
# empty and without permissions).
VIEWERS_GROUP = "Read-only viewers"
PERSONAL_DATA_PERMISSION = "rosters.view_personal_data"


@dataclass(frozen=True)
class Rights:
    """A user's groups (by name) and permissions ("app_label.codename"): their own, and
    those they have through their groups."""

    groups: frozenset[str]
    own: frozenset[str]
    through_groups: frozenset[str]


def rights(user: Any) -> Rights:
    """The user's groups and permissions: one query (three with Django's ModelBackend and a
    groups lookup), kept on the user for the request, read by the rules below and by
    ``Backend`` for every permission check."""
    found: Rights | None = getattr(user, "_readiness_rights", None)
    if found is None:
        codename = Concat("content_type__app_label", Value("."), "codename")
        own = Permission.objects.filter(user=user.pk).order_by()
        via = Permission.objects.filter(group__user=user.pk).order_by()
        rows = (
            Group.objects.filter(user=user.pk)
            .order_by()
            .values_list(Value("group"), "name")
            .union(
                own.values_list(Value("own"), codename),
                via.values_list(Value("via"), codename),
                all=True,
            )
        )
        kinds: dict[str, set[str]] = {"group": set(), "own": set(), "via": set()}
        for kind, name in rows:
            kinds[kind].add(name)
        found = Rights(
            groups=frozenset(kinds["group"]),
            own=frozenset(kinds["own"]),
            through_groups=frozenset(kinds["via"]),
        )
        user._readiness_rights = found
    return found


class Backend(ModelBackend):
    """Django's ModelBackend, with a user's permissions read by ``rights`` (one query for
    their own, their groups' and their groups' names, which every page checks). Superusers
    are Django's: every permission."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if _djangos_own_case(user_obj, obj):
            return super().get_user_permissions(user_obj, obj)
        return set(rights(user_obj).own)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if _djangos_own_case(user_obj, obj):
            return super().get_group_permissions(user_obj, obj)
        return set(rights(user_obj).through_groups)


def _djangos_own_case(user: Any, obj: Any) -> bool:
    """What ModelBackend answers without reading the user's rows (an object's permissions,
    an inactive or anonymous user: none) or by reading them all (a superuser: every one)."""
    return obj is not None or not user.is_active or user.is_anonymous or user.is_superuser


def _in_group(user: Any, name: str) -> bool:
    return name in rights(user).groups


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
