"""The database itself refuses rows that break the domain's invariants (not only forms)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from readiness.posts.models import AlertLevel, ExitRoute, Trigger
from tests.factories import ExitRouteFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def level(db):  # type: ignore[no-untyped-def]
    return PostFactory().levels.get(rank=3)


BAD_TRIGGERS = {
    "unknown kind": {"kind": "astrology"},
    "category index without threshold": {"kind": "category_index", "category": "supply"},
    "category index without category": {"kind": "category_index", "threshold": 50},
    "count without window": {"kind": "indicator_count", "count": 2, "min_severity": 3},
    "threat index without threshold": {"kind": "threat_index"},
    "threshold above 100": {"kind": "threat_index", "threshold": 120},
    "threshold zero": {"kind": "threat_index", "threshold": 0},
    "route with neither route nor mode": {"kind": "route"},
    "margin without days": {"kind": "clearance_margin", "margin_level": 4},
    "active manual without reason": {"kind": "manual", "active": True},
    "severity 6": {"kind": "indicator_count", "count": 1, "min_severity": 6, "within_days": 3},
    "count zero": {"kind": "indicator_count", "count": 0, "min_severity": 3, "within_days": 3},
    "second category without its severity": {
        "kind": "indicator_count",
        "count": 1,
        "min_severity": 5,
        "within_days": 3,
        "with_category": "peer_action",
    },
    "second category on an index trigger": {
        "kind": "threat_index",
        "threshold": 50,
        "with_category": "peer_action",
        "with_min_severity": 4,
    },
    "negative window": {
        "kind": "indicator_count",
        "count": 1,
        "min_severity": 3,
        "within_days": -1,
    },
    "window beyond ten years (readiness/posts/limits.py)": {
        "kind": "indicator_count",
        "count": 1,
        "min_severity": 3,
        "within_days": 3651,
    },
}


@pytest.mark.parametrize("fields", BAD_TRIGGERS.values(), ids=BAD_TRIGGERS.keys())
def test_database_refuses_impossible_trigger(level, fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Trigger.objects.create(level=level, name="bad", **fields)


def test_database_accepts_each_well_formed_kind(level):  # type: ignore[no-untyped-def]
    route = ExitRouteFactory(post=level.post)
    for fields in [
        {"kind": "category_index", "category": "supply", "threshold": 50},
        {"kind": "indicator_count", "count": 2, "min_severity": 4, "within_days": 14},
        {
            "kind": "indicator_count",
            "category": "incident",
            "count": 1,
            "min_severity": 5,
            "within_days": 3,
            "with_category": "peer_action",
            "with_min_severity": 4,
        },
        {"kind": "threat_index", "threshold": 60},
        {"kind": "route", "mode": "commercial_air", "below_seats": 40},
        {"kind": "route", "route": route},
        {"kind": "clearance_margin", "margin_level": 4, "below_days": 5},
        {"kind": "manual", "active": True, "reason": "Ambassador's call"},
    ]:
        Trigger.objects.create(level=level, name="ok", **fields)


def test_route_trigger_cannot_name_both_a_route_and_a_mode(level):  # type: ignore[no-untyped-def]
    route = ExitRouteFactory(post=level.post)
    with pytest.raises(IntegrityError), transaction.atomic():
        Trigger.objects.create(level=level, name="bad", kind="route", route=route, mode="road")


def test_ranks_are_unique_within_a_ladder(level):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertLevel.objects.create(post=level.post, rank=3, name="Duplicate")


def test_ranks_are_unique_within_the_template(db):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertLevel.objects.create(post=None, rank=0, name="Second normal")


def test_two_posts_may_each_have_the_same_rank(db):  # type: ignore[no-untyped-def]
    PostFactory()
    PostFactory()
    assert AlertLevel.objects.filter(rank=3, post__isnull=False).count() == 2


def test_quorum_is_at_least_one(level):  # type: ignore[no-untyped-def]
    level.quorum = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        level.save()


BAD_ROUTES = {
    "unknown mode": {"mode": "teleport"},
    "unknown status": {"status": "maybe"},
    "negative lead time": {"lead_time_hours": -1},
    "closure threshold above 100": {"closes_at_threat": 150},
    "duplicate key": {"key": "dup"},
    "seats above the ceiling (readiness/posts/limits.py)": {"seats_per_day": 20_001},
    "lead time beyond a year (readiness/posts/limits.py)": {"lead_time_hours": 8761},
}


@pytest.mark.parametrize("fields", BAD_ROUTES.values(), ids=BAD_ROUTES.keys())
def test_database_refuses_bad_route(db, fields):  # type: ignore[no-untyped-def]
    post = PostFactory()
    ExitRouteFactory(post=post, key="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitRoute.objects.create(
            **{
                "post": post,
                "key": "other",
                "mode": "road",
                "from_place": "A",
                "to_place": "B",
                "status": "open",
                "seats_per_day": 10,
                **fields,
            }
        )


def test_negative_seats_are_refused(db):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitRouteFactory(seats_per_day=-5)
