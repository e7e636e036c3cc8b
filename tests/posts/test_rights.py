"""A user's groups and permissions are read in one query (readiness/posts/access.py
``rights`` and ``Backend``), and mean what Django's ModelBackend makes them mean: a
permission of one's own or through a group, every permission for an active superuser,
none for an inactive user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from readiness.posts import access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAL = access.PERSONAL_DATA_PERMISSION


def fresh(user):  # type: ignore[no-untyped-def]
    """The user as the next request loads it (nothing kept from an earlier check)."""
    return get_user_model().objects.get(pk=user.pk)


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def test_own_and_group_permissions_and_groups_in_one_query(django_assert_num_queries):  # type: ignore[no-untyped-def]
    user = UserFactory()
    group, _ = Group.objects.get_or_create(name=access.VIEWERS_GROUP)
    group.permissions.add(permission("view_personal_data"))
    user.groups.add(group)
    user.user_permissions.add(permission("change_post"))
    user = fresh(user)
    with django_assert_num_queries(1):
        assert user.has_perm(PERSONAL)  # through the group
        assert user.has_perm("posts.change_post")  # their own
        assert not user.has_perm("posts.delete_post")
        assert access.is_viewer(user) and not access.can_write(user)
        assert user.get_all_permissions() == {PERSONAL, "posts.change_post"}
    assert access.rights(user) == access.Rights(
        groups=frozenset({access.VIEWERS_GROUP}),
        own=frozenset({"posts.change_post"}),
        through_groups=frozenset({PERSONAL}),
    )


def test_a_user_without_any_has_no_permission(django_assert_num_queries):  # type: ignore[no-untyped-def]
    user = fresh(UserFactory())
    with django_assert_num_queries(1):
        assert not user.has_perm(PERSONAL) and not access.sees_personal_data(user)
        assert not access.is_viewer(user) and not access.is_duty_officer(user)


def test_a_superuser_has_every_permission_and_an_inactive_user_none():  # type: ignore[no-untyped-def]
    root = fresh(UserFactory(is_superuser=True))
    assert root.has_perm(PERSONAL) and root.has_perm("posts.delete_post")
    assert access.Backend().get_all_permissions(root) >= {PERSONAL, "posts.delete_post"}

    gone = UserFactory(is_active=False)
    gone.user_permissions.add(permission("view_personal_data"))
    gone = fresh(gone)
    assert not gone.has_perm(PERSONAL)
    assert access.Backend().get_all_permissions(gone) == set()


def test_the_same_answers_as_djangos_model_backend():  # type: ignore[no-untyped-def]
    from django.contrib.auth.backends import ModelBackend

    users = [UserFactory() for _ in range(3)]
    crisis, _ = Group.objects.get_or_create(name=access.CRISIS_CENTRE_GROUP)
    crisis.permissions.add(permission("view_personal_data"), permission("add_post"))
    users[0].groups.add(crisis)
    users[1].user_permissions.add(permission("change_post"))
    users[1].groups.add(crisis)
    for user in users:
        ours, django = access.Backend(), ModelBackend()
        assert ours.get_user_permissions(fresh(user)) == django.get_user_permissions(fresh(user))
        assert ours.get_group_permissions(fresh(user)) == django.get_group_permissions(fresh(user))
        assert ours.get_all_permissions(fresh(user)) == django.get_all_permissions(fresh(user))
