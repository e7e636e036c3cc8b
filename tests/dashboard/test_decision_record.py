"""decision_record(): append a decision and move the post, against a seen assessment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from readiness.assessments.decisions import decision_record
from readiness.assessments.models import Assessment, Decision
from readiness.assessments.services import post_rescore
from readiness.posts.models import Post
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def newest(post) -> Assessment:  # type: ignore[no-untyped-def]
    return Assessment.objects.filter(post=post).latest()


def record(post, **kwargs):  # type: ignore[no-untyped-def]
    values = {
        "to_level": newest(post).recommended_level
        if newest(post).recommended_level != post.level
        else post.level + 1,
        "rationale": "Fuel blockade tightening; peers drawing down.",
        "user": None,
        "assessment": newest(post),
        "against_recommendation_confirmed": False,
    }
    values.update(kwargs)
    return decision_record(post=post, **values)


def test_a_decision_is_appended_and_moves_the_post(bamako_today, duty_officer):  # type: ignore[no-untyped-def]
    seen = newest(bamako_today)
    before = bamako_today.level
    decision = record(
        bamako_today,
        to_level=seen.recommended_level,
        user=duty_officer,
        against_recommendation_confirmed=seen.recommended_level == before,
    )
    assert (decision.from_level, decision.to_level) == (before, seen.recommended_level)
    assert decision.decided_by == duty_officer and decision.assessment == seen
    assert Post.objects.get(pk=bamako_today.pk).level == seen.recommended_level
    assert bamako_today.level == seen.recommended_level


def test_going_against_the_recommendation_needs_a_confirmation(bamako_today):  # type: ignore[no-untyped-def]
    seen = newest(bamako_today)
    other = next(
        rank for rank in range(7) if rank not in (seen.recommended_level, bamako_today.level)
    )
    with pytest.raises(ValidationError) as error:
        record(bamako_today, to_level=other)
    assert "against_recommendation_confirmed" in error.value.message_dict
    assert not Decision.objects.filter(post=bamako_today, to_level=other).exists()
    decision = record(bamako_today, to_level=other, against_recommendation_confirmed=True)
    assert decision.to_level == other


def test_a_rationale_is_required(bamako_today):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        record(bamako_today, rationale="   ", against_recommendation_confirmed=True)
    assert "rationale" in error.value.message_dict


def test_the_level_must_exist_and_change(bamako_today):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        record(bamako_today, to_level=bamako_today.level, against_recommendation_confirmed=True)
    assert "to_level" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(bamako_today, to_level=42, against_recommendation_confirmed=True)
    assert "to_level" in error.value.message_dict


def test_an_assessment_taken_before_another_decision_is_refused(bamako_today):  # type: ignore[no-untyped-def]
    seen = newest(bamako_today)
    record(bamako_today, to_level=seen.recommended_level, against_recommendation_confirmed=True)
    # A second officer submits a form opened before the first decision.
    stale = Post.objects.get(pk=bamako_today.pk)
    with pytest.raises(ValidationError) as error:
        decision_record(
            post=stale,
            to_level=0,
            rationale="Calm returns",
            user=None,
            assessment=seen,
            against_recommendation_confirmed=True,
        )
    assert "assessment" in error.value.message_dict


def test_a_changed_recommendation_since_the_form_was_opened_is_refused(post_a):  # type: ignore[no-untyped-def]
    seen = newest(post_a)
    IndicatorFactory.create_batch(12, post=post_a, severity=5, reliability="A", credibility=1)
    fresh = post_rescore(post_id=post_a.pk)
    assert (fresh.recommended_level, fresh.verdict) != (seen.recommended_level, seen.verdict)
    with pytest.raises(ValidationError) as error:
        record(post_a, assessment=seen, against_recommendation_confirmed=True)
    assert "assessment" in error.value.message_dict


def test_an_assessment_of_another_post_is_refused(post_a, post_b):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        record(post_a, assessment=newest(post_b), against_recommendation_confirmed=True)


def test_without_an_assessment_a_decision_is_refused_and_nothing_is_written(post_a):  # type: ignore[no-untyped-def]
    """Without one the checks "against the recommendation" and "out of date" would be
    skipped: the assessment is required."""
    before = post_a.level
    with pytest.raises(ValidationError) as error:
        record(post_a, assessment=None, against_recommendation_confirmed=True)
    assert "assessment" in error.value.message_dict
    assert "none was given" in error.value.message_dict["assessment"][0]
    assert not Decision.objects.filter(post=post_a).exists()
    assert Post.objects.get(pk=post_a.pk).level == before


def test_a_post_never_assessed_cannot_be_decided_yet(db):  # type: ignore[no-untyped-def]
    from tests.factories import PostFactory

    post = PostFactory()
    with pytest.raises(ValidationError) as error:
        decision_record(
            post=post,
            to_level=1,
            rationale="Opening drill",
            user=None,
            assessment=None,
            against_recommendation_confirmed=True,
        )
    assert "not been assessed yet" in error.value.message_dict["assessment"][0]
    assert not Decision.objects.exists() and Post.objects.get(pk=post.pk).level == 0


def test_an_assessment_of_another_post_is_refused_with_the_checks_run(post_a, post_b):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        record(post_a, assessment=newest(post_b), against_recommendation_confirmed=True)
    assert "not one of this post" in error.value.message_dict["assessment"][0]
    assert not Decision.objects.exists()


def test_a_recorded_decision_is_an_officer_s_with_its_assessment(bamako_today, duty_officer):  # type: ignore[no-untyped-def]
    from readiness.assessments.models import DecisionOrigin

    seen = newest(bamako_today)
    decision = record(bamako_today, user=duty_officer, against_recommendation_confirmed=True)
    assert decision.origin == DecisionOrigin.OFFICER and decision.assessment_id == seen.pk
