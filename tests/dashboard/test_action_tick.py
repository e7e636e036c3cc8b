"""Ticking a checklist line: who and when, and unticking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from readiness.posts.models import ActionItem
from readiness.posts.services import action_item_tick
from tests.dashboard.conftest import htmx

pytestmark = pytest.mark.django_db


def next_item(post):  # type: ignore[no-untyped-def]
    return ActionItem.objects.filter(level__post=post, level__rank=post.level + 1).first()


def url(item) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:action_tick", args=[item.level.post.code, item.pk])


def test_ticking_records_who_and_when(post_a, duty_officer):  # type: ignore[no-untyped-def]
    item = action_item_tick(item=next_item(post_a), ready=True, user=duty_officer)
    assert item.ready_at is not None and item.ready_by == duty_officer


def test_ticking_again_keeps_the_first_tick(post_a, duty_officer, post_officer):  # type: ignore[no-untyped-def]
    item = action_item_tick(item=next_item(post_a), ready=True, user=duty_officer)
    first = item.ready_at
    item = action_item_tick(item=item, ready=True, user=post_officer)
    assert (item.ready_at, item.ready_by) == (first, duty_officer)


def test_unticking_clears_it(post_a, duty_officer):  # type: ignore[no-untyped-def]
    item = action_item_tick(item=next_item(post_a), ready=True, user=duty_officer)
    item = action_item_tick(item=item, ready=False, user=duty_officer)
    assert item.ready_at is None and item.ready_by is None


def test_the_view_ticks_and_swaps_the_checklists(officer_client, post_a):  # type: ignore[no-untyped-def]
    item = next_item(post_a)
    response = officer_client.post(url(item), {"ready": "on"}, **htmx("checklists"))
    assert (
        response.status_code == 200 and "rescoreQueued" in response["HX-Trigger"]
    )  # queued: a test transaction never commits
    assert "ticked by officer" in response.content.decode()
    assert ActionItem.objects.get(pk=item.pk).ready_by.username == "officer"


def test_without_javascript_it_redirects(duty_client, post_a):  # type: ignore[no-untyped-def]
    item = next_item(post_a)
    response = duty_client.post(url(item), {"ready": "on"})
    assert response.status_code == 302 and response["Location"].endswith("#checklists")
    response = duty_client.post(url(item), {"ready": ""})
    assert ActionItem.objects.get(pk=item.pk).ready_at is None


def test_an_item_of_another_post_is_404(officer_client, post_b):  # type: ignore[no-untyped-def]
    assert officer_client.post(url(next_item(post_b)), {"ready": "on"}).status_code == 404


def test_a_get_is_not_allowed(duty_client, post_a):  # type: ignore[no-untyped-def]
    assert duty_client.get(url(next_item(post_a))).status_code == 405
