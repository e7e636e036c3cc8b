"""Django's PostgreSQL backend, reading ``timestamptz`` columns with psycopg's C loader.

Django 5.2 reads every ``timestamptz`` value through a loader derived from psycopg's
pure-Python one (``django/db/backends/postgresql/psycopg_any.py``; Django ticket #36960,
psycopg issue #1273): about 2 µs a value, where psycopg's own C loader takes a tenth of
that. Re-scoring reads hundreds of thousands of them (each indicator's observation,
record and end times), so that loader alone was a third of loading the engine's inputs.

Django's loader only pins the result to Django's connection time zone. When the
session's time zone is UTC and Django wants UTC (``USE_TZ`` without a per-database
``TIME_ZONE``: always so in this project), psycopg's C loader returns the very same
aware datetime, so this backend lets it do the work. In any other configuration, or
without psycopg's C implementation, it changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
_PURE_PYTHON = TimestamptzLoader
# The global adapters map holds psycopg's optimised (C) loader when one is installed. It
# always holds one for timestamptz; were it not so, the pure-Python one: nothing changes.
_REGISTERED = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
_OPTIMISED = _REGISTERED if _REGISTERED is not None else _PURE_PYTHON


class UtcTimestamptzLoader(Loader):
    """Loads a ``timestamptz`` with psycopg's C loader, which answers in the session's
    time zone (UTC here). ``timezone`` is what Django's ``create_cursor`` compares with
    its own to decide whether a cursor needs its slower loader: equal, so it does not."""

    timezone = dt.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._optimised = _OPTIMISED(oid, context)
        # Shadows the method below, so psycopg calls the C loader directly, per value.
        self.load = self._optimised.load  # type: ignore[method-assign]  # shadowing is the point

    def load(self, data: Any) -> dt.datetime:  # what the instance attribute shadows
        loaded: dt.datetime = self._optimised.load(data)
        return loaded


def fast_timestamptz_possible(*, use_tz: bool, timezone_name: str) -> bool:
    return use_tz and timezone_name == "UTC" and _OPTIMISED is not _PURE_PYTHON


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if fast_timestamptz_possible(use_tz=settings.USE_TZ, timezone_name=self.timezone_name):
            connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
        return connection
