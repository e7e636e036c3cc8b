"""Every decision recorded in this system is taken against an assessment of its own post;
only a scenario file's transcript and legacy rows have none (DecisionOrigin)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from readiness.assessments.models import Decision, DecisionOrigin
from tests.factories import AssessmentFactory, DecisionFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer_s_decision_without_an_assessment_is_refused_by_the_database():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(assessment=None)


def test_a_scenario_decision_cannot_name_a_user():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(assessment=None, origin=DecisionOrigin.SCENARIO, decided_by=UserFactory())


def test_a_scenario_decision_has_no_assessment_to_need():  # type: ignore[no-untyped-def]
    decision = DecisionFactory(assessment=None, origin=DecisionOrigin.SCENARIO)
    assert decision.pk and decision.assessment is None


def test_the_model_says_which_field_is_wrong():  # type: ignore[no-untyped-def]
    post, other = PostFactory(), PostFactory()
    decision = Decision(post=post, from_level=0, to_level=1, rationale="r")
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert "assessment" in error.value.message_dict
    decision.assessment = AssessmentFactory(post=other)
    with pytest.raises(ValidationError) as error:
        decision.full_clean()
    assert "another post" in error.value.message_dict["assessment"][0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (CI runs it)")
def test_the_database_refuses_another_post_s_assessment_and_new_legacy_rows():  # type: ignore[no-untyped-def]
    post, other = PostFactory(), PostFactory()
    foreign = AssessmentFactory(post=other)
    with pytest.raises(IntegrityError, match="its own post"), transaction.atomic():
        Decision.objects.create(
            post=post, from_level=0, to_level=1, rationale="r", assessment=foreign
        )
    with pytest.raises(IntegrityError, match="legacy"), transaction.atomic():
        Decision.objects.create(
            post=post, from_level=0, to_level=1, rationale="r", origin=DecisionOrigin.LEGACY
        )


@pytest.mark.django_db(transaction=True)
def test_the_migration_classifies_decisions_without_an_assessment():  # type: ignore[no-untyped-def]
    """Rows recorded before the assessment was required are not given one (that would
    forge evidence): a user's becomes "legacy" (the brief flags it), one with no user (a
    scenario load, the only writer that records none) becomes "scenario"."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("assessments", "0007_assessment_summary")]
    after = [("assessments", "0008_decision_origin_and_evidence_triggers")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor.loader.build_graph()
    try:
        old = executor.loader.project_state(before).apps
        Post = old.get_model("posts", "Post")
        OldDecision = old.get_model("assessments", "Decision")
        OldAssessment = old.get_model("assessments", "Assessment")
        User = old.get_model("auth", "User")
        post = Post.objects.create(code="ZZ-MIG", name="M", country="ZZ", city="C")
        user = User.objects.create(username="old-officer")
        seen = OldAssessment.objects.create(
            post=post, evaluated_at="2025-11-07T00:00:00Z", current_level=0,
            recommended_level=1, verdict="act_now", threat_index=50, trend_per_day=0,
            preparedness=50, fingerprint="x", explanation={},
        )  # fmt: skip
        common = {"post": post, "from_level": 0, "to_level": 1}
        checked = OldDecision.objects.create(
            rationale="a", assessment=seen, decided_by=user, **common
        )
        unchecked = OldDecision.objects.create(rationale="b", decided_by=user, **common)
        loaded = OldDecision.objects.create(rationale="c", decided_by_name="scenario x", **common)
    finally:
        # Forward to 0008, then to every app's newest migration (going back to 0007 also
        # unapplied the migrations of other apps that depend on the later ones).
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    origins = dict(Decision.objects.values_list("pk", "origin"))
    assert origins == {
        checked.pk: DecisionOrigin.OFFICER,
        unchecked.pk: DecisionOrigin.LEGACY,
        loaded.pk: DecisionOrigin.SCENARIO,
    }
