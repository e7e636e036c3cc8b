"""The post page's newest assessment: the one the post's pointer names, with the one before
it in the order "newest" means (evaluated_at, then id), read without its explanation
(readiness/dashboard/selectors.py ``newest_assessment_with_previous``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from readiness.dashboard.selectors import explanations, newest_assessment_with_previous
from readiness.posts.models import Post
from tests.factories import AssessmentFactory, PostFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def pointing(post: Post, assessment) -> Post:  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=post.pk).update(newest_assessment=assessment)
    return Post.objects.get(pk=post.pk)


def test_the_newest_with_the_one_before_it_without_the_explanation(django_assert_num_queries):  # type: ignore[no-untyped-def]
    post = PostFactory()
    old = AssessmentFactory(post=post, evaluated_at=NOW - dt.timedelta(hours=2))
    before = AssessmentFactory(post=post, evaluated_at=NOW - dt.timedelta(hours=1))
    newest = AssessmentFactory(post=post, evaluated_at=NOW, explanation={"trend": {"slope": 1}})
    post = pointing(post, newest)
    with django_assert_num_queries(1):
        found = newest_assessment_with_previous(post=post)
    assert found is not None and found.pk == newest.pk
    assert (found.previous_id, found.previous_at) == (before.pk, before.evaluated_at)
    assert "explanation" in found.get_deferred_fields()
    assert old.pk != found.previous_id
    with django_assert_num_queries(1):
        assert explanations(newest_id=found.pk, previous=None) == ({"trend": {"slope": 1}}, None)


def test_a_tie_in_time_is_broken_by_id():  # type: ignore[no-untyped-def]
    post = PostFactory()
    first = AssessmentFactory(post=post, evaluated_at=NOW)
    second = AssessmentFactory(post=post, evaluated_at=NOW)
    found = newest_assessment_with_previous(post=pointing(post, second))
    assert found is not None and (found.pk, found.previous_id) == (second.pk, first.pk)


def test_a_first_assessment_has_none_before_it_and_no_pointer_no_assessment():  # type: ignore[no-untyped-def]
    post = PostFactory()
    assert newest_assessment_with_previous(post=post) is None
    only = AssessmentFactory(post=post, evaluated_at=NOW)
    found = newest_assessment_with_previous(post=pointing(post, only))
    assert found is not None and (found.previous_id, found.previous_at) == (None, None)


def test_the_pointer_decides_even_when_a_later_row_exists():  # type: ignore[no-untyped-def]
    # A row newer by time than the one the pointer names (a re-score not yet pointed to, or
    # an import of an older timeline): the pointer is what every reader shows.
    post = PostFactory()
    before = AssessmentFactory(post=post, evaluated_at=NOW - dt.timedelta(hours=1))
    named = AssessmentFactory(post=post, evaluated_at=NOW)
    AssessmentFactory(post=post, evaluated_at=NOW + dt.timedelta(hours=1))
    found = newest_assessment_with_previous(post=pointing(post, named))
    assert found is not None and found.pk == named.pk
    assert (found.previous_id, found.previous_at) == (before.pk, before.evaluated_at)
    assert "explanation" in found.get_deferred_fields()
