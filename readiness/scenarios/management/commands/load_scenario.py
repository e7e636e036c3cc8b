"""python manage.py load_scenario FILE [--as-of DATE | --as-if-today DATE] [--over-live]"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from readiness.posts import limits
from readiness.scenarios.schema import load_scenario_file
from readiness.scenarios.services import scenario_load
from readiness.scenarios.specs import ScenarioError


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-11-19") from None
    # Dates run from 1900 to 2100 (limits.py): a day past them overflowed the arithmetic.
    if not limits.EARLIEST_DATE.year <= day.year < limits.LATEST_DATE.year:
        raise argparse.ArgumentTypeError(f"{value!r} is out of range: dates run from 1900 to 2100")
    return day


class Command(BaseCommand):
    help = "Load a scenario file (SCENARIO.md format) into the database. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--as-of",
            type=_date,
            help="load the timeline up to the end of this day (post's time zone)",
        )
        when.add_argument(
            "--as-if-today",
            type=_date,
            metavar="DATE",
            help="load the timeline up to DATE, with every date moved so that DATE is today (demo)",
        )
        parser.add_argument(
            "--over-live",
            action="store_true",
            help=(
                "load onto a post that holds records not loaded from this file (feeds', "
                "officers' indicators, decisions, route checks): the file's records are added "
                "beside them; none of theirs is deleted, rewritten or undone, and the level "
                "and decision log stay the post's"
            ),
        )

    def handle(self, *args: object, **options: Any) -> None:
        try:
            scenario = load_scenario_file(str(options["file"]))
        except ScenarioError as exc:
            raise CommandError(f"the scenario was not loaded:\n{exc}") from None
        zone = scenario.post.zone
        as_of = None
        shift = dt.timedelta(0)
        if options["as_of"]:
            day: dt.date = options["as_of"]
            as_of = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone) - dt.timedelta(
                microseconds=1
            )
        elif options["as_if_today"]:
            today = timezone.now().astimezone(zone).date()
            as_if_today: dt.date = options["as_if_today"]
            shift = dt.timedelta(days=(today - as_if_today).days)
            as_of = timezone.now() - shift
        try:
            report = scenario_load(
                scenario, as_of=as_of, shift=shift, over_live=options["over_live"]
            )
        except ValueError as exc:
            raise CommandError(f"the scenario was not loaded: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{scenario.id}: {report.summary()}"))
