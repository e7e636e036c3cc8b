"""The hindcast: scoring against `expect:`, `manage.py hindcast`, baselines, the library.

The scoring tests replay small scenario files written here with the engine's recommended
rank **scripted day by day** (the rest of the engine's answer is real): the numbers are then
worked out by hand below, and do not move when the engine is recalibrated. The last test,
`test_hindcast_library`, runs the real engine over the shipped case library.

These tests have no database marker: the command must not need one (pytest-django refuses
any query without it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from readiness.engine import Assessment, Inputs, assess
from readiness.scenarios import replay as replay_module
from readiness.scenarios.hindcast import (
    CSV_COLUMNS,
    Hindcast,
    LibraryError,
    Measures,
    case_summary,
    compare,
    decision_leads,
    gate_failures,
    hindcast,
    load_baseline,
    load_library,
    shortfalls,
    totals_line,
)
from readiness.scenarios.schema import parse_scenario

from .builders import line_of, scenario_text, timeline

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LIBRARY = SEEDS / "hindcast"
LIBRARY_BASELINE = LIBRARY / "baseline.json"
# The acceptance gates.
# Never raise them. The baseline comparison also fails on any case getting worse.
MAX_DAYS_LATE = 0
MAX_FALSE_ALARM_SHARE = 0.05


def ranks(first: date, written: str) -> dict[date, int]:
    """'0023' -> {first: 0, first + 1: 0, first + 2: 2, first + 3: 3}."""
    return {first + timedelta(days=n): int(rank) for n, rank in enumerate(written)}


# The recommended rank the engine is made to give, one digit a day from the 1st:
#                              1   5   10   15   20
SCRIPT = {
    **ranks(date(2025, 1, 1), "00203332333322333333"),  # escalation-demo
    **ranks(date(2025, 3, 1), "00220200000000100000"),  # quiet-demo
}

ESCALATION_FILE = scenario_text(
    head="""
        scenario: escalation-demo
        title: Escalation, January 2025
        start: 2025-01-01
        end: 2025-01-20
        """,
    timeline=timeline(
        """
        - at: 2025-01-12
          decision: {level: 3, rationale: Citizens advised to leave.}
        """,
        """
        - at: 2025-01-19
          decision: {level: 2, rationale: Back to travel advised against.}
        """,
    ),
    expect="""
        expect:
          - {at_least: 3, by: 2025-01-10, why: A}
          - {at_least: 3, by: 2025-01-08, until: 2025-01-09, why: B}
          - {at_most: 2, until: 2025-01-07, why: C}
          - {at_most: 0, from: 2025-01-01, until: 2025-01-04, why: D}
          - {at_least: 4, by: 2025-01-18, why: E}
        """,
)

QUIET_FILE = scenario_text(
    head="""
        scenario: quiet-demo
        title: Quiet post, March 2025
        start: 2025-03-01
        end: 2025-03-20
        """,
    timeline="timeline: []\n",
    expect="""
        expect:
          - {at_most: 1, why: Nothing happened}
          - {at_most: 0, from: 2025-03-15, until: 2025-03-15, why: Not even that day}
        """,
)


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[date]]:
    """The engine with its recommended rank taken from SCRIPT; yields the days evaluated."""
    calls: list[date] = []

    def scripted(inputs: Inputs) -> Assessment:
        calls.append(inputs.now.date())
        return replace(assess(inputs), recommended_level=SCRIPT[inputs.now.date()])

    monkeypatch.setattr(replay_module, "assess", scripted)
    yield calls


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with the two case files (and something that is not a scenario)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "escalation.yaml").write_text(ESCALATION_FILE, encoding="utf-8")
    (folder / "quiet.yaml").write_text(QUIET_FILE, encoding="utf-8")
    (folder / "README.txt").write_text("not a scenario", encoding="utf-8")
    return folder


@pytest.fixture
def result(engine_calls: list[date]) -> Hindcast:
    return hindcast(
        [
            ("escalation.yaml", parse_scenario(ESCALATION_FILE)),
            ("quiet.yaml", parse_scenario(QUIET_FILE)),
        ]
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("hindcast", *args, stdout=out)
    return out.getvalue()


def failure(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return caught.value


# -- scoring ------------------------------------------------------------------------------


def test_at_least_days_late_hit_and_lead(result: Hindcast) -> None:
    a, b, e = result.cases[0].at_least

    # A: rank >= 3 from the 10th to the 20th; below on the 13th and 14th. The run of >= 3
    # covering the 10th starts on the 9th (the 8th is 2): lead 1 day.
    assert (a.days_late, a.hit, a.lead_days) == (2, True, 1)
    # B: the 8th (2) and 9th (3): late one day, missed on the 8th, reached the next day.
    assert (b.days_late, b.hit, b.lead_days) == (1, False, -1)
    # E: rank 4 never comes: the 18th, 19th and 20th are late, lead none.
    assert (e.days_late, e.hit, e.lead_days) == (3, False, None)


def test_at_most_false_alarm_days_and_episodes(result: Hindcast) -> None:
    c, d = result.cases[0].at_most
    whole, one_day = result.cases[1].at_most

    # C: at most 2 from the 1st to the 7th: the 5th, 6th and 7th are at 3, one episode.
    assert (c.calm_days, c.false_alarm_days, len(c.episodes)) == (7, 3, 1)
    assert c.episodes == ((date(2025, 1, 5), date(2025, 1, 7)),)
    # D: at most 0 from the 1st to the 4th: the 3rd is at 2.
    assert (d.calm_days, d.false_alarm_days, len(d.episodes)) == (4, 1, 1)
    # Quiet: at most 1 over 20 days: the 3rd-4th and the 6th at 2 (the 15th, at 1, is fine).
    assert (whole.calm_days, whole.false_alarm_days) == (20, 3)
    assert whole.episodes == (
        (date(2025, 3, 3), date(2025, 3, 4)),
        (date(2025, 3, 6), date(2025, 3, 6)),
    )
    # At most 0 on the 15th alone: the 15th is at 1.
    assert (one_day.calm_days, one_day.false_alarm_days, len(one_day.episodes)) == (1, 1, 1)


def test_case_measures_and_kind(result: Hindcast) -> None:
    escalation, quiet = result.cases

    assert (escalation.case, escalation.kind, escalation.days) == (
        "escalation-demo",
        "escalation",
        20,
    )
    assert escalation.measures == Measures(
        days_late=6, calm_days=11, false_alarm_days=4, false_alarm_episodes=2, hits=1, misses=2
    )
    assert (quiet.case, quiet.kind, quiet.days) == ("quiet-demo", "false_alarm", 20)
    assert quiet.measures == Measures(calm_days=21, false_alarm_days=4, false_alarm_episodes=3)


def test_totals_pod_far_and_false_alarm_share(result: Hindcast) -> None:
    totals = result.totals

    assert totals == Measures(
        days_late=6, calm_days=32, false_alarm_days=8, false_alarm_episodes=5, hits=1, misses=2
    )
    assert totals.false_alarm_share == pytest.approx(8 / 32)
    assert totals.pod == pytest.approx(1 / 3)  # hits / (hits + misses)
    assert totals.far == pytest.approx(5 / 6)  # episodes / (hits + episodes)


def test_ratios_are_undefined_without_anything_to_count() -> None:
    nothing = Measures()

    assert (nothing.false_alarm_share, nothing.pod, nothing.far) == (None, None, None)


def test_decisions_lead_and_lag_as_the_replay_computes_them(result: Hindcast) -> None:
    escalation, quiet = result.cases

    # To 3 on the 12th: first at 3 on the 5th, lead 7. Down to 2 on the 19th: first at 2 or
    # lower since the 12th on the 13th, lead 6.
    assert [(d.level, d.lead_days) for d in escalation.decisions] == [(3, 7), (2, 6)]
    assert decision_leads(escalation) == "L3 +7d, L2 +6d"
    assert decision_leads(quiet) == ""


def test_each_file_is_replayed_once(files: Path, engine_calls: list[date]) -> None:
    hindcast(load_library([files]))

    assert len(engine_calls) == 40 == len(set(engine_calls))


def test_shortfalls_name_the_expectation_and_its_source(result: Hindcast) -> None:
    text = "\n".join(shortfalls(result.cases[0]))

    assert "at least 3 from 2025-01-10 to 2025-01-20: " in text
    line = f"line {line_of(ESCALATION_FILE, 'why: A}')}"
    assert f"2025-01-20: 2 days late, hit on the day, lead +1d [{line}: A]" in text
    assert "2025-01-20: 3 days late, missed on the day, lead never reached [line " in text
    assert (
        "at most 2 from 2025-01-01 to 2025-01-07: 3 of 7 days above 2 (2025-01-05..2025-01-07) [line"
        in text
    )
    assert shortfalls(replace(result.cases[0], at_least=(), at_most=())) == []


def test_case_summary(result: Hindcast) -> None:
    assert case_summary(result.cases[0]) == (
        "escalation-demo (escalation, 20 days): 6 days late, 4 false-alarm days of 11 calm "
        "days in 2 episodes, 1 hit of 3; decisions L3 +7d, L2 +6d"
    )
    assert case_summary(result.cases[1]).endswith("0 hits of 0; decisions none")


def test_totals_line(result: Hindcast) -> None:
    assert totals_line(result) == (
        "Totals, 2 cases: 6 days late; 8 false-alarm days of 32 calm days (25.0%), "
        "in 5 episodes; POD 33.3% (1 hit, 2 misses); FAR 83.3% (5 episodes, 1 hit)"
    )


# -- gates and baselines --------------------------------------------------------------------


def test_gates_are_checked_only_when_given() -> None:
    totals = Measures(days_late=2, calm_days=100, false_alarm_days=6)

    assert gate_failures(totals) == []
    assert gate_failures(totals, max_days_late=2, max_false_alarm_share=0.06) == []
    assert gate_failures(totals, max_days_late=1, max_false_alarm_share=0.05) == [
        "days late: 2 in total, more than the 1 allowed",
        "false-alarm days: 6 of 100 calm days (6.0%), more than the 5.0% allowed",
    ]


def test_compare_names_each_case_and_measure_that_got_worse() -> None:
    before = {
        "a": Measures(
            days_late=1, calm_days=10, false_alarm_days=2, false_alarm_episodes=1, hits=2
        ),
        "b": Measures(calm_days=10, false_alarm_days=0, hits=1),
        "gone": Measures(),
    }
    comparison = compare({}, before)
    assert comparison.missing_cases == ("a", "b", "gone") and comparison.regressions == ()

    worse = {
        "a": Measures(days_late=2, calm_days=10, false_alarm_days=1, hits=1, misses=1),
        "b": Measures(calm_days=10, false_alarm_days=3, false_alarm_episodes=1, hits=1),
        "new": Measures(days_late=9),
    }
    comparison = compare(worse, before)

    assert [str(r) for r in comparison.regressions] == [
        "a: days late 1 -> 2",
        "a: POD 100.0% -> 50.0%",
        "b: false-alarm days 0 -> 3",
        "b: FAR 0.0% -> 50.0%",
        "totals: days late 1 -> 2",
        "totals: false-alarm days 2 -> 4",
        "totals: POD 100.0% -> 66.7%",
        "totals: FAR 25.0% -> 33.3%",
    ]
    assert comparison.new_cases == ("new",)
    assert comparison.missing_cases == ("gone",)


def test_better_than_the_baseline_is_fine() -> None:
    before = {"a": Measures(days_late=3, calm_days=10, false_alarm_days=4, misses=1)}
    after = {"a": Measures(days_late=0, calm_days=10, false_alarm_days=0, hits=1)}

    assert compare(after, before).regressions == ()


# -- the command ------------------------------------------------------------------------------


def test_the_command_prints_the_skill_table_and_the_totals(
    files: Path, engine_calls: list[date]
) -> None:
    output = run(str(files))

    lines = output.splitlines()
    assert lines[0].split() == [
        "case",
        "kind",
        "days",
        "late",
        "calm",
        "f.alarm",
        "episodes",
        "hits",
        "expected",
        "decisions",
    ]
    assert lines[1].split() == [
        "escalation-demo",
        "escalation",
        "20",
        "6",
        "11",
        "4",
        "2",
        "1/3",
        ">=3",
        "+1d,",
        ">=3",
        "-1d,",
        ">=4",
        "never",
        "L3",
        "+7d,",
        "L2",
        "+6d",
    ]
    assert lines[2].split() == ["quiet-demo", "false_alarm", "20", "0", "21", "4", "3"]
    assert "Totals, 2 cases: 6 days late; 8 false-alarm days of 32 calm days (25.0%)" in output
    assert "Expectations not met:" in output
    assert "  quiet-demo: at most 1 from 2025-03-01 to 2025-03-20" in output


def test_the_command_takes_files_and_folders(files: Path, engine_calls: list[date]) -> None:
    output = run(str(files / "quiet.yaml"), str(files), str(files / "quiet.yaml"))

    rows = [line.split()[0] for line in output.splitlines()[1:3]]
    assert rows == ["quiet-demo", "escalation-demo"]  # each file once, in the order given
    assert len(engine_calls) == 40


def test_the_csv_has_one_row_per_case(
    files: Path, tmp_path: Path, engine_calls: list[date]
) -> None:
    path = tmp_path / "skill.csv"

    run(str(files), "--csv", str(path))

    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0] | {"file": ""} == {
        "case": "escalation-demo",
        "kind": "escalation",
        "days": "20",
        "days_late": "6",
        "calm_days": "11",
        "false_alarm_days": "4",
        "false_alarm_episodes": "2",
        "hits": "1",
        "misses": "2",
        "decisions": "L3 +7d, L2 +6d",
        "file": "",
    }
    assert rows[0]["file"].endswith("cases/escalation.yaml")
    assert rows[1]["case"] == "quiet-demo"


def test_the_gates_exit_1_naming_what_broke(files: Path, engine_calls: list[date]) -> None:
    error = failure(str(files), "--max-days-late", "0", "--max-false-alarm-share", "0.05")

    assert error.returncode == 1
    assert "days late: 6 in total, more than the 0 allowed" in str(error)
    assert "false-alarm days: 8 of 32 calm days (25.0%), more than the 5.0% allowed" in str(error)
    run(str(files), "--max-days-late", "6", "--max-false-alarm-share", "0.25")  # within


def test_the_gates_refuse_nonsense_limits(files: Path) -> None:
    with pytest.raises(CommandError, match="must be a share from 0 to 1"):
        run(str(files), "--max-false-alarm-share", "5")
    with pytest.raises(CommandError, match="must be a whole number of days"):
        run(str(files), "--max-days-late", "-1")


def test_save_baseline_then_compare_with_it(
    files: Path, tmp_path: Path, engine_calls: list[date]
) -> None:
    path = tmp_path / "baseline.json"

    output = run(str(files), "--save-baseline", str(path))

    assert f"Baseline saved to {path}" in output
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["cases"]["escalation-demo"]["days_late"] == 6
    assert saved["cases"]["quiet-demo"]["false_alarm_days"] == 4
    assert saved["totals"]["pod"] == pytest.approx(1 / 3)
    assert load_baseline(path) == {
        "escalation-demo": Measures(6, 11, 4, 2, 1, 2),
        "quiet-demo": Measures(0, 21, 4, 3, 0, 0),
    }
    assert f"No case got worse than in {path}." in run(str(files), "--baseline", str(path))


def test_a_worse_result_than_the_baseline_exits_1_naming_the_case(
    files: Path, tmp_path: Path, engine_calls: list[date]
) -> None:
    path = tmp_path / "baseline.json"
    run(str(files), "--save-baseline", str(path))
    saved = json.loads(path.read_text(encoding="utf-8"))
    # As if the engine had once done better on the escalation: 4 days late, 2 hits.
    saved["cases"]["escalation-demo"].update(days_late=4, hits=2, misses=1)
    path.write_text(json.dumps(saved), encoding="utf-8")

    error = failure(str(files), "--baseline", str(path))

    assert error.returncode == 1
    message = str(error)
    assert f"worse than {path}: escalation-demo: days late 4 -> 6" in message
    assert f"worse than {path}: escalation-demo: POD 66.7% -> 33.3%" in message
    assert "quiet-demo" not in message


def test_a_missing_or_broken_baseline_exits_2(files: Path, tmp_path: Path) -> None:
    error = failure(str(files), "--baseline", str(tmp_path / "none.json"))
    assert error.returncode == 2 and "no such baseline file" in str(error)

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "readiness-hindcast/1", "cases": {"a": {"days_late": -1}}}')
    error = failure(str(files), "--baseline", str(broken))
    assert error.returncode == 2
    assert "case 'a': days_late must be a count, got -1" in str(error)


def test_a_file_that_does_not_parse_exits_2_with_the_parser_s_message(files: Path) -> None:
    (files / "broken.yaml").write_text(
        QUIET_FILE.replace("at_most: 1,", "at_most: 9,"), encoding="utf-8"
    )

    error = failure(str(files))

    assert error.returncode == 2
    assert "broken.yaml:" in str(error)
    assert "expect[0].at_most: no level of rank 9 in the ladder (ranks 0 to 6)" in str(error)


def test_two_files_with_the_same_scenario_id_are_refused(files: Path) -> None:
    (files / "again.yaml").write_text(QUIET_FILE, encoding="utf-8")

    with pytest.raises(
        LibraryError, match=r"quiet\.yaml: scenario: 'quiet-demo' is also the id of .*again\.yaml"
    ):
        load_library([files])


def test_an_empty_folder_exits_2(tmp_path: Path) -> None:
    error = failure(str(tmp_path))

    assert error.returncode == 2 and "no scenario file" in str(error)


@pytest.mark.django_db
def test_the_database_is_not_touched(files: Path, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        run(str(files))


# -- the library ------------------------------------------------------------------------------


def test_hindcast_library_without_event_keys(tmp_path: Path) -> None:
    """Files from other hands may name no event: the same library with every `event` key
    removed still passes the gates (obvious duplicates are grouped without them)."""
    paths = []
    for source in [*sorted(LIBRARY.glob("*.yaml")), SEEDS / "bamako-2025.yaml"]:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        named = 0
        for entry in data["timeline"]:
            named += entry.get("indicator", {}).pop("event", None) is not None
        assert named or source.stem == "bamako-2025", f"{source.name} names no event"
        path = tmp_path / source.name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        paths.append(path)

    result = hindcast(load_library(paths))

    assert (
        gate_failures(
            result.totals, max_days_late=MAX_DAYS_LATE, max_false_alarm_share=MAX_FALSE_ALARM_SHARE
        )
        == []
    ), totals_line(result)


def test_hindcast_library() -> None:
    """The case library against its baseline and the acceptance gates: days late at most
    MAX_DAYS_LATE in total, false-alarm days at most 5 % of the calm days."""
    result = hindcast(load_library([*sorted(LIBRARY.glob("*.yaml")), SEEDS / "bamako-2025.yaml"]))

    problems = []
    if not LIBRARY_BASELINE.exists():
        problems.append(
            f"{LIBRARY_BASELINE.relative_to(SEEDS.parent)} is missing. Once the engine is "
            "calibrated, save it with:\n    .venv/bin/python manage.py hindcast seeds/hindcast "
            "seeds/bamako-2025.yaml --save-baseline seeds/hindcast/baseline.json"
        )
    else:
        comparison = compare(result.by_case, load_baseline(LIBRARY_BASELINE))
        problems += [f"worse than the baseline: {r}" for r in comparison.regressions]
    problems += gate_failures(
        result.totals, max_days_late=MAX_DAYS_LATE, max_false_alarm_share=MAX_FALSE_ALARM_SHARE
    )
    if problems:
        cases = [
            line
            for case in result.cases
            for line in (f"  {case_summary(case)}", *(f"    {t}" for t in shortfalls(case)))
        ]
        pytest.fail(
            "\n".join(
                [
                    "The hindcast library does not pass:",
                    *(f"- {problem}" for problem in problems),
                    totals_line(result),
                    "Cases:",
                    *cases,
                ]
            ),
            pytrace=False,
        )
