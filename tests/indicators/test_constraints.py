from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from tests.factories import IndicatorFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():  # type: ignore[no-untyped-def]
    # The messages are read in English; a French page rendered by an earlier test leaves
    # French active in this thread (LocaleMiddleware activates, nothing deactivates).
    with translation.override("en"):
        yield


BAD = {
    "severity 0": {"severity": 0},
    "severity 6": {"severity": 6},
    "reliability G": {"reliability": "G"},
    "credibility 0": {"credibility": 0},
    "credibility 7": {"credibility": 7},
    "unknown category": {"category": "gossip"},
    "an event that ends": {"ongoing": False, "ended_at": timezone.now()},
    "expires before observed": {"expires_at": timezone.now() - dt.timedelta(days=30)},
    "expires after 2100": {"expires_at": dt.datetime(2101, 1, 1, tzinfo=dt.UTC)},
    "observed before 1900": {"observed_at": dt.datetime(1899, 12, 31, 23, tzinfo=dt.UTC)},
    "observed after 2100": {"observed_at": dt.datetime(2101, 1, 1, tzinfo=dt.UTC)},
    "ends after 2100": {"ongoing": True, "ended_at": dt.datetime(2101, 1, 1, tzinfo=dt.UTC)},
}


@pytest.mark.parametrize("fields", BAD.values(), ids=BAD.keys())
def test_database_refuses_bad_indicator(fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(**fields)


def test_condition_cannot_end_before_it_began():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(ongoing=True, ended_at=timezone.now() - dt.timedelta(days=10))


def test_external_id_deduplicates_within_a_post():  # type: ignore[no-untyped-def]
    post = PostFactory()
    IndicatorFactory(post=post, external_id="feed-42")
    IndicatorFactory(external_id="feed-42")  # another post: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(post=post, external_id="feed-42")


def test_many_indicators_without_external_id_are_fine():  # type: ignore[no-untyped-def]
    post = PostFactory()
    IndicatorFactory.create_batch(3, post=post, external_id="")


def test_an_indicator_from_the_future_is_rejected_at_input():  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory.build(
        post=PostFactory(), observed_at=timezone.now() + dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "observed_at" in error.value.message_dict


def test_an_expiry_after_2100_is_refused_at_input():  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory.build(
        post=PostFactory(), expires_at=dt.datetime(2205, 11, 8, tzinfo=dt.UTC)
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "after the year 2100" in error.value.message_dict["expires_at"][0]


@pytest.mark.parametrize("event", ["kayes road", " kayes", "kayes/road", "-kayes", "x" * 101])
def test_an_event_is_a_short_key(event):  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory.build(post=PostFactory(), event=event)
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "event" in error.value.message_dict


@pytest.mark.parametrize("event", ["kayes-road-blockade", "cap:watch-sahel.example:SW-1", "a_1"])
def test_event_keys_people_and_feeds_use_are_accepted(event):  # type: ignore[no-untyped-def]
    IndicatorFactory.build(post=PostFactory(), event=event).full_clean()
