"""indicator_record(): one observation, validated by the model's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from readiness.indicators.services import indicator_record

pytestmark = pytest.mark.django_db


def values(**changes):  # type: ignore[no-untyped-def]
    data = {
        "category": "supply",
        "severity": 4,
        "reliability": "B",
        "credibility": 2,
        "source": "  Post security officer ",
        "text": " Queues at every filling station ",
        "observed_at": timezone.now() - dt.timedelta(hours=1),
    }
    data.update(changes)
    return data


def test_an_indicator_is_recorded_with_who_recorded_it(post_a, duty_officer):  # type: ignore[no-untyped-def]
    indicator = indicator_record(post=post_a, user=duty_officer, **values())
    assert indicator.pk and indicator.recorded_by == duty_officer
    assert indicator.source == "Post security officer"
    assert indicator.text == "Queues at every filling station"


def test_an_observation_from_the_future_is_refused(post_a):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        indicator_record(post=post_a, **values(observed_at=timezone.now() + dt.timedelta(days=1)))
    assert "observed_at" in error.value.message_dict


def test_grades_out_of_range_are_refused(post_a):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        indicator_record(post=post_a, **values(severity=9, reliability="Z"))
    assert {"severity", "reliability"} <= set(error.value.message_dict)


def test_recording_queues_a_rescore_after_commit(post_a, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        indicator_record(post=post_a, **values())
    assert len(callbacks) == 1
