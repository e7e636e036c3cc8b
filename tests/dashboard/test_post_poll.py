"""The post page's poll: 204 while nothing changed, the event when a new assessment is in,
stop polling when the post is no longer visible."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.assessments.services import post_rescore
from readiness.posts.models import Post
from tests.dashboard.conftest import htmx
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:post_poll", args=[post.code])


def test_nothing_new_is_204(duty_client, post_a, django_assert_num_queries):  # type: ignore[no-untyped-def]
    newest = Assessment.objects.filter(post=post_a).latest()
    with django_assert_num_queries(3):  # session, user, post (with its newest id)
        response = duty_client.get(url(post_a), {"since": newest.pk, "pending": 0}, **htmx())
    assert response.status_code == 204


def test_a_new_assessment_triggers_the_panels(duty_client, post_a):  # type: ignore[no-untyped-def]
    old = Assessment.objects.filter(post=post_a).latest()
    IndicatorFactory(post=post_a, severity=5, reliability="A", credibility=1)
    new = post_rescore(post_id=post_a.pk)
    response = duty_client.get(url(post_a), {"since": old.pk, "pending": 0}, **htmx())
    assert response.status_code == 200
    assert "assessmentChanged" in response["HX-Trigger"]
    assert f"since={new.pk}" in response.content.decode()


def test_a_queued_rescore_is_announced(duty_client, post_a):  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=post_a.pk).update(rescore_requested_at=timezone.now())
    newest = Assessment.objects.filter(post=post_a).latest()
    response = duty_client.get(url(post_a), {"since": newest.pk, "pending": 0}, **htmx())
    assert response.status_code == 200
    assert "Re-scoring" in response.content.decode()
    assert "HX-Trigger" not in response


def test_a_post_no_longer_visible_stops_the_poll(officer_client, post_a, post_officer):  # type: ignore[no-untyped-def]
    post_a.security_officers.remove(post_officer)
    response = officer_client.get(url(post_a), {"since": 1}, **htmx())
    assert response.status_code == 286
