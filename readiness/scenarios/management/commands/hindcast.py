"""python manage.py hindcast PATH [PATH ...] [--csv FILE] [--baseline FILE.json]
[--save-baseline FILE.json] [--max-false-alarm-share SHARE] [--max-days-late DAYS]

Replays every scenario file given (or every *.yaml of a folder given) once, in memory, like
`manage.py replay`, and scores the advice against each file's `expect:` items: a skill
table, one row per case, and the totals. Nothing is read from or written to the database.
The measures are defined in readiness/scenarios/hindcast.py and docs/scenarios.md.

Exit status: 0 all well; 1 worse than the baseline, or a limit broken; 2 a file that does
not load (the parser's message), or a baseline that cannot be read.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.scenarios.hindcast import (
    BaselineError,
    CaseScore,
    Hindcast,
    LibraryError,
    Measures,
    compare,
    decision_leads,
    expectation_leads,
    gate_failures,
    hindcast,
    load_baseline,
    load_library,
    save_baseline,
    shortfalls,
    totals_line,
    write_csv,
)


class Command(BaseCommand):
    help = (
        "Replay scenario files (or folders of *.yaml) in memory and score the engine's advice "
        "against their `expect:` items: days late, false-alarm days, POD, FAR."
    )
    # Like `replay`: no database, no project checks; a hindcast must run anywhere.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
        parser.add_argument("--csv", metavar="FILE", help="also write the per-case rows as CSV")
        parser.add_argument(
            "--baseline",
            metavar="FILE.json",
            help="compare with a saved result; exit 1 if any case or measure got worse",
        )
        parser.add_argument(
            "--save-baseline",
            metavar="FILE.json",
            help="save this result as a baseline (after comparing, if --baseline is given)",
        )
        parser.add_argument(
            "--max-false-alarm-share",
            type=_share,
            metavar="SHARE",
            help="exit 1 if false-alarm days exceed this share of calm days (0.05 = 5%%)",
        )
        parser.add_argument(
            "--max-days-late",
            type=_days,
            metavar="DAYS",
            help="exit 1 if the total days late exceed this",
        )

    def handle(self, *args: object, **options: object) -> None:
        paths = [str(path) for path in cast(list[str], options["paths"])]
        try:
            library = load_library(paths)
        except LibraryError as exc:
            raise CommandError(f"the hindcast was not run:\n{exc}", returncode=2) from None
        if not library:
            raise CommandError(f"no scenario file (*.yaml) in {', '.join(paths)}", returncode=2)
        baseline = None
        if options["baseline"]:
            try:
                baseline = load_baseline(str(options["baseline"]))
            except BaselineError as exc:
                raise CommandError(str(exc), returncode=2) from None

        result = hindcast(library)
        self._table(result)

        failures: list[str] = []
        if baseline is not None:
            failures += self._compare(result, baseline, str(options["baseline"]))
        failures += gate_failures(
            result.totals,
            max_false_alarm_share=cast(float | None, options["max_false_alarm_share"]),
            max_days_late=cast(int | None, options["max_days_late"]),
        )
        if options["csv"]:
            path = Path(str(options["csv"]))
            with path.open("w", encoding="utf-8", newline="") as out:
                write_csv(result, out)
            self.stdout.write(f"CSV written to {path}")
        if options["save_baseline"]:
            save_baseline(result, str(options["save_baseline"]))
            self.stdout.write(f"Baseline saved to {options['save_baseline']}")
        if failures:
            raise CommandError(
                "the hindcast is worse than allowed:\n" + "\n".join(f"  {f}" for f in failures),
                returncode=1,
            )

    def _table(self, result: Hindcast) -> None:
        widths = (
            max(len("case"), *(len(case.case) for case in result.cases)),
            max(len("expected"), *(len(expectation_leads(case)) for case in result.cases)),
        )
        self.stdout.write(_header(widths))
        for case in result.cases:
            self.stdout.write(_row(case, widths))
        self.stdout.write("")
        self.stdout.write(totals_line(result))
        missed = [(case.case, text) for case in result.cases for text in shortfalls(case)]
        if missed:
            self.stdout.write("")
            self.stdout.write("Expectations not met:")
            for case_id, text in missed:
                self.stdout.write(f"  {case_id}: {text}")

    def _compare(self, result: Hindcast, baseline: Mapping[str, Measures], where: str) -> list[str]:
        comparison = compare(result.by_case, baseline)
        self.stdout.write("")
        if comparison.new_cases:
            self.stdout.write(f"Not in the baseline (new): {', '.join(comparison.new_cases)}")
        if comparison.missing_cases:
            self.stdout.write(f"In the baseline but not run: {', '.join(comparison.missing_cases)}")
        if not comparison.regressions:
            self.stdout.write(f"No case got worse than in {where}.")
        return [f"worse than {where}: {regression}" for regression in comparison.regressions]


def _header(widths: tuple[int, int]) -> str:
    case, expected = widths
    return (
        f"{'case':<{case}}  {'kind':<11}  {'days':>4}  {'late':>4}  {'calm':>4}  "
        f"{'f.alarm':>7}  {'episodes':>8}  {'hits':>5}  {'expected':<{expected}}  decisions"
    )


def _row(case: CaseScore, widths: tuple[int, int]) -> str:
    """One case, aligned under the header: hits as hits/at_least items, `expected` the
    at_least items' leads on their `by` day, `decisions` the real decisions' leads."""
    m = case.measures
    hits = f"{m.hits}/{m.hits + m.misses}" if case.at_least else ""
    return (
        f"{case.case:<{widths[0]}}  {case.kind:<11}  {case.days:>4}  {m.days_late:>4}  "
        f"{m.calm_days:>4}  {m.false_alarm_days:>7}  {m.false_alarm_episodes:>8}  {hits:>5}  "
        f"{expectation_leads(case):<{widths[1]}}  {decision_leads(case)}"
    ).rstrip()


def _share(text: str) -> float:
    """A share from 0 to 1 (0.05 = 5 %)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share from 0 to 1 (0.05 = 5%), got {text!r}")
    return value


def _days(text: str) -> int:
    """A whole number of days, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, 0 or more, got {text!r}")
    return value
