"""Personas for the notification tests: a duty officer (sees every post), a post officer
(sees their post only), and a change of a post's recommendation, as the re-score stores it."""

from __future__ import annotations

import pytest

from readiness.assessments.models import RecommendationChange
from tests.factories import AssessmentFactory, PostFactory, UserFactory


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="ML-BKO", name="Bamako", region="Sahel")


@pytest.fixture
def other_post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="SN-DKR", name="Dakar", region="West coast")


@pytest.fixture
def duty(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="duty", is_staff=True, email="duty@ministry.example")


@pytest.fixture
def officer(post):  # type: ignore[no-untyped-def]
    user = UserFactory(username="officer", email="officer@post.example")
    post.security_officers.add(user)
    return user


def make_change(post, *, before=(0, "on_time"), after=(2, "late")):  # type: ignore[no-untyped-def]
    assessment = AssessmentFactory(post=post, recommended_level=after[0], verdict=after[1])
    return RecommendationChange.objects.create(
        post=post,
        assessment=assessment,
        from_level=before[0],
        to_level=after[0],
        from_verdict=before[1],
        to_verdict=after[1],
    )
