"""On PostgreSQL the database itself keeps decisions, assessments and indicators as they
were recorded (triggers of migrations assessments/0008 and indicators/0005): a raw UPDATE
or DELETE through the cursor is refused, outside the changes the domain makes and the
paths named in readiness/evidence.py. Skipped on SQLite (no triggers there) unless CI=true,
where PostgreSQL is required."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from readiness.assessments.models import Assessment, Decision
from readiness.assessments.services import assessments_prune
from readiness.evidence import evidence_path
from readiness.indicators.corrections import indicator_correct, indicator_withdraw
from readiness.indicators.models import Indicator
from readiness.indicators.services import feed_create
from tests.factories import AssessmentFactory, DecisionFactory, IndicatorFactory, PostFactory

if connection.vendor != "postgresql":
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run these on PostgreSQL (DATABASE_URL)", pytrace=False)
    pytest.skip("PostgreSQL only: the triggers exist there", allow_module_level=True)

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params: list[object]) -> None:
    with pytest.raises(IntegrityError, match=r"evidence|never|only|not undone|final|change"):
        raw(sql, params)


# --- Decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assessments_decision SET rationale = 'rewritten' WHERE id = %s",
        "UPDATE assessments_decision SET decided_at = now() WHERE id = %s",
        "UPDATE assessments_decision SET to_level = 5 WHERE id = %s",
        "UPDATE assessments_decision SET origin = 'scenario', decided_by_id = NULL WHERE id = %s",
        "DELETE FROM assessments_decision WHERE id = %s",
    ],
)
def test_a_decision_is_never_updated_or_deleted(sql):  # type: ignore[no-untyped-def]
    decision = DecisionFactory()
    refused(sql, [decision.pk])
    assert Decision.objects.get(pk=decision.pk).rationale == decision.rationale


def test_a_decision_is_refused_through_the_orm_too():  # type: ignore[no-untyped-def]
    decision = DecisionFactory()
    decision.rationale = "rewritten"
    with pytest.raises(IntegrityError), transaction.atomic():
        decision.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()


def test_a_scenario_path_does_not_reach_an_officer_s_decision():  # type: ignore[no-untyped-def]
    decision = DecisionFactory()
    with pytest.raises(IntegrityError), evidence_path("scenario"):
        Decision.objects.filter(pk=decision.pk).delete()
    assert Decision.objects.filter(pk=decision.pk).exists()


# --- Assessments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assessments_assessment SET recommended_level = 6 WHERE id = %s",
        "UPDATE assessments_assessment SET verdict = 'on_time' WHERE id = %s",
        "DELETE FROM assessments_assessment WHERE id = %s",
    ],
)
def test_an_assessment_is_never_updated_or_deleted(sql):  # type: ignore[no-untyped-def]
    assessment = AssessmentFactory()
    refused(sql, [assessment.pk])
    assert Assessment.objects.filter(pk=assessment.pk, recommended_level=0).exists()


def test_pruning_still_deletes_old_assessments():  # type: ignore[no-untyped-def]
    post = PostFactory()
    old_day = (timezone.now() - dt.timedelta(days=30)).replace(hour=6)
    morning, evening = (
        AssessmentFactory(post=post, evaluated_at=old_day + dt.timedelta(hours=h)) for h in (0, 12)
    )
    assert assessments_prune() == 1
    assert set(Assessment.objects.values_list("pk", flat=True)) == {evening.pk}
    # The path ended with the prune: a delete after it is refused again.
    with pytest.raises(IntegrityError), transaction.atomic():
        evening.delete()
    assert morning.pk is not None


def test_a_path_ends_with_its_block_even_inside_a_longer_transaction():  # type: ignore[no-untyped-def]
    assessment = AssessmentFactory()
    with transaction.atomic():
        with evidence_path("prune"):
            pass
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).delete()


# --- Indicators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    [
        "severity = 1",
        "text = 'rewritten'",
        "source = 'someone else'",
        "reliability = 'A'",
        "credibility = 1",
        "observed_at = observed_at - interval '1 day'",
        "recorded_at = now()",
        "category = 'health'",
        "de_escalation = true",
        "expires_at = NULL",  # an expiry is never pushed back
        "post_id = post_id + 0, external_id = 'other'",
    ],
)
def test_a_stored_indicator_is_never_rewritten(assignment):  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(expires_at=timezone.now() + dt.timedelta(days=3))
    refused(f"UPDATE indicators_indicator SET {assignment} WHERE id = %s", [indicator.pk])
    indicator.refresh_from_db()
    assert indicator.severity == 3 and indicator.text == "Armed clash on the airport road"


def test_an_indicator_is_never_deleted_even_by_a_feed_s_post_or_a_scenario_path():  # type: ignore[no-untyped-def]
    feed, _token = feed_create(name="Desk", reliability="B")
    indicator = IndicatorFactory(feed=feed, external_id="bamako-2025:x")
    refused("DELETE FROM indicators_indicator WHERE id = %s", [indicator.pk])
    with pytest.raises(IntegrityError), evidence_path("scenario"):
        Indicator.objects.filter(pk=indicator.pk).delete()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_the_changes_the_domain_makes_are_allowed():  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(ongoing=True)
    raw(
        "UPDATE indicators_indicator SET ended_at = now(), event = 'siege' WHERE id = %s",
        [indicator.pk],
    )
    refused("UPDATE indicators_indicator SET event = 'other' WHERE id = %s", [indicator.pk])
    refused("UPDATE indicators_indicator SET ended_at = NULL WHERE id = %s", [indicator.pk])
    withdrawn = indicator_withdraw(indicator=indicator, reason="A rumour", user=None)
    assert withdrawn.withdrawn_at is not None
    refused(
        "UPDATE indicators_indicator SET withdrawn_at = NULL, withdrawal_reason = '' WHERE id = %s",
        [indicator.pk],
    )
    refused(
        "UPDATE indicators_indicator SET expires_at = expires_at + interval '1 day' WHERE id = %s",
        [indicator.pk],
    )


def test_a_correction_is_allowed_and_supersedes_the_original():  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory()
    corrected = indicator_correct(
        indicator=indicator, reason="Severity misread", user=None, severity=4
    )
    indicator.refresh_from_db()
    assert corrected.corrects_id == indicator.pk and indicator.withdrawn_at is not None
    refused("UPDATE indicators_indicator SET corrects_id = NULL WHERE id = %s", [corrected.pk])


def test_a_scenario_path_rewrites_and_removes_only_rows_loaded_from_a_file():  # type: ignore[no-untyped-def]
    loaded = IndicatorFactory(external_id="bamako-2025:abc")
    typed = IndicatorFactory(external_id="")
    with evidence_path("scenario"):
        Indicator.objects.filter(pk=loaded.pk).update(severity=5)
        Indicator.objects.filter(pk=loaded.pk).delete()
    with pytest.raises(IntegrityError), evidence_path("scenario"):
        Indicator.objects.filter(pk=typed.pk).update(severity=5)
    assert Indicator.objects.get(pk=typed.pk).severity == 3
