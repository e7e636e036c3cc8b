"""posts_visible_to(): the one rule of who sees which post."""

from __future__ import annotations

import pytest

from readiness.posts.access import is_duty_officer, posts_visible_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codes(user) -> set[str]:  # type: ignore[no-untyped-def]
    return set(posts_visible_to(user).values_list("code", flat=True))


def test_a_duty_officer_sees_every_post(duty_officer, post_a, post_b):  # type: ignore[no-untyped-def]
    assert codes(duty_officer) == {"ZZ-AAA", "ZZ-BBB"}


def test_a_member_of_the_crisis_centre_group_is_a_duty_officer(crisis_member, post_a, post_b):  # type: ignore[no-untyped-def]
    assert is_duty_officer(crisis_member)
    assert codes(crisis_member) == {"ZZ-AAA", "ZZ-BBB"}


def test_a_superuser_is_a_duty_officer(post_a, post_b):  # type: ignore[no-untyped-def]
    assert codes(UserFactory(is_superuser=True)) == {"ZZ-AAA", "ZZ-BBB"}


def test_a_post_officer_sees_only_the_posts_they_secure(post_officer, post_a, post_b):  # type: ignore[no-untyped-def]
    assert not is_duty_officer(post_officer)
    assert codes(post_officer) == {"ZZ-AAA"}
    post_b.security_officers.add(post_officer)
    assert codes(post_officer) == {"ZZ-AAA", "ZZ-BBB"}


def test_an_outsider_sees_no_post(outsider, post_a, post_b):  # type: ignore[no-untyped-def]
    assert codes(outsider) == set()


def test_an_anonymous_or_inactive_user_sees_no_post(post_a, duty_officer):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    assert codes(AnonymousUser()) == set()
    duty_officer.is_active = False
    assert codes(duty_officer) == set()


def test_the_crisis_centre_group_exists_out_of_the_box():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from readiness.posts.access import CRISIS_CENTRE_GROUP

    assert Group.objects.filter(name=CRISIS_CENTRE_GROUP).exists()
