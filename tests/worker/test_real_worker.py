"""The re-scoring path through a real Celery worker on a real Redis server."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import transaction

from readiness.assessments.models import Assessment
from readiness.assessments.tasks import reevaluate_all_posts
from readiness.engine import contributions_from_dict
from readiness.engine.assessment import EXPLANATION_FORMAT
from readiness.indicators.models import Indicator
from tests.factories import CommunityFactory, ExitRouteFactory, IndicatorFactory, PostFactory
from tests.saying import sentence
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def post():  # type: ignore[no-untyped-def]
    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    return post


def newest(post):  # type: ignore[no-untyped-def]
    return Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()


def scored_with(post, count: int):  # type: ignore[no-untyped-def]
    """The newest assessment, once it has seen `count` indicators."""
    assessment = newest(post)
    if assessment and len(contributions_from_dict(assessment.explanation)) == count:
        return assessment
    return None


def test_an_indicator_is_scored_by_the_worker(worker, post):  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(post=post, severity=5, reliability="A", credibility=1)
    assessment = wait_for(lambda: scored_with(post, 1), 30, "the worker's assessment")
    assert contributions_from_dict(assessment.explanation)[0]["id"] == str(indicator.pk)
    assert assessment.threat_index > 0


def test_killed_mid_task_the_rescore_still_arrives(worker, post):  # type: ignore[no-untyped-def]
    worker.stall_flag.write_text("stall the first re-score")
    IndicatorFactory(post=post, severity=4)
    pid_file = worker.stall_flag.with_name("stall.pid")
    wait_for(pid_file.exists, 30, "the re-score to start")
    time.sleep(0.3)
    os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the pool child, mid-task
    assessment = wait_for(lambda: scored_with(post, 1), 60, "the redelivered re-score")
    assert assessment is not None
    assert "WorkerLostError" in worker.log.read_text() or "lost" in worker.log.read_text().lower()


def test_a_burst_coalesces_and_the_last_assessment_sees_every_indicator(worker, post):  # type: ignore[no-untyped-def]
    total = 1000
    started = time.monotonic()
    for i in range(total):
        with transaction.atomic():  # one commit each, as 1,000 separate feed posts would be
            Indicator.objects.create(
                post=post,
                category="incident",
                severity=2,
                reliability="C",
                credibility=3,
                source="feed",
                text=f"report {i}",
                observed_at=post_time(),
                external_id=f"feed-{i}",
            )
    posting_seconds = time.monotonic() - started
    wait_for(
        lambda: scored_with(post, total), 90, "an assessment that reflects all 1,000 indicators"
    )
    rescores = Assessment.objects.filter(post=post).count()
    print(f"\n1,000 indicators posted in {posting_seconds:.1f}s caused {rescores} re-scores")
    assert rescores <= max(10, int(posting_seconds / 2) + 5)


def post_time():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.now()


def test_with_redis_down_the_indicator_is_kept_and_scored_when_redis_is_back(
    worker, post, redis_server
):  # type: ignore[no-untyped-def]
    redis_server.stop()
    indicator = IndicatorFactory(post=post, severity=5, text="posted while the broker was down")
    assert Indicator.objects.filter(pk=indicator.pk).exists(), "the write is never lost"
    redis_server.start()
    # Celery 5.7/kombu's worker exits when its broker vanishes (docs/operations.md); its
    # supervisor (compose: restart: unless-stopped) starts it again, as this test does.
    # Should a later Celery reconnect instead, the test accepts that too.
    outcome = wait_for(worker.exited_or_reconnected, 60, "the worker to exit or reconnect")
    if outcome == "exited":
        worker.start()
    # The periodic job (beat) re-queues every post; the worker scores it.
    reevaluate_all_posts.delay()
    assessment = wait_for(lambda: scored_with(post, 1), 60, "the re-score after Redis came back")
    assert contributions_from_dict(assessment.explanation)[0]["id"] == str(indicator.pk)


def test_an_indicator_posted_in_the_admin_for_bamako_is_scored_by_the_worker(worker, client):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from django.urls import reverse

    from readiness.scenarios.schema import load_scenario_file
    from readiness.scenarios.services import scenario_load
    from tests.factories import UserFactory

    bamako = scenario_load(
        load_scenario_file(Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml")
    ).post
    loaded = wait_for(lambda: newest(bamako), 30, "the assessment after loading the scenario")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    observed = post_time()
    response = client.post(
        reverse("admin:indicators_indicator_add"),
        {
            "post": bamako.pk,
            "category": "threat_to_foreigners",
            "severity": 5,
            "reliability": "B",
            "credibility": 2,
            "source": "Post security officer",
            "text": "Armed group names French nationals as targets",
            "observed_at_0": observed.strftime("%Y-%m-%d"),
            "observed_at_1": observed.strftime("%H:%M:%S"),
            "external_id": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    indicator = Indicator.objects.get(text__startswith="Armed group names")

    def scored():  # type: ignore[no-untyped-def]
        assessment = newest(bamako)
        ids = (
            {row["id"] for row in contributions_from_dict(assessment.explanation)}
            if assessment
            else set()
        )
        return assessment if assessment.pk != loaded.pk and str(indicator.pk) in ids else None

    assessment = wait_for(scored, 30, "the worker's assessment with the new indicator")
    assert assessment.explanation["format"] == EXPLANATION_FORMAT
    assert sentence(assessment.explanation), "a sentence a duty officer can read aloud"


def test_a_cap_alert_from_a_feed_is_scored_by_the_worker(worker, client, post):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from readiness.indicators.services import feed_create

    _feed, token = feed_create(name="Sahel watch", reliability="B", posts=[post])
    first = wait_for(lambda: newest(post), 30, "the assessment of the new post")
    onset = post_time().isoformat()
    alert = f"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier>SW-1</identifier><sender>watch@sahel.example</sender>
      <sent>{onset}</sent><status>Actual</status><msgType>Alert</msgType><scope>Restricted</scope>
      <info><category>Security</category><event>Attack</event><urgency>Immediate</urgency>
        <severity>Extreme</severity><certainty>Observed</certainty><onset>{onset}</onset>
        <headline>Attack on the airport road</headline>
        <parameter><valueName>readiness:post</valueName><value>{post.code}</value></parameter>
      </info></alert>"""
    response = client.post(
        reverse("api:cap"),
        alert,
        content_type="application/cap+xml",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()["created"]

    def scored():  # type: ignore[no-untyped-def]
        assessment = newest(post)
        ids = {row["id"] for row in contributions_from_dict(assessment.explanation)}
        return assessment if assessment.pk != first.pk and str(created["id"]) in ids else None

    assessment = wait_for(scored, 30, "the worker's assessment with the feed's indicator")
    assert assessment.threat_index > first.threat_index
