"""python manage.py replay FILE [--csv PATH] [--plot FILE.svg] [--explain DATE ...]
[--no-standing-level]

Runs the engine day by day over a scenario file, in memory: nothing is read from or written
to the database. Prints one row per day, then for each decision in the file the engine's
lead or lag in days; `--explain` says a day's verdict and reasons in words, through the
renderer the dashboards use (readiness.wording). See readiness/scenarios/replay.py for the
replay's rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.scenarios.plot import replay_svg
from readiness.scenarios.replay import (
    Replay,
    ReplayDay,
    describe_outcome,
    format_margin,
    reasons_summary,
    replay,
    write_csv,
)
from readiness.scenarios.schema import load_scenario_file
from readiness.scenarios.specs import ScenarioError
from readiness.wording.details import detail
from readiness.wording.verdict import verdict
from readiness.wording.vocabulary import REASON_KINDS

HEADER = (
    f"{'date':<10}  {'threat':>6}  {'trend/d':>7}  {'cur':>3}  {'rec':>3}  {'verdict':<9}  "
    f"{'margin d':>8}  {'of':>2}  {'decision':<8}  reasons"
)


class Command(BaseCommand):
    help = (
        "Replay a scenario file day by day through the engine (in memory, the database is "
        "not touched) and compare its advice with the file's decisions."
    )
    # Nothing here needs the database or the project's checks; a replay must run anywhere.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a scenario file (SCENARIO.md format)")
        parser.add_argument("--csv", metavar="PATH", help="also write the series as CSV")
        parser.add_argument("--plot", metavar="FILE.svg", help="also draw the series as SVG")
        parser.add_argument(
            "--explain",
            metavar="YYYY-MM-DD",
            action="append",
            default=[],
            type=_date,
            help="also say that day's verdict and reasons in words (repeatable)",
        )
        parser.add_argument(
            "--no-standing-level",
            action="store_true",
            help="do not treat the level in force at the start as a standing decision",
        )

    def handle(self, *args: object, **options: Any) -> None:
        plot = options["plot"]
        if plot and not str(plot).lower().endswith(".svg"):
            raise CommandError("--plot writes SVG: give a file name ending in .svg")
        try:
            scenario = load_scenario_file(str(options["file"]))
        except ScenarioError as exc:
            raise CommandError(f"the scenario was not replayed:\n{exc}") from None
        result = replay(scenario, standing=not options["no_standing_level"])
        by_date = {day.date: day for day in result.days}
        explain: list[dt.date] = options["explain"]
        outside = [d.isoformat() for d in explain if d not in by_date]
        if outside:
            raise CommandError(
                f"--explain {', '.join(outside)}: not a day of this replay "
                f"({result.days[0].date} to {result.days[-1].date})"
            )

        self.stdout.write(f"{scenario.id}: {scenario.title}")
        self.stdout.write(
            f"{scenario.post.name} ({scenario.post.code}), {len(result.days)} days, "
            f"evaluated at 23:59:59 {scenario.post.timezone} each day"
        )
        self.stdout.write("")
        self.stdout.write(HEADER)
        for day in result.days:
            self.stdout.write(_table_row(day))
        self.stdout.write("")
        self._summary(result)
        for date in explain:
            self._explain(by_date[date])

        if options["csv"]:
            path = Path(str(options["csv"]))
            with path.open("w", encoding="utf-8", newline="") as out:
                write_csv(result, out)
            self.stdout.write(f"CSV written to {path}")
        if plot:
            path = Path(str(plot))
            path.write_text(replay_svg(result), encoding="utf-8")
            self.stdout.write(f"Plot written to {path}")

    def _explain(self, day: ReplayDay) -> None:
        """The day's verdict and reasons, said from the explanation as it would be stored."""
        exp = day.assessment.to_dict()
        self.stdout.write("")
        self.stdout.write(f"{day.date.isoformat()}: {verdict(exp)}")
        for reason in exp["reasons"]:
            self.stdout.write(
                f"  {REASON_KINDS.get(reason['kind'], reason['kind'])}: {detail(reason)}"
            )
        for warning in exp["warning_details"]:
            self.stdout.write(f"  ! {detail(warning)}")

    def _summary(self, result: Replay) -> None:
        names = {level.rank: level.name for level in result.scenario.ladder}
        self.stdout.write("Decisions (lead > 0: the engine was ahead; lag: it was behind):")
        if not result.decisions:
            self.stdout.write("  none in the file")
        for outcome in result.decisions:
            self.stdout.write("  " + describe_outcome(outcome, names))
        self.stdout.write("First day the engine recommended each level or higher:")
        for rank in sorted(names):
            if rank == 0:
                continue
            first = result.first_day_at_or_above(rank)
            self.stdout.write(f"  {rank} {names[rank]}: {first.isoformat() if first else 'never'}")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _table_row(day: ReplayDay) -> str:
    """One day, aligned under HEADER."""
    a = day.assessment
    rank = "" if a.next_level_margin_rank is None else str(a.next_level_margin_rank)
    decision = " ".join(f"-> {d.level}" for d in day.decisions)
    return (
        f"{day.date.isoformat():<10}  {a.threat_index:6.2f}  {a.trend_per_day:+7.3f}  "
        f"{a.current_level:>3}  {a.recommended_level:>3}  {a.verdict:<9}  "
        f"{format_margin(a.next_level_margin_days):>8}  {rank:>2}  {decision:<8}  "
        f"{reasons_summary(a)}"
    ).rstrip()
