"""Indicators' dates run from 1900 to 2100 in UTC (readiness/posts/limits.py, issue 9): the
model refuses others naming the field, and migration 0004 repairs rows stored before, so
that no row can break a re-score or the admin's list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from readiness.indicators.models import Indicator
from readiness.posts import limits
from tests.factories import IndicatorFactory, PostFactory

EAST = dt.timezone(dt.timedelta(hours=14))
WEST = dt.timezone(dt.timedelta(hours=-14))
YEAR_0 = dt.datetime(1, 1, 1, tzinfo=EAST)  # 31 December of year 0 in UTC
YEAR_10000 = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=WEST)  # 1 January 10000 in UTC


@pytest.mark.parametrize(
    ("value", "wrong"),
    [
        (YEAR_0, "before the year 1900"),
        (YEAR_10000, "after the year 2100"),
        (dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC), "before the year 1900"),
        (dt.datetime(1900, 1, 1, 13, 0, tzinfo=EAST), "before the year 1900"),  # 1899 in UTC
        (dt.datetime(2100, 12, 31, 11, 0, tzinfo=WEST), "after the year 2100"),  # 2101 in UTC
        (dt.datetime(1, 1, 1), "before the year 1900"),  # naive: read as UTC
    ],
)
def test_a_date_outside_the_limits_is_named_without_overflowing(
    value: dt.datetime, wrong: str
) -> None:
    problem = limits.date_out_of_range(value)
    assert problem is not None and wrong in problem


@pytest.mark.parametrize(
    "value",
    [
        limits.EARLIEST_DATE,
        limits.LATEST_DATE - dt.timedelta(microseconds=1),
        dt.datetime(1900, 1, 1, 0, 0, tzinfo=WEST),
    ],
)
def test_the_limits_themselves_are_inside(value: dt.datetime) -> None:
    assert limits.date_out_of_range(value) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"observed_at": YEAR_0}, "observed_at"),
        ({"observed_at": dt.datetime(1850, 6, 1, tzinfo=dt.UTC)}, "observed_at"),
        ({"expires_at": YEAR_10000}, "expires_at"),
        ({"ongoing": True, "ended_at": YEAR_10000}, "ended_at"),
    ],
)
def test_the_model_refuses_an_out_of_range_date_naming_the_field(
    fields: dict[str, object], field: str
) -> None:
    indicator = IndicatorFactory.build(post=PostFactory(), **fields)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "check the year" in refused.value.message_dict[field][0]


# --- migration 0004: rows stored before ---------------------------------------------------

MIGRATION = ("indicators", "0004_indicator_dates_in_range")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite cannot even store a year-0 date"
)
@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_stored_out_of_range_rows_harmless(admin_client: Client) -> None:
    post = PostFactory(code="ML-BKO")
    executor = MigrationExecutor(connection)
    before = executor.loader.get_migration(*MIGRATION).dependencies
    executor.migrate([d for d in before if d[0] == "indicators"])
    old = (
        MigrationExecutor(connection)
        .loader.project_state([d for d in before if d[0] == "indicators"])
        .apps.get_model("indicators", "Indicator")
    )
    now = timezone.now()
    common = {
        "post_id": post.pk,
        "category": "supply",
        "severity": 3,
        "reliability": "B",
        "credibility": 2,
        "source": "feed",
        "recorded_at": now,
    }
    rows = {
        "year 0": old.objects.create(**common, text="year 0", observed_at=YEAR_0).pk,
        "year 10000": old.objects.create(**common, text="year 10000", observed_at=YEAR_10000).pk,
        "ends in 10000": old.objects.create(
            **common,
            text="ends in 10000",
            observed_at=now - dt.timedelta(days=1),
            ongoing=True,
            ended_at=YEAR_10000,
        ).pk,
        "fine": old.objects.create(
            **common, text="fine", observed_at=now - dt.timedelta(days=1)
        ).pk,
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = {name: Indicator.objects.get(pk=pk) for name, pk in rows.items()}
    assert stored["year 0"].observed_at == limits.EARLIEST_DATE
    assert stored["year 0"].expires_at == limits.EARLIEST_DATE + dt.timedelta(seconds=1)
    assert stored["year 10000"].observed_at == dt.datetime(2100, 12, 31, tzinfo=dt.UTC)
    assert stored["ends in 10000"].ended_at == dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    for name in ("year 0", "year 10000", "ends in 10000"):
        assert "migration indicators 0004" in stored[name].text
    assert stored["fine"].text == "fine" and stored["fine"].expires_at is None
    response = admin_client.get(reverse("admin:indicators_indicator_changelist"))
    assert response.status_code == 200
