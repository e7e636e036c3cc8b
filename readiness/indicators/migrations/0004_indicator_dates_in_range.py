"""Indicators' dates within 1900..2100 (UTC): repair what is stored, then constrain.

Before issue 9 a feed could store "9999-12-31T23:59:59-14:00" (year 10000 in UTC) or
"0001-01-01T00:00:00+14:00" (year 0) as an end or, from a scenario file, as an observation.
PostgreSQL keeps such a date but Python cannot read it back: the post's re-scores and the
admin's indicator list failed on that row for good. This migration makes any such row
harmless, in SQL (reading it in Python is what fails), and then adds the check constraints
that keep new ones out (readiness/posts/limits.py, EARLIEST_DATE and LATEST_DATE):

- an observation before 1900 is moved to 1900-01-01 and expires a second later (it weighs
  nothing, as a date of year 0 could never have meant);
- an observation after 2100 is moved to 2100-12-31 and expires a second later (the engine
  ignores observations in the future);
- an end after 2100 becomes 2100-12-31T23:59:59Z (the condition stays in force, as the
  feed said);
- each such row's text says so, so the change is visible where the row is read.

The dates are written here rather than imported: a migration keeps the values of its day.
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations, models

UTC = dt.UTC
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=UTC)
BOUND = dt.datetime(2101, 1, 1, tzinfo=UTC)  # the first instant refused
LATE_OBSERVED = dt.datetime(2100, 12, 31, tzinfo=UTC)
LAST = dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)
NOTE = (
    " [Readiness: a date of this indicator was outside 1900-2100 (UTC), which the system "
    "cannot read back; migration indicators 0004 moved it to the limit.]"
)


def dates_into_range(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    table = apps.get_model("indicators", "Indicator")._meta.db_table

    def at(value: dt.datetime) -> object:
        return connection.ops.adapt_datetimefield_value(value)

    out_of_range = (
        "observed_at < %(earliest)s OR observed_at >= %(bound)s "
        "OR expires_at < %(earliest)s OR expires_at >= %(bound)s "
        "OR ended_at < %(earliest)s OR ended_at >= %(bound)s"
    )
    params = {
        "earliest": at(EARLIEST),
        "earliest_1": at(EARLIEST + SECOND),
        "bound": at(BOUND),
        "late": at(LATE_OBSERVED),
        "late_1": at(LATE_OBSERVED + SECOND),
        "last": at(LAST),
        "note": NOTE,
    }
    statements = [
        f"UPDATE {table} SET text = text || %(note)s WHERE {out_of_range}",
        f"""UPDATE {table} SET observed_at = %(earliest)s, expires_at = %(earliest_1)s,
            ended_at = CASE WHEN ended_at IS NULL THEN NULL
                            WHEN ended_at < %(earliest_1)s OR ended_at >= %(bound)s
                            THEN %(earliest_1)s ELSE ended_at END
            WHERE observed_at < %(earliest)s""",
        f"""UPDATE {table} SET observed_at = %(late)s, expires_at = %(late_1)s,
            ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE %(last)s END
            WHERE observed_at >= %(bound)s""",
        f"UPDATE {table} SET ended_at = %(last)s WHERE ended_at >= %(bound)s",
        f"UPDATE {table} SET expires_at = %(last)s WHERE expires_at >= %(bound)s",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            # The updates queue deferred foreign-key checks, and PostgreSQL will not alter a
            # table with checks pending (the constraints below): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_indicator_event_de_escalation"),
    ]

    operations = [
        migrations.RunPython(dates_into_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("observed_at__gte", dt.datetime(1900, 1, 1, 0, 0, tzinfo=dt.UTC)),
                    ("observed_at__lt", dt.datetime(2101, 1, 1, 0, 0, tzinfo=dt.UTC)),
                ),
                name="indicator_observed_1900_2100",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ended_at__isnull", True),
                    ("ended_at__lt", dt.datetime(2101, 1, 1, 0, 0, tzinfo=dt.UTC)),
                    _connector="OR",
                ),
                name="indicator_ended_before_2101",
            ),
        ),
    ]
