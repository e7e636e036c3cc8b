"""indicator_record(): one observation, validated by the model's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from readiness.indicators.services import indicator_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():  # type: ignore[no-untyped-def]
    # The messages are read in English; a French page rendered by an earlier test leaves
    # French active in this thread (LocaleMiddleware activates, nothing deactivates).
    with translation.override("en"):
        yield


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


def test_an_observation_more_than_five_years_old_is_refused_with_the_other_faults(post_a):  # type: ignore[no-untyped-def]
    old = timezone.now() - dt.timedelta(days=5 * 365 + 2)
    with pytest.raises(ValidationError) as error:
        indicator_record(post=post_a, **values(observed_at=old, severity=9))
    faults = error.value.message_dict
    assert "more than five years ago" in faults["observed_at"][0]
    assert "severity" in faults, "every fault is named at once"


def test_an_observation_of_four_years_ago_is_kept(post_a):  # type: ignore[no-untyped-def]
    old = timezone.now() - dt.timedelta(days=4 * 365)
    assert indicator_record(post=post_a, **values(observed_at=old)).pk


def test_event_and_de_escalation_are_recorded(post_a):  # type: ignore[no-untyped-def]
    indicator = indicator_record(post=post_a, **values(event=" kayes-road ", de_escalation=True))
    indicator.refresh_from_db()
    assert (indicator.event, indicator.de_escalation) == ("kayes-road", True)
