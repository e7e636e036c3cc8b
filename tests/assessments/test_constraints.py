from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from readiness.assessments.models import Assessment
from tests.factories import DecisionFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_a_decision_must_change_the_level():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(from_level=2, to_level=2)


def test_a_decision_needs_a_rationale():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(rationale="")


@pytest.mark.parametrize(
    "fields",
    [{"threat_index": 101}, {"threat_index": -1}, {"preparedness": 120}, {"verdict": "panic"}],
)
def test_assessment_outputs_stay_in_range(fields):  # type: ignore[no-untyped-def]
    values = {
        "post": PostFactory(),
        "evaluated_at": "2025-11-07T00:00:00Z",
        "current_level": 2,
        "recommended_level": 3,
        "verdict": "act_now",
        "threat_index": 60,
        "trend_per_day": 0.5,
        "preparedness": 70,
        "fingerprint": "x",
        "explanation": {},
        **fields,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(**values)
