"""With the real worker, a write's answer tells the truth: the re-score is queued, not done
("Re-scoring the post…", rescoreQueued, no refresh yet); the panels are told once, when
the worker's assessment exists (the poll, as the event stream would)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.posts.models import Post
from tests.factories import CommunityFactory, ExitRouteFactory, PostFactory, UserFactory
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "record-indicator"}


def test_a_write_says_re_scoring_and_the_panels_refresh_once_it_is_done(worker, client):  # type: ignore[no-untyped-def]
    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    first = wait_for(
        lambda: Post.objects.get(pk=post.pk).newest_assessment_id, 30, "a first assessment"
    )
    client.force_login(UserFactory(is_staff=True))
    observed = timezone.now() - dt.timedelta(hours=1)
    response = client.post(
        reverse("dashboard:indicator_create", args=[post.code]),
        {
            "category": "threat_to_foreigners",
            "severity": "5",
            "reliability": "A",
            "credibility": "1",
            "source": "Embassy security officer",
            "text": "Armed group names foreigners as targets",
            "observed_at": observed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "rescoreQueued" in response["HX-Trigger"]
    assert "assessmentChanged" not in response["HX-Trigger"]
    assert "Indicator recorded. Re-scoring the post…" in response.content.decode()

    newest = wait_for(
        lambda: (
            (Post.objects.get(pk=post.pk).newest_assessment_id or 0) > first
            and Post.objects.get(pk=post.pk).newest_assessment_id
        ),
        30,
        "the worker's assessment",
    )
    poll = reverse("dashboard:post_poll", args=[post.code])
    answer = client.get(f"{poll}?since={first}&pending=1", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "assessmentChanged" in answer["HX-Trigger"]
    assert f'data-version="{newest}"' in answer.content.decode()
