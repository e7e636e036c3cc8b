"""Hindcast: replay a library of scenario files and score the advice against their `expect:`.

Pure Python (no Django), like the replay it builds on: each file is replayed **once**, with
the shipped parameters and the standing level on (exactly `manage.py replay FILE`), and its
daily recommended rank is graded the way early-warning triggers are scored:

- `at_least K by B until U` (an escalation that was due):
  - **days late** = replay days D, B <= D <= U, with recommended rank < K;
  - **hit** when the rank is >= K on day B, **miss** otherwise;
  - **lead** = B - the first day of the unbroken run of rank >= K that covers B (>= 0); when
    the rank on B is below K, B - the first later day with rank >= K (< 0, a lag); None when
    the replay never gets there.
- `at_most K from F until U` (a calm window):
  - **calm days** = U - F + 1;
  - **false-alarm days** = days of the window with recommended rank > K;
  - **false-alarm episodes** = maximal runs of consecutive false-alarm days.
- every real `decision` of the timeline: its lead or lag as the replay computes it
  (`DecisionOutcome.lead_days`: the decision date - the first day the engine agreed).

Totals add the counts over the cases, then:

- false-alarm share = false-alarm days / calm days;
- probability of detection POD = hits / (hits + misses);
- false-alarm ratio FAR = false-alarm episodes / (hits + false-alarm episodes).

A saved result (a *baseline*, JSON) keeps the counts per case, so that a later run can name
each case and measure that got worse.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import IO, Any

from readiness.engine import DEFAULT_PARAMS, Params

from .replay import DecisionOutcome, Replay, ReplayDay, replay
from .schema import load_scenario_file
from .specs import Expectation, Problem, Scenario, ScenarioError

BASELINE_FORMAT = "readiness-hindcast/1"
CSV_COLUMNS = (
    "case",
    "kind",
    "days",
    "days_late",
    "calm_days",
    "false_alarm_days",
    "false_alarm_episodes",
    "hits",
    "misses",
    "decisions",
    "file",
)
TOTALS = "totals"  # how the totals are named in a comparison


# -- scores -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measures:
    """The counts a hindcast adds up; the ratios are derived from them."""

    days_late: int = 0
    calm_days: int = 0
    false_alarm_days: int = 0
    false_alarm_episodes: int = 0
    hits: int = 0
    misses: int = 0

    def __add__(self, other: Measures) -> Measures:
        return Measures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Measures)))

    @property
    def false_alarm_share(self) -> float | None:
        """false-alarm days / calm days; None without a calm day."""
        return self.false_alarm_days / self.calm_days if self.calm_days else None

    @property
    def pod(self) -> float | None:
        """hits / (hits + misses); None without an at_least expectation."""
        graded = self.hits + self.misses
        return self.hits / graded if graded else None

    @property
    def far(self) -> float | None:
        """false-alarm episodes / (hits + false-alarm episodes); None when both are 0."""
        alarms = self.hits + self.false_alarm_episodes
        return self.false_alarm_episodes / alarms if alarms else None


@dataclass(frozen=True, slots=True)
class AtLeastScore:
    """An `at_least` expectation against the replay (module docstring)."""

    expectation: Expectation
    days_late: int
    hit: bool
    lead_days: int | None  # > 0 ahead of `by`, < 0 behind it, None never reached


@dataclass(frozen=True, slots=True)
class AtMostScore:
    """An `at_most` expectation (a calm window) against the replay (module docstring)."""

    expectation: Expectation
    false_alarm_days: int
    episodes: tuple[tuple[date, date], ...]  # each run of false-alarm days: first, last

    @property
    def calm_days(self) -> int:
        return self.expectation.days


@dataclass(frozen=True, slots=True)
class CaseScore:
    """One scenario file's replay, graded."""

    case: str  # the scenario id
    source: str  # the file
    days: int  # replayed
    at_least: tuple[AtLeastScore, ...]
    at_most: tuple[AtMostScore, ...]
    decisions: tuple[DecisionOutcome, ...]

    @property
    def kind(self) -> str:
        """`escalation` when something was due (an at_least item), else `false_alarm`."""
        return "escalation" if self.at_least else "false_alarm"

    @property
    def measures(self) -> Measures:
        return Measures(
            days_late=sum(s.days_late for s in self.at_least),
            calm_days=sum(s.calm_days for s in self.at_most),
            false_alarm_days=sum(s.false_alarm_days for s in self.at_most),
            false_alarm_episodes=sum(len(s.episodes) for s in self.at_most),
            hits=sum(s.hit for s in self.at_least),
            misses=sum(not s.hit for s in self.at_least),
        )


@dataclass(frozen=True, slots=True)
class Hindcast:
    cases: tuple[CaseScore, ...]
    params: Params = field(default=DEFAULT_PARAMS, repr=False)

    @property
    def totals(self) -> Measures:
        return sum((case.measures for case in self.cases), Measures())

    @property
    def by_case(self) -> dict[str, Measures]:
        """Case id -> its counts, in the order run (what a baseline keeps)."""
        return {case.case: case.measures for case in self.cases}


def score_at_least(days: Sequence[ReplayDay], expectation: Expectation) -> AtLeastScore:
    """days late = days in [by, until] with rank < K; hit = rank >= K on `by`; lead = `by` -
    the first day of the run of rank >= K covering `by`, or - the first such day after it."""
    rank, by = expectation.rank, expectation.first
    index = _index(days, by)

    def met(day: ReplayDay) -> bool:
        return day.recommended_level >= rank

    late = sum(1 for d in days if by <= d.date <= expectation.until and not met(d))
    hit = met(days[index])
    if hit:
        first = index
        while first > 0 and met(days[first - 1]):
            first -= 1
        lead: int | None = (by - days[first].date).days
    else:
        later = next((d.date for d in days[index + 1 :] if met(d)), None)
        lead = None if later is None else (by - later).days
    return AtLeastScore(expectation=expectation, days_late=late, hit=hit, lead_days=lead)


def score_at_most(days: Sequence[ReplayDay], expectation: Expectation) -> AtMostScore:
    """false-alarm days = days in [from, until] with rank > K; episodes = their maximal runs."""
    window = [d for d in days if expectation.first <= d.date <= expectation.until]
    episodes: list[tuple[date, date]] = []
    for day in window:
        if day.recommended_level <= expectation.rank:
            continue
        if episodes and (day.date - episodes[-1][1]).days == 1:
            episodes[-1] = (episodes[-1][0], day.date)
        else:
            episodes.append((day.date, day.date))
    alarms = sum((last - first).days + 1 for first, last in episodes)
    return AtMostScore(expectation=expectation, false_alarm_days=alarms, episodes=tuple(episodes))


def _index(days: Sequence[ReplayDay], when: date) -> int:
    """The position of a day of the replay (the parser keeps `expect` dates inside it)."""
    index = (when - days[0].date).days
    if not 0 <= index < len(days):
        raise ValueError(f"{when.isoformat()} is not a day of the replay")
    return index


def score_replay(result: Replay, source: str = "") -> CaseScore:
    """Grade one replay against its scenario's `expect:` items and decisions."""
    expect = result.scenario.expect
    return CaseScore(
        case=result.scenario.id,
        source=source,
        days=len(result.days),
        at_least=tuple(score_at_least(result.days, e) for e in expect if e.kind == "at_least"),
        at_most=tuple(score_at_most(result.days, e) for e in expect if e.kind == "at_most"),
        decisions=result.decisions,
    )


def hindcast(library: Iterable[tuple[str, Scenario]], params: Params = DEFAULT_PARAMS) -> Hindcast:
    """Replay each (source, scenario) once, standing level on, and grade it."""
    cases = tuple(
        score_replay(replay(scenario, params, standing=True), source)
        for source, scenario in library
    )
    return Hindcast(cases=cases, params=params)


# -- the library --------------------------------------------------------------------------


class LibraryError(ValueError):
    """Scenario files that could not be loaded; `errors` holds the parser's answer for each."""

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def scenario_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files given, and the `*.yaml` files of each folder given (sorted, not recursive);
    each once, in the order given. A path that does not exist is kept: loading reports it."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def load_library(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, Scenario]]:
    """Parse every file (see `scenario_files`); raise LibraryError listing every file that
    fails, and any scenario id used by two files (the id names the case)."""
    loaded: list[tuple[str, Scenario]] = []
    errors: list[ScenarioError] = []
    first_file: dict[str, str] = {}
    for path in scenario_files(paths):
        source = os.fspath(path)
        try:
            scenario = load_scenario_file(path)
        except ScenarioError as exc:
            errors.append(exc)
            continue
        if scenario.id in first_file:
            message = f"{scenario.id!r} is also the id of {first_file[scenario.id]}"
            errors.append(ScenarioError([Problem(None, "scenario", message)], source))
            continue
        first_file[scenario.id] = source
        loaded.append((source, scenario))
    if errors:
        raise LibraryError(errors)
    return loaded


# -- words --------------------------------------------------------------------------------


def counted(number: int, word: str, plural: str = "") -> str:
    """'1 day', '2 days', '0 misses' (`plural` when not just word + 's')."""
    return f"{number} {word if number == 1 else plural or word + 's'}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_lead(days: int | None) -> str:
    """'+29d' ahead, '-4d' behind, '+0d' the same day, 'never'."""
    return "never" if days is None else f"{days:+d}d"


def decision_leads(case: CaseScore) -> str:
    """'L3 +29d, L4 +23d': each real decision's level and the engine's lead (- a lag)."""
    return ", ".join(f"L{d.level} {format_lead(d.lead_days)}" for d in case.decisions)


def expectation_leads(case: CaseScore) -> str:
    """'>=3 +5d, >=4 -2d': each at_least item's rank and lead on its `by` day."""
    return ", ".join(f">={s.expectation.rank} {format_lead(s.lead_days)}" for s in case.at_least)


def describe_expectation(expectation: Expectation) -> str:
    """'at least 4 from 2025-11-20 to 2025-12-15'."""
    words = "at least" if expectation.kind == "at_least" else "at most"
    return (
        f"{words} {expectation.rank} from {expectation.first.isoformat()} to "
        f"{expectation.until.isoformat()}"
    )


def _source(expectation: Expectation) -> str:
    """' [line 310: Paris decided the drawdown]': where the grading comes from."""
    where = "" if expectation.line is None else f"line {expectation.line}: "
    return f" [{where}{expectation.why}]"


def shortfalls(case: CaseScore) -> list[str]:
    """Each expectation of the case that the replay did not meet, in words."""
    found = []
    for late in case.at_least:
        if late.days_late:
            lead = "never reached" if late.lead_days is None else format_lead(late.lead_days)
            found.append(
                f"{describe_expectation(late.expectation)}: {counted(late.days_late, 'day')} late, "
                f"{'hit' if late.hit else 'missed'} on the day, lead {lead}"
                + _source(late.expectation)
            )
    for calm in case.at_most:
        if calm.false_alarm_days:
            runs = ", ".join(
                first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
                for first, last in calm.episodes
            )
            found.append(
                f"{describe_expectation(calm.expectation)}: {calm.false_alarm_days} of "
                f"{calm.calm_days} days above {calm.expectation.rank} ({runs})"
                + _source(calm.expectation)
            )
    return found


def case_summary(case: CaseScore) -> str:
    """'kyiv-2022 (escalation, 74 days): 29 days late, 0 false-alarm days of 0 calm days,
    2 hits of 2; decisions L4 -19d, L6 -10d'."""
    m = case.measures
    decisions = decision_leads(case) or "none"
    return (
        f"{case.case} ({case.kind}, {counted(case.days, 'day')}): "
        f"{counted(m.days_late, 'day')} late, "
        f"{counted(m.false_alarm_days, 'false-alarm day')} of "
        f"{counted(m.calm_days, 'calm day')} in {counted(m.false_alarm_episodes, 'episode')}, "
        f"{counted(m.hits, 'hit')} of {m.hits + m.misses}; "
        f"decisions {decisions}"
    )


def totals_line(result: Hindcast) -> str:
    """'Totals, 5 cases: 0 days late; 3 false-alarm days of 240 calm days (1.2%); POD ...'."""
    t = result.totals
    count = len(result.cases)
    return (
        f"Totals, {counted(count, 'case')}: {counted(t.days_late, 'day')} late; "
        f"{counted(t.false_alarm_days, 'false-alarm day')} of "
        f"{counted(t.calm_days, 'calm day')} ({percent(t.false_alarm_share)}), "
        f"in {counted(t.false_alarm_episodes, 'episode')}; "
        f"POD {percent(t.pod)} ({counted(t.hits, 'hit')}, {counted(t.misses, 'miss', 'misses')}); "
        f"FAR {percent(t.far)} ({counted(t.false_alarm_episodes, 'episode')}, "
        f"{counted(t.hits, 'hit')})"
    )


def case_row(case: CaseScore) -> dict[str, str | int]:
    """One case as the CSV writes it."""
    m = case.measures
    return {
        "case": case.case,
        "kind": case.kind,
        "days": case.days,
        "days_late": m.days_late,
        "calm_days": m.calm_days,
        "false_alarm_days": m.false_alarm_days,
        "false_alarm_episodes": m.false_alarm_episodes,
        "hits": m.hits,
        "misses": m.misses,
        "decisions": decision_leads(case),
        "file": _portable(case.source),
    }


def write_csv(result: Hindcast, out: IO[str]) -> None:
    """One row per case, CSV_COLUMNS in that order."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for case in result.cases:
        writer.writerow(case_row(case))


def _portable(source: str) -> str:
    """A file name relative to the working folder when it lies under it (a baseline is
    committed: no one's home folder in it)."""
    if not source:
        return ""
    relative = os.path.relpath(source)
    return Path(source if relative.startswith("..") else relative).as_posix()


# -- gates --------------------------------------------------------------------------------


def gate_failures(
    totals: Measures,
    *,
    max_false_alarm_share: float | None = None,
    max_days_late: int | None = None,
) -> list[str]:
    """The totals' breaches of the limits given (None: not checked)."""
    failures = []
    if max_days_late is not None and totals.days_late > max_days_late:
        failures.append(
            f"days late: {totals.days_late} in total, more than the {max_days_late} allowed"
        )
    share = totals.false_alarm_share
    if max_false_alarm_share is not None and share is not None and share > max_false_alarm_share:
        failures.append(
            f"false-alarm days: {totals.false_alarm_days} of {totals.calm_days} calm days "
            f"({percent(share)}), more than the {percent(max_false_alarm_share)} allowed"
        )
    return failures


# -- baseline -----------------------------------------------------------------------------


class BaselineError(ValueError):
    """A baseline file that is missing or not a hindcast result."""


@dataclass(frozen=True, slots=True)
class Regression:
    """One measure of one case (or of the totals) that got worse than in the baseline."""

    case: str
    measure: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.case}: {self.measure} {self.before} -> {self.after}"


@dataclass(frozen=True, slots=True)
class Comparison:
    regressions: tuple[Regression, ...]
    new_cases: tuple[str, ...]  # run, not in the baseline
    missing_cases: tuple[str, ...]  # in the baseline, not run


def baseline_json(result: Hindcast) -> dict[str, Any]:
    """What --save-baseline writes: the counts per case (the ratios for reading only)."""

    def counts(m: Measures) -> dict[str, Any]:
        return {
            **{f.name: getattr(m, f.name) for f in fields(Measures)},
            "false_alarm_share": m.false_alarm_share,
            "pod": m.pod,
            "far": m.far,
        }

    return {
        "format": BASELINE_FORMAT,
        "cases": {
            case.case: {
                "file": _portable(case.source),
                "kind": case.kind,
                "days": case.days,
                **counts(case.measures),
                "decisions": decision_leads(case),
            }
            for case in result.cases
        },
        "totals": counts(result.totals),
    }


def save_baseline(result: Hindcast, path: str | os.PathLike[str]) -> None:
    text = json.dumps(baseline_json(result), indent=2, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def load_baseline(path: str | os.PathLike[str]) -> dict[str, Measures]:
    """Case id -> its counts, from a file written by `save_baseline`."""
    where = os.fspath(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{where}: no such baseline file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{where}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise BaselineError(f"{where}: not a hindcast baseline (format {BASELINE_FORMAT!r})")
    cases = data.get("cases")
    if not isinstance(cases, dict):
        raise BaselineError(f"{where}: `cases` must be a mapping of case id to counts")
    return {case: _measures(where, case, counts) for case, counts in cases.items()}


def _measures(where: str, case: str, counts: object) -> Measures:
    if not isinstance(counts, dict):
        raise BaselineError(f"{where}: case {case!r} must be a mapping of counts")
    values: list[int] = []
    for name in (f.name for f in fields(Measures)):
        value = counts.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BaselineError(f"{where}: case {case!r}: {name} must be a count, got {value!r}")
        values.append(value)
    return Measures(*values)


def compare(now: Mapping[str, Measures], baseline: Mapping[str, Measures]) -> Comparison:
    """Worse than the baseline: more days late, more false-alarm days, a lower POD, a higher
    FAR, for each case in both (`Hindcast.by_case`) and for the totals over those cases.
    Better is fine."""
    common = [case for case in now if case in baseline]
    regressions = [r for case in common for r in _worse(case, baseline[case], now[case])]
    if len(common) > 1:
        before = sum((baseline[case] for case in common), Measures())
        after = sum((now[case] for case in common), Measures())
        regressions += _worse(TOTALS, before, after)
    return Comparison(
        regressions=tuple(regressions),
        new_cases=tuple(case for case in now if case not in baseline),
        missing_cases=tuple(case for case in baseline if case not in now),
    )


def _worse(case: str, before: Measures, after: Measures) -> list[Regression]:
    found = []
    if after.days_late > before.days_late:
        found.append(Regression(case, "days late", str(before.days_late), str(after.days_late)))
    if after.false_alarm_days > before.false_alarm_days:
        found.append(
            Regression(
                case,
                "false-alarm days",
                str(before.false_alarm_days),
                str(after.false_alarm_days),
            )
        )
    if before.pod is not None and after.pod is not None and after.pod < before.pod:
        found.append(Regression(case, "POD", percent(before.pod), percent(after.pod)))
    # No alarm at all (FAR undefined) counts as no false alarm.
    if (after.far or 0.0) > (before.far or 0.0):
        found.append(Regression(case, "FAR", percent(before.far), percent(after.far)))
    return found
