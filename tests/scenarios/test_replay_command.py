"""`manage.py replay`: the daily table, the CSV of SCENARIO.md, the plot, lead and lag.

These tests have no database marker: the command must not need one (pytest-django refuses
any query without it), and one test counts the queries to be explicit about it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from readiness.engine import VERDICTS
from readiness.scenarios.replay import CSV_COLUMNS, Replay, replay
from readiness.scenarios.schema import load_scenario_file

BAMAKO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
PUBLIC_HEADER = (
    "date,threat_index,trend_per_day,current_level,recommended_level,verdict,next_level_margin_days"
)
ROW = re.compile(r"^\d{4}-\d{2}-\d{2}\s")


@pytest.fixture(scope="module")
def bamako() -> Replay:
    return replay(load_scenario_file(BAMAKO))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("replay", *args, stdout=out)
    return out.getvalue()


def test_prints_one_row_per_day_start_and_end_included(bamako: Replay) -> None:
    output = run(str(BAMAKO))

    rows = [line for line in output.splitlines() if ROW.match(line)]
    scenario = bamako.scenario
    zone = scenario.post.zone
    span = scenario.end.astimezone(zone).date() - scenario.start.astimezone(zone).date()
    assert len(rows) == span.days + 1 == len(bamako.days)
    assert rows[0].startswith(bamako.days[0].date.isoformat())
    assert rows[-1].startswith(bamako.days[-1].date.isoformat())


def test_the_table_shows_each_day_figures(bamako: Replay) -> None:
    output = run(str(BAMAKO))
    row = next(line for line in output.splitlines() if line.startswith("2025-11-20"))
    day = next(d for d in bamako.days if d.date.isoformat() == "2025-11-20")

    fields = row.split()
    assert float(fields[1]) == pytest.approx(day.threat_index, abs=0.01)
    assert (int(fields[3]), int(fields[4]), fields[5]) == (
        day.current_level,
        day.recommended_level,
        day.verdict,
    )


def test_the_csv_has_the_public_columns_first_and_integer_ranks(
    tmp_path: Path, bamako: Replay
) -> None:
    path = tmp_path / "bamako.csv"

    run(str(BAMAKO), "--csv", str(path))

    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(PUBLIC_HEADER + ",")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert [row["date"] for row in rows] == [d.date.isoformat() for d in bamako.days]
    for row, day in zip(rows, bamako.days, strict=True):
        assert row["current_level"] == str(day.current_level)  # "3", never "3.0"
        assert row["recommended_level"] == str(day.recommended_level)
        assert row["verdict"] in VERDICTS
        assert 0 <= float(row["threat_index"]) <= 100
        float(row["trend_per_day"])
        margin = row["next_level_margin_days"]
        if day.next_level_margin_days is None:
            assert margin == ""
        else:
            assert float(margin) == pytest.approx(day.next_level_margin_days, abs=0.01) or (
                math.isinf(float(margin)) and math.isinf(day.next_level_margin_days)
            )


def test_prints_the_lead_or_lag_of_each_decision(bamako: Replay) -> None:
    output = run(str(BAMAKO))
    summary = output.split("Decisions (", 1)[1].splitlines()

    for outcome in bamako.decisions:
        line = next(line for line in summary if line.strip().startswith(str(outcome.date)))
        assert outcome.lead_days is not None
        words = f"lead {outcome.lead_days} days" if outcome.lead_days > 0 else "lag"
        assert words in line
        assert f"-> {outcome.level}" in line


def test_plot_writes_a_readable_svg(tmp_path: Path, bamako: Replay) -> None:
    path = tmp_path / "bamako.svg"

    run(str(BAMAKO), "--plot", str(path))

    root = ET.fromstring(path.read_text(encoding="utf-8"))
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sum(text.startswith("decision: level") for text in texts) == len(bamako.decisions)


def test_plot_must_be_svg(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="SVG"):
        run(str(BAMAKO), "--plot", str(tmp_path / "bamako.pdf"))


def test_a_broken_file_is_refused_with_its_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        BAMAKO.read_text(encoding="utf-8").replace("timezone: Africa/Bamako", "timezone: Mars"),
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match=r"post\.timezone"):
        run(str(broken))


@pytest.mark.django_db
def test_the_database_is_not_touched(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        run(str(BAMAKO))


def test_explain_says_a_day_through_the_dashboards_renderer(bamako: Replay) -> None:
    from django.utils import translation

    from readiness.wording.details import detail
    from readiness.wording.verdict import verdict

    output = run(str(BAMAKO), "--explain", "2025-11-19")
    day = next(d for d in bamako.days if d.date.isoformat() == "2025-11-19")
    exp = day.assessment.to_dict()
    with translation.override("en"):
        assert f"2025-11-19: {verdict(exp)}" in output
        for reason in exp["reasons"]:
            assert detail(reason) in output
    assert exp["reasons"], "the day has reasons to say"


def test_explain_refuses_a_day_outside_the_replay() -> None:
    with pytest.raises(CommandError, match="not a day of this replay"):
        run(str(BAMAKO), "--explain", "2020-01-01")
