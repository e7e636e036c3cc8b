"""The replay on plain data: one evaluation per local day, on what the timeline said by then.

Pure and fast: scenarios are parsed from text, nothing touches the database.
"""

from __future__ import annotations

import ast
import io
import itertools
import math
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from readiness.engine import DEFAULT_PARAMS
from readiness.engine.vocabulary import Group, RouteStatus
from readiness.scenarios import replay as replay_module
from readiness.scenarios.plot import replay_svg
from readiness.scenarios.replay import (
    CSV_COLUMNS,
    NO_MEANS_TEXT,
    Replay,
    ReplayDay,
    decision_outcome,
    format_margin,
    population_from,
    replay,
    write_csv,
)
from readiness.scenarios.schema import parse_scenario
from readiness.scenarios.specs import DecisionEvent, Scenario

from .builders import scenario_text, timeline

BAMAKO = ZoneInfo("Africa/Bamako")
DAY = timedelta(days=1)


def parse(text: str) -> Scenario:
    return parse_scenario(text, source="demo.yaml")


def run(text: str, **kwargs: bool) -> Replay:
    return replay(parse(text), **kwargs)


def on(result: Replay, when: str) -> ReplayDay:
    return result.day(date.fromisoformat(when))


# A level-3 tripwire on one serious incident in the last day, and no route that can close:
# the only thing that moves the recommendation is that trigger and its hold.
INCIDENT_TRIGGER = """
    triggers:
      - {level: 3, kind: indicator_count, name: Serious incident, category: incident,
         count: 1, min_severity: 3, within_days: 1}
    """
NO_DEADLINE_ROUTES = """
    routes:
      - {key: air, mode: commercial_air, from: Airport, to: Paris, status: open,
         seats_per_day: 80, lead_time_hours: 0}
    """
INCIDENT = """
    - at: 2025-01-05
      indicator: {category: incident, severity: 3, reliability: B, credibility: 2,
                  source: Press, text: Shots fired near the market.}
    """


class TestDays:
    def test_one_row_per_day_from_start_to_end_included(self) -> None:
        result = run(scenario_text())

        dates = [day.date for day in result.days]
        assert dates[0] == date(2025, 1, 1) and dates[-1] == date(2025, 1, 31)
        assert all(b - a == DAY for a, b in itertools.pairwise(dates))

    def test_each_day_is_evaluated_at_the_end_of_the_local_day(self) -> None:
        result = run(scenario_text())

        for day in result.days:
            assert day.at == datetime.combine(day.date, datetime.max.time(), BAMAKO).replace(
                microsecond=0
            )
            assert day.assessment.at == day.at

    def test_days_are_the_post_calendar_days_across_a_clock_change(self) -> None:
        # New Zealand leaves daylight-saving time at 03:00 on Sunday 5 April 2026.
        text = scenario_text(
            head="""
                scenario: demo
                title: Demo post
                start: 2026-04-03
                end: 2026-04-07
                """,
            post="""
                post:
                  code: NZ-WLG
                  name: Wellington
                  country: NZ
                  city: Wellington
                  timezone: Pacific/Auckland
                  level: 0
                """,
            timeline="timeline: []\n",
        )
        result = run(text)

        assert [day.date.day for day in result.days] == [3, 4, 5, 6, 7]
        assert {(day.at.hour, day.at.minute, day.at.second) for day in result.days} == {
            (23, 59, 59)
        }
        offsets = [day.at.utcoffset() for day in result.days]
        assert offsets[0] != offsets[-1]  # the same wall-clock time, another UTC offset


class TestWhatWasKnown:
    def test_an_entry_counts_from_its_own_day(self) -> None:
        result = run(scenario_text())  # the blockade is dated 5 January

        assert on(result, "2025-01-04").threat_index == 0
        assert on(result, "2025-01-05").threat_index > 0

    def test_an_entry_with_a_time_counts_that_evening(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-10T18:30
                      indicator: {category: incident, severity: 3, reliability: B,
                                  credibility: 2, source: Press, text: Evening clashes.}
                    """
                )
            )
        )

        assert on(result, "2025-01-09").threat_index == 0
        assert on(result, "2025-01-10").threat_index > 0

    def test_an_end_entry_ends_the_ongoing_condition(self) -> None:
        ended = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-05
                      indicator: {key: blockade, category: supply, severity: 4,
                                  reliability: B, credibility: 2, ongoing: true,
                                  source: Press, text: Fuel blockade declared.}
                    - at: 2025-01-20
                      end: {indicator: blockade}
                    """
                )
            )
        )
        going_on = run(scenario_text())

        def status(result: Replay, when: str) -> str:
            return on(result, when).assessment.indicators[0].status

        assert status(ended, "2025-01-19") == "ongoing"
        assert status(ended, "2025-01-20") == "ended"
        assert on(ended, "2025-01-31").threat_index < on(going_on, "2025-01-31").threat_index

    def test_route_changes_apply_in_file_order(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-10
                      route: {key: air, seats_per_day: 40}
                    - at: 2025-01-10
                      route: {key: air, status: closed}
                    - at: 2025-01-15
                      route: {key: air, status: open}
                    """
                )
            )
        )

        def air(when: str) -> tuple[RouteStatus, int]:
            route = on(result, when).assessment.routes[0]
            return route.status, route.seats_per_day

        assert air("2025-01-09") == (RouteStatus.OPEN, 80)
        assert air("2025-01-10") == (RouteStatus.CLOSED, 40)
        assert air("2025-01-15") == (RouteStatus.OPEN, 40)

    def test_community_changes_follow_the_timeline(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-12
                      community: {registered: 50, dual_nationals: 40}
                    """
                )
            )
        )

        def citizens(when: str) -> float:
            return on(result, when).assessment.levels[3].load_by_group[Group.CITIZENS]

        assert citizens("2025-01-12") < citizens("2025-01-11")
        assert citizens("2025-01-11") == citizens("2025-01-01")

    def test_the_current_level_follows_the_decisions(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-10T16:00
                      decision: {level: 3, rationale: Citizens advised to leave.}
                    - at: 2025-01-20
                      decision: {level: 1, rationale: Back to vigilance.}
                    """
                )
            )
        )

        assert [on(result, d).current_level for d in ("2025-01-09", "2025-01-10")] == [0, 3]
        assert [on(result, d).current_level for d in ("2025-01-19", "2025-01-20")] == [3, 1]
        assert [d.level for d in on(result, "2025-01-10").decisions] == [3]
        assert not on(result, "2025-01-11").decisions


class TestPopulation:
    def test_expatriates_their_dependants_and_the_staff_of_open_schools(self) -> None:
        scenario = parse(
            scenario_text(
                staff="""
                    staff:
                      - {count: 10, category: expatriate, essential: true, dependants: 2}
                      - {count: 3, category: expatriate, essential: false, dependants: 4}
                      - {count: 20, category: local, essential: false, dependants: 5}
                    """,
                schools="""
                    schools:
                      - {name: Open school, pupils: 100, expatriate_staff: 7}
                      - {name: Closed school, pupils: 50, expatriate_staff: 5, open: false}
                    """,
            )
        )
        community = {"registered": 100, "dual_nationals": 60, "unregistered_estimate": 5}

        population = population_from(scenario, community)

        assert (population.essential_staff, population.non_essential_staff) == (10, 3)
        assert population.dependants == 6  # local employees' families are not the post's
        assert population.school_staff == 7
        assert (population.citizens_registered, population.dual_nationals) == (100, 60)
        assert population.unregistered_estimate == 5


class TestHold:
    def test_last_indicated_is_carried_from_one_day_to_the_next(self) -> None:
        result = run(
            scenario_text(
                routes=NO_DEADLINE_ROUTES, triggers=INCIDENT_TRIGGER, timeline=timeline(INCIDENT)
            )
        )
        held = [day for day in result.days if day.recommended_level == 3]

        # Met on the 5th only (one day's window): held, as the evidence fits, for the
        # shortest hold (a one-day shock is not held for two weeks).
        assert held[0].date == date(2025, 1, 5)
        assert len(held) == DEFAULT_PARAMS.hold_min_days  # the day and the next evening
        assert all(b.date - a.date == DAY for a, b in itertools.pairwise(held))
        assert [r.kind for r in held[1].assessment.reasons if r.level == 3] == ["hold"]


class TestStandingLevel:
    TEXT = scenario_text(
        head="""
            scenario: demo
            title: Demo post
            start: 2025-01-01
            end: 2025-02-28
            """,
        post="""
            post:
              code: ML-BKO
              name: Bamako
              country: ML
              city: Bamako
              timezone: Africa/Bamako
              level: 2
            """,
        routes=NO_DEADLINE_ROUTES,
        triggers="triggers: []\n",
        timeline=timeline(
            """
            - at: 2025-01-20
              decision: {level: 1, rationale: Travel advice eased.}
            """
        ),
    )

    def test_the_starting_level_stands_until_the_first_decision(self) -> None:
        result = run(self.TEXT)

        before = [day for day in result.days if day.date < date(2025, 1, 20)]
        assert {(day.recommended_level, day.verdict) for day in before} == {(2, "on_time")}
        # The file has decided: the standing level is only held, then released (no trigger
        # is left at all, so the engine says Normal).
        after = on(result, "2025-01-20")
        assert [r.kind for r in after.assessment.reasons if r.level == 2] == ["hold"]
        released = date(2025, 1, 19) + timedelta(days=DEFAULT_PARAMS.hold_days)
        assert on(result, released.isoformat()).recommended_level == 0

    def test_without_it_the_starting_level_reads_too_early(self) -> None:
        result = run(self.TEXT, standing=False)

        assert (result.days[0].recommended_level, result.days[0].verdict) == (0, "too_early")


def _days(recommended: list[int], first: date = date(2025, 1, 1)) -> list[ReplayDay]:
    """Stand-in days carrying only what the lead/lag arithmetic reads."""
    return [
        ReplayDay(
            date=first + n * DAY,
            at=datetime.combine(first + n * DAY, datetime.min.time(), BAMAKO),
            assessment=SimpleNamespace(  # type: ignore[arg-type]
                recommended_level=level, current_level=0, verdict="on_time"
            ),
            decisions=(),
        )
        for n, level in enumerate(recommended)
    ]


def _decision(level: int) -> DecisionEvent:
    return DecisionEvent(level=level, rationale="test")


class TestLeadAndLag:
    def test_lead_counts_from_the_first_day_at_or_above_the_level(self) -> None:
        days = _days([0, 0, 3, 4, 4, 4, 4])
        outcome = decision_outcome(days, date(2025, 1, 6), _decision(3), previous_level=0)

        assert (outcome.first_day, outcome.lead_days) == (date(2025, 1, 3), 3)
        assert outcome.escalation

    def test_a_lag_is_negative(self) -> None:
        days = _days([0, 0, 0, 0, 3, 3])
        outcome = decision_outcome(days, date(2025, 1, 2), _decision(3), previous_level=0)

        assert outcome.lead_days == -3

    def test_never_recommended_has_no_lead(self) -> None:
        outcome = decision_outcome(_days([0, 1, 2]), date(2025, 1, 2), _decision(3), 0)

        assert (outcome.first_day, outcome.lead_days, outcome.sustained_from) == (
            None,
            None,
            None,
        )

    def test_an_early_blip_is_told_apart_from_the_unbroken_run(self) -> None:
        days = _days([3, 0, 0, 0, 3, 3, 3, 3])
        outcome = decision_outcome(days, date(2025, 1, 8), _decision(3), previous_level=0)

        assert outcome.lead_days == 7  # the literal first day
        assert (outcome.sustained_from, outcome.sustained_lead_days) == (date(2025, 1, 5), 3)

    def test_a_step_down_is_matched_with_advice_at_or_below_it(self) -> None:
        # Up to 6 on the 2nd; the engine eases to 4 on the 7th; the post steps down on the 9th.
        days = _days([3, 6, 6, 6, 6, 5, 4, 4, 4])
        outcome = decision_outcome(
            days, date(2025, 1, 9), _decision(4), previous_level=6, since=date(2025, 1, 2)
        )

        assert not outcome.escalation
        assert (outcome.first_day, outcome.lead_days) == (date(2025, 1, 7), 2)


class TestOutput:
    def test_the_csv_starts_with_the_public_columns_and_has_a_row_per_day(self) -> None:
        result = run(scenario_text())
        out = io.StringIO()

        write_csv(result, out)

        lines = out.getvalue().splitlines()
        assert lines[0].startswith(",".join(CSV_COLUMNS))
        assert len(lines) == 1 + len(result.days)
        first = dict(zip(lines[0].split(","), lines[1].split(","), strict=False))
        assert (first["date"], first["current_level"], first["recommended_level"]) == (
            "2025-01-01",
            "0",
            "0",
        )

    def test_margins_print_empty_without_deadline_and_minus_inf_without_means(self) -> None:
        assert format_margin(None) == ""
        assert format_margin(2.5) == "2.50"
        assert format_margin(-math.inf) == NO_MEANS_TEXT
        assert float(NO_MEANS_TEXT) == -math.inf  # what a CSV reader gets back

    def test_no_means_left_reaches_the_csv_as_minus_inf(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-10
                      route: {key: air, status: closed}
                    """
                )
            )
        )
        out = io.StringIO()
        write_csv(result, out)
        rows = [line.split(",") for line in out.getvalue().splitlines()[1:]]
        margin = {row[0]: row[CSV_COLUMNS.index("next_level_margin_days")] for row in rows}

        assert margin["2025-01-10"] == NO_MEANS_TEXT
        assert on(result, "2025-01-10").verdict == "late"


class TestPurity:
    @pytest.mark.parametrize("module", ["replay.py", "plot.py"])
    def test_imports_nothing_from_django(self, module: str) -> None:
        source = Path(replay_module.__file__).with_name(module).read_text(encoding="utf-8")
        imported = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        assert not {name for name in imported if name.split(".")[0] == "django"}


class TestPlot:
    def test_the_svg_is_well_formed_with_labelled_axes_and_decision_markers(self) -> None:
        result = run(
            scenario_text(
                timeline=timeline(
                    """
                    - at: 2025-01-10
                      decision: {level: 3, rationale: Citizens advised to leave.}
                    """
                )
            )
        )

        svg = replay_svg(result)

        root = ET.fromstring(svg)
        texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
        for label in ("Threat index (0-100)", "Margin (days)", "Date", "6 Evacuation"):
            assert label in texts
        assert sum(text.startswith("decision: level 3") for text in texts) == 1
