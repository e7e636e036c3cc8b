"""A small valid scenario to vary in tests, and helpers to find lines and problems."""

from __future__ import annotations

import textwrap

import pytest

from readiness.scenarios.schema import Problem, ScenarioError, parse_scenario

SECTIONS: dict[str, str] = {
    "head": """
        scenario: demo
        title: Demo post
        start: 2025-01-01
        end: 2025-01-31
        """,
    "post": """
        post:
          code: ML-BKO
          name: Bamako
          country: ML
          city: Bamako
          timezone: Africa/Bamako
          level: 0
        """,
    "routes": """
        routes:
          - key: air
            mode: commercial_air
            from: Bamako-Senou airport
            to: Paris
            status: open
            seats_per_day: 80
            lead_time_hours: 0
            closes_at_threat: 85
        """,
    "staff": """
        staff:
          - {count: 10, category: expatriate, essential: true, dependants: 2}
          - {name: A. Officer, role: Security officer, category: expatriate, essential: true}
        """,
    "community": """
        community:
          registered: 100
          dual_nationals: 60
          unregistered_estimate: 5
        """,
    "timeline": """
        timeline:
          - at: 2025-01-05
            indicator:
              key: blockade
              category: supply
              severity: 4
              reliability: B
              credibility: 2
              ongoing: true
              source: Press
              text: Fuel blockade declared.
        """,
}


def scenario_text(**sections: str | None) -> str:
    """The base scenario with some sections replaced (None drops one; new ones are added)."""
    merged = {**SECTIONS, **sections}
    return "".join(textwrap.dedent(body).lstrip("\n") for body in merged.values() if body)


def timeline(*entries: str) -> str:
    """A `timeline:` section from entries written at column 0 (`- at: ...`)."""
    body = "".join(textwrap.indent(textwrap.dedent(entry).lstrip("\n"), "  ") for entry in entries)
    return "timeline:\n" + body


BLOCKADE = """
    - at: 2025-01-05
      indicator:
        key: blockade
        category: supply
        severity: 4
        reliability: B
        credibility: 2
        ongoing: true
        source: Press
        text: Fuel blockade declared.
    """


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s)"
    return hits[occurrence - 1]


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="demo.yaml")
    return caught.value.problems


def the_problem(text: str) -> Problem:
    """The one problem the text has (fails if there are none or several)."""
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(problem.format("demo.yaml") for problem in problems)
    return problems[0]
