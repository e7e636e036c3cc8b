from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import IndicatorFactory, PostFactory

pytestmark = pytest.mark.django_db

BAD = {
    "severity 0": {"severity": 0},
    "severity 6": {"severity": 6},
    "reliability G": {"reliability": "G"},
    "credibility 0": {"credibility": 0},
    "credibility 7": {"credibility": 7},
    "unknown category": {"category": "gossip"},
    "an event that ends": {"ongoing": False, "ended_at": timezone.now()},
    "expires before observed": {"expires_at": timezone.now() - dt.timedelta(days=30)},
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
