"""The project's PostgreSQL backend (readiness/postgresql) and PostgreSQL-only storage."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from readiness.indicators.models import Indicator
from readiness.postgresql.base import UtcTimestamptzLoader, fast_timestamptz_possible
from tests.factories import IndicatorFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only (CI runs it)"
)


def test_the_fast_loader_is_used_only_where_it_gives_django_s_answer() -> None:
    assert fast_timestamptz_possible(use_tz=True, timezone_name="UTC")
    assert not fast_timestamptz_possible(use_tz=True, timezone_name="Africa/Bamako")
    assert not fast_timestamptz_possible(use_tz=False, timezone_name="UTC")


@on_postgresql
@pytest.mark.django_db
def test_datetimes_read_back_exactly_and_in_utc() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text format
    assert loader is UtcTimestamptzLoader
    bamako = zoneinfo.ZoneInfo("Africa/Bamako")
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    instants = [
        dt.datetime(2025, 11, 7, 9, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 30, 3, 30, tzinfo=paris),  # just after a DST change
        dt.datetime(1901, 12, 13, 20, 45, 52, 1, tzinfo=bamako),
        dt.datetime(2099, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-9, minutes=-30))),
    ]
    pks = [
        IndicatorFactory(observed_at=at, recorded_at=at, ongoing=True, ended_at=None).pk
        for at in instants
    ]
    rows = dict(Indicator.objects.filter(pk__in=pks).values_list("pk", "observed_at"))
    for pk, at in zip(pks, instants, strict=True):
        assert rows[pk] == at
        assert rows[pk].tzinfo is dt.UTC
    assert Indicator.objects.get(pk=pks[0]).ended_at is None


@on_postgresql
@pytest.mark.django_db
def test_explanations_are_compressed_with_lz4() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'assessments_assessment'::regclass AND attname = 'explanation'"
        )
        (method,) = cursor.fetchone()
    assert method == "l"  # lz4 (p: pglz, empty: the default)
