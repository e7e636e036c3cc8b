from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.factories import CommunityFactory, SchoolFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_dual_nationals_cannot_exceed_registered():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(registered=100, dual_nationals=101)


def test_dual_nationals_may_equal_registered():  # type: ignore[no-untyped-def]
    assert CommunityFactory(registered=100, dual_nationals=100).pk


@pytest.mark.parametrize("field", ["registered", "dual_nationals", "unregistered_estimate"])
def test_community_counts_are_not_negative(field):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(**{field: -1})


def test_one_community_per_post():  # type: ignore[no-untyped-def]
    community = CommunityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(post=community.post)


@pytest.mark.parametrize(
    "fields",
    [{"headcount": 0}, {"dependants": -1}, {"category": "tourist"}],
    ids=["empty group", "negative dependants", "unknown category"],
)
def test_staff_rows_are_checked(fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMemberFactory(**fields)


def test_school_counts_are_not_negative():  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolFactory(pupils=-3)


# The plausibility ceilings (readiness/posts/limits.py) hold even for writes that skip
# full_clean (a queryset update, a bulk insert).


@pytest.mark.parametrize(
    "fields",
    [{"headcount": 2_001}, {"dependants": 5_001}],
    ids=["group above 2,000", "dependants above 5,000"],
)
def test_staff_counts_have_a_ceiling(fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMemberFactory(**fields)


@pytest.mark.parametrize("fields", [{"pupils": 10_001}, {"expatriate_staff": 1_001}])
def test_school_counts_have_a_ceiling(fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolFactory(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"registered": 2_000_001, "dual_nationals": 0},
        {"unregistered_estimate": 2_000_001},
    ],
)
def test_community_counts_have_a_ceiling(fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityFactory(**fields)


def test_the_ceilings_themselves_are_allowed():  # type: ignore[no-untyped-def]
    assert StaffMemberFactory(headcount=2_000, dependants=5_000).pk
    assert SchoolFactory(pupils=10_000, expatriate_staff=1_000).pk
    assert CommunityFactory(registered=2_000_000, unregistered_estimate=2_000_000).pk
