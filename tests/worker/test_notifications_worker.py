"""Notifications through a real Celery worker on a real Redis server: an indicator makes
the worker change a post's recommendation, and a subscriber is told in the application and
by e-mail, written by the worker process to a folder (EMAIL_URL=file://...)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

from readiness.assessments.models import Assessment, RecommendationChange
from readiness.notifications.models import Channel, Delivery, Notification, Scope, Status
from readiness.notifications.services import subscription_create
from tests.factories import (
    CommunityFactory,
    ExitRouteFactory,
    IndicatorFactory,
    PostFactory,
    UserFactory,
)
from tests.worker.conftest import RedisServer, Worker, _database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def mail_worker(
    celery_on: RedisServer, transactional_db: None, tmp_path: Path, mail_folder: Path
) -> Iterator[Worker]:
    """The worker, sending its e-mails to files in ``mail_folder``."""
    process = Worker(
        celery_on.url, _database_url(), tmp_path, env={"EMAIL_URL": f"file://{mail_folder}"}
    )
    process.start()
    yield process
    process.stop()


def mails(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.log"))] if folder.exists() else []


def scored_post():  # type: ignore[no-untyped-def]
    post = PostFactory(code="ML-BKO", name="Bamako")
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    return post


def attack(post) -> None:  # type: ignore[no-untyped-def]
    """Six grave, reliable reports in one commit: the recommended level goes up."""
    with transaction.atomic():
        IndicatorFactory.create_batch(6, post=post, severity=5, reliability="A", credibility=1)


def test_a_change_made_by_the_worker_is_told_in_app_and_by_email(
    mail_worker: Worker, mail_folder: Path
) -> None:
    post = scored_post()
    first = wait_for(
        lambda: Assessment.objects.filter(post=post).first(), 30, "the post's first assessment"
    )
    duty = UserFactory(username="duty", is_staff=True, email="duty@ministry.example")
    subscription_create(user=duty, scope=Scope.ALL, on_level=True, by_email=True)

    attack(post)

    notification = wait_for(
        lambda: Notification.objects.filter(user=duty).first(), 60, "the in-app notification"
    )
    change = RecommendationChange.objects.get(pk=notification.change_id)
    assert change.from_level == first.recommended_level
    assert change.to_level > change.from_level
    assert notification.read_at is None
    (message,) = wait_for(lambda: mails(mail_folder), 30, "the worker's e-mail")
    assert "To: duty@ministry.example" in message
    assert f"recommended level {change.from_level} → {change.to_level}" in message
    email = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 1, "")
    assert Delivery.objects.get(notification=notification, channel=Channel.IN_APP).status == (
        Status.SENT
    )
    change.refresh_from_db()
    assert change.processed_at is not None
