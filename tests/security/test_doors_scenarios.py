"""Scenario files that would break the system are refused by every command that reads them,
with the file, the line and what is wrong, and a non-zero exit; never a traceback (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenarios.builders import scenario_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "bamako-2025.yaml"


def _bomb() -> str:
    lines = ["b0: &b0 {k: v}"]
    for level in range(1, 8):
        lines.append(f"b{level}: &b{level} {{<<: [{', '.join([f'*b{level - 1}'] * 10)}], x: 1}}")
    return "\n".join(lines) + "\n"


FILES = {
    "merge-key bomb": (scenario_text(notes=_bomb()), "expands to more than"),
    "nested 5,000 deep": (
        scenario_text(notes="notes:\n  - " + "[" * 5000 + "]" * 5000 + "\n"),
        "nested more than",
    ),
    "huge integer": (
        scenario_text(
            community="community:\n  registered: " + "9" * 5000 + "\n  dual_nationals: 1\n"
            "  unregistered_estimate: 5\n"
        ),
        "out of range",
    ),
    "year 1": (
        scenario_text(head="scenario: demo\ntitle: Demo\nstart: 0001-01-01\nend: 2025-01-31\n"),
        "before the year 1900",
    ),
    "year 9999": (
        scenario_text(head="scenario: demo\ntitle: Demo\nstart: 2025-01-01\nend: 9999-12-31\n"),
        "after the year 2100",
    ),
}


@pytest.mark.parametrize("command", ["load_scenario", "replay", "hindcast"])
@pytest.mark.parametrize("case", FILES, ids=list(FILES))
def test_each_command_refuses_a_breaking_file_in_one_line(
    tmp_path: Path, command: str, case: str
) -> None:
    text, words = FILES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), command, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        # A database of its own: a file that were read by mistake must not reach the real one.
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    problem_lines = [line for line in done.stderr.splitlines() if words in line]
    assert len(problem_lines) == 1, done.stderr[-2000:]
    assert f"{path}:" in problem_lines[0]  # the file and the line


@pytest.mark.parametrize(
    "args", [["--as-of", "9999-12-31"], ["--as-if-today", "0001-01-01"], ["--as-of", "2025-02-30"]]
)
def test_load_scenario_refuses_a_day_out_of_range_in_one_line(
    tmp_path: Path, args: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "load_scenario", str(SEED), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"argument {args[0]}: '{args[1]}'" in done.stderr
