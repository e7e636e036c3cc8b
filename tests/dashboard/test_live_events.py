"""Open pages are told of a new assessment: the event streams of the overview and the post
page send the version each page shows, at once and each time it changes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.urls import reverse

from readiness.assessments import live
from readiness.dashboard import views
from readiness.dashboard.selectors import overview_version
from tests.dashboard.test_overview import assess

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_streams(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(views, "STREAM_SECONDS", 3)
    monkeypatch.setattr(views, "QUIET_CHECK_SECONDS", 0.2)
    monkeypatch.setattr(live, "LOCAL_CHECK_SECONDS", 0.1)


def events(response) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The stream's chunks as text, one event or comment each."""
    for chunk in response.streaming_content:
        yield chunk.decode()


def test_signing_in_is_required(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard:overview_events"))
    assert response.status_code == 302


def test_the_overview_stream_sends_the_version_then_each_change(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.get(reverse("dashboard:overview_events"))
    assert response["Content-Type"] == "text/event-stream"
    assert "no-store" in response["Cache-Control"]
    stream = events(response)
    assert next(stream).startswith("retry: ")
    first = overview_version(user=duty_officer)
    assert next(stream) == f"event: version\ndata: {first}\n\n"

    assert next(stream) == ": quiet\n\n"  # nothing new: a comment keeps the line open
    assess(post_a, "late", -1.0)
    changed = next(stream)
    now = overview_version(user=duty_officer)
    assert now != first
    assert changed == f"event: version\ndata: {now}\n\n"


def test_a_stream_ends_by_itself(duty_client, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(views, "STREAM_SECONDS", 0.5)
    chunks = list(events(duty_client.get(reverse("dashboard:overview_events"))))
    assert chunks[0].startswith("retry: ") and chunks[1].startswith("event: version")
    assert len(chunks) < 10


def test_the_post_stream_sends_the_newest_assessments_id(duty_client, post_a):  # type: ignore[no-untyped-def]
    stream = events(duty_client.get(reverse("dashboard:post_events", args=[post_a.code])))
    next(stream)
    post_a.refresh_from_db()
    assert next(stream) == f"event: version\ndata: {post_a.newest_assessment_id or 0}\n\n"
    assessment = assess(post_a, "watch", 3.0)
    while (chunk := next(stream)) == ": quiet\n\n":
        pass
    assert chunk == f"event: version\ndata: {assessment.pk}\n\n"


def test_an_outsider_gets_no_stream_of_a_post(outsider_client, post_a):  # type: ignore[no-untyped-def]
    response = outsider_client.get(reverse("dashboard:post_events", args=[post_a.code]))
    assert response.status_code == 204  # an EventSource stops reconnecting on 204


def test_the_pages_name_their_streams(duty_client, post_a):  # type: ignore[no-untyped-def]
    assess(post_a, "watch", 3.0)
    overview = duty_client.get(reverse("dashboard:overview")).content.decode()
    assert f'data-events="{reverse("dashboard:overview_events")}"' in overview
    post = duty_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    assert f'data-events="{reverse("dashboard:post_events", args=[post_a.code])}"' in post
    assert 'hx-trigger="every 2s, live, rescoreQueued from:body"' in post


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_stored_assessment_is_published_on_redis(settings):  # type: ignore[no-untyped-def]
    settings.REDIS_URL = os.environ["REDIS_URL"]
    with live.Listener() as listener:
        assert listener.wait(0.3) is False  # nothing yet
        live.assessments_published(post_ids=[7, 9])
        assert listener.wait(2) is True


def test_without_redis_a_listener_checks_by_itself(settings):  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    with live.Listener() as listener:
        assert listener.wait(5) is True  # after LOCAL_CHECK_SECONDS, not 5 s
    live.assessments_published(post_ids=[1])  # nowhere to publish: nothing happens
