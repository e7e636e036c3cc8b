"""On PostgreSQL the database keeps check-in answers as given and used links used
(migration checkins/0002): a raw UPDATE or DELETE is refused. Skipped on SQLite (no
triggers there) unless CI=true, where PostgreSQL is required."""

from __future__ import annotations

import os

import pytest
from django.db import IntegrityError, connection, transaction

from readiness.checkins.models import CheckinAnswer, CheckinRequest
from readiness.checkins.services import checkin_answer
from readiness.evidence import evidence_path
from tests.factories import PostFactory, StaffMemberFactory, UserFactory

from .conftest import start

if connection.vendor != "postgresql":
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run these on PostgreSQL (DATABASE_URL)", pytrace=False)
    pytest.skip("PostgreSQL only: the triggers exist there", allow_module_level=True)

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():  # type: ignore[no-untyped-def]
    post = PostFactory()
    StaffMemberFactory(post=post, email="awa@post.example")
    _checkin, tokens = start(post, UserFactory())
    return checkin_answer(token=tokens["awa@post.example"], answer="safe")


def raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checkins_checkinanswer SET answer = 'left' WHERE id = %s",
        "UPDATE checkins_checkinanswer SET answered_at = now() WHERE id = %s",
        "DELETE FROM checkins_checkinanswer WHERE id = %s",
    ],
)
def test_an_answer_is_never_updated_or_deleted(answered, sql):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError, match="evidence"):
        raw(sql, [answered.pk])
    assert CheckinAnswer.objects.get(pk=answered.pk).answer == "safe"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checkins_checkinrequest SET used_at = NULL WHERE id = %s",
        "UPDATE checkins_checkinrequest SET token_hash = 'x' WHERE id = %s",
    ],
)
def test_a_used_link_is_never_made_usable_again(answered, sql):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError, match="never made usable"):
        raw(sql, [answered.request_id])
    assert CheckinRequest.objects.get(pk=answered.request_id).used_at is not None


def test_the_migration_path_may(answered):  # type: ignore[no-untyped-def]
    with evidence_path("migration"):
        CheckinAnswer.objects.filter(pk=answered.pk).delete()
    assert not CheckinAnswer.objects.exists()
