"""What a valid scenario file becomes: defaults, dates, order, optional keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from readiness.engine.defaults import DEFAULT_LADDER
from readiness.engine.vocabulary import (
    Category,
    Group,
    Reliability,
    RouteMode,
    RouteStatus,
    TriggerKind,
)
from readiness.scenarios.schema import (
    CommunitySpec,
    ScenarioError,
    StaffSpec,
    load_scenario_file,
    parse_scenario,
)

from .builders import BLOCKADE, scenario_text, timeline

BAMAKO = ZoneInfo("Africa/Bamako")
PARIS = ZoneInfo("Europe/Paris")


def test_minimal_file_gets_the_default_ladder_and_triggers() -> None:
    scenario = parse_scenario(scenario_text())

    assert scenario.ladder == DEFAULT_LADDER
    assert scenario.ladder_is_default and scenario.triggers_are_default
    assert scenario.id == "demo"
    assert scenario.post.level == 0
    assert scenario.schools == () and scenario.wardens == () and scenario.notes == ()


def test_the_word_default_means_the_same_as_leaving_the_keys_out() -> None:
    scenario = parse_scenario(scenario_text(extra="ladder: default\ntriggers: default\n"))

    assert scenario.ladder == DEFAULT_LADDER
    assert scenario.ladder_is_default and scenario.triggers_are_default


def test_a_triggers_list_replaces_every_default_trigger() -> None:
    text = scenario_text(
        extra="""
        triggers:
          - {level: 3, kind: threat_index, name: Threat high, threshold: 60}
          - {level: 4, kind: route, name: Few seats, route: air, below_seats: 40}
          - {level: 4, kind: manual, name: Ambassador's call, active: false}
        """
    )

    scenario = parse_scenario(text)

    assert scenario.ladder_is_default and not scenario.triggers_are_default
    by_rank = {level.rank: level.triggers for level in scenario.ladder}
    assert [t.name for t in by_rank[3]] == ["Threat high"]
    assert [t.kind for t in by_rank[4]] == [TriggerKind.ROUTE, TriggerKind.MANUAL]
    assert by_rank[4][0].route == "air" and by_rank[4][0].below_seats == 40
    assert all(by_rank[rank] == () for rank in (0, 1, 2, 5, 6))
    assert [level.name for level in scenario.ladder] == [level.name for level in DEFAULT_LADDER]


def test_a_count_trigger_with_a_second_category() -> None:
    text = scenario_text(
        extra="""
        triggers:
          - {level: 5, kind: indicator_count, name: Grave incident as governments leave,
             category: incident, count: 1, min_severity: 5, within_days: 3,
             with_category: peer_action, with_min_severity: 4}
        """
    )

    [trigger] = {level.rank: level.triggers for level in parse_scenario(text).ladder}[5]

    assert (trigger.with_category, trigger.with_min_severity) == (Category.PEER_ACTION, 4)


def test_an_empty_triggers_list_leaves_no_trigger() -> None:
    scenario = parse_scenario(scenario_text(extra="triggers: []\n"))

    assert all(level.triggers == () for level in scenario.ladder)
    assert not scenario.triggers_are_default


def test_a_custom_ladder_with_triggers() -> None:
    text = scenario_text(
        extra="""
        ladder:
          - {rank: 1, name: Leave, leaves: [citizens, dependants], quorum: 2,
             actions: [Tell citizens]}
          - {rank: 0, name: Calm}
        triggers:
          - {level: 1, kind: threat_index, name: High, threshold: 50}
          - {level: 1, kind: category_index, name: Supply, category: supply, threshold: 40}
        """
    )

    scenario = parse_scenario(text)

    calm, leave = scenario.ladder
    assert (calm.rank, calm.name, calm.leaves, calm.quorum) == (0, "Calm", frozenset(), 1)
    assert leave.leaves == {Group.CITIZENS, Group.DEPENDANTS}
    assert leave.quorum == 2 and leave.actions == ("Tell citizens",)
    assert [trigger.name for trigger in leave.triggers] == ["High", "Supply"]
    assert not scenario.ladder_is_default and not scenario.triggers_are_default


def test_a_custom_ladder_without_triggers_has_none_of_its_own() -> None:
    text = scenario_text(extra="ladder:\n  - {rank: 0, name: Calm}\n  - {rank: 1, name: Go}\n")

    scenario = parse_scenario(text)

    assert [level.triggers for level in scenario.ladder] == [(), ()]
    assert scenario.triggers_are_default


def test_sections_become_typed_specs() -> None:
    scenario = parse_scenario(scenario_text())

    (route,) = scenario.routes
    assert (route.key, route.mode, route.status) == (
        "air",
        RouteMode.COMMERCIAL_AIR,
        RouteStatus.OPEN,
    )
    assert (route.from_place, route.to_place) == ("Bamako-Senou airport", "Paris")
    assert (route.seats_per_day, route.lead_time_hours, route.closes_at_threat) == (80, 0.0, 85.0)
    assert route.usable_from is None  # the default rule
    assert scenario.staff == (
        StaffSpec(10, "", "", "expatriate", True, 2),
        StaffSpec(1, "A. Officer", "Security officer", "expatriate", True, 0),
    )
    assert scenario.community == CommunitySpec(100, 60, 5)
    indicator = scenario.timeline[0].indicator
    assert indicator is not None
    assert indicator.category is Category.SUPPLY and indicator.reliability is Reliability.B
    assert (indicator.severity, indicator.credibility, indicator.ongoing) == (4, 2, True)


def test_text_fields_keep_what_was_written_even_when_yaml_reads_a_boolean() -> None:
    text = (
        scenario_text()
        .replace("country: ML", "country: NO")
        .replace("title: Demo post", "title: yes")
    )

    scenario = parse_scenario(text)

    assert (scenario.post.country, scenario.title) == ("NO", "yes")


def test_a_date_is_local_midnight_at_the_post() -> None:
    text = scenario_text().replace("timezone: Africa/Bamako", "timezone: Europe/Paris")

    scenario = parse_scenario(text)

    assert scenario.start == datetime(2025, 1, 1, tzinfo=PARIS)
    assert scenario.start.utcoffset() == timedelta(hours=1)
    assert scenario.timeline[0].at == datetime(2025, 1, 5, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-01-05", datetime(2025, 1, 5, tzinfo=BAMAKO)),
        ("2025-01-05 08:30:00", datetime(2025, 1, 5, 8, 30, tzinfo=BAMAKO)),
        ("2025-01-05T08:30", datetime(2025, 1, 5, 8, 30, tzinfo=BAMAKO)),
        ('"2025-01-05"', datetime(2025, 1, 5, tzinfo=BAMAKO)),
        (
            "2025-01-05T08:30:00+02:00",
            datetime(2025, 1, 5, 8, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2025-01-05T08:30Z", datetime(2025, 1, 5, 8, 30, tzinfo=UTC)),
    ],
)
def test_at_accepts_dates_and_iso_date_times(written: str, expected: datetime) -> None:
    text = scenario_text(timeline=timeline(BLOCKADE.replace("2025-01-05", written)))

    (entry,) = parse_scenario(text).timeline

    assert entry.at == expected
    assert entry.at.tzinfo is not None
    assert entry.at.utcoffset() == expected.utcoffset()


def test_timeline_is_sorted_by_time_and_keeps_file_order_for_equal_times() -> None:
    text = scenario_text(
        timeline=timeline(
            "- at: 2025-01-20\n  community: {registered: 90}\n",
            "- at: 2025-01-10\n  decision: {level: 2, rationale: Second at that time}\n",
            "- at: 2025-01-03\n  decision: {level: 1, rationale: Earliest}\n",
            "- at: 2025-01-10\n  decision: {level: 3, rationale: Third at that time}\n",
            "- at: 2025-01-10T00:00\n  route: {key: air, seats_per_day: 50}\n",
        )
    )

    entries = parse_scenario(text).timeline

    assert [entry.at.day for entry in entries] == [3, 10, 10, 10, 20]
    assert [entry.decision.rationale for entry in entries if entry.decision] == [
        "Earliest",
        "Second at that time",
        "Third at that time",
    ]
    assert entries[3].route is not None  # same instant, last in the file
    assert entries[4].community is not None


def test_each_entry_keeps_its_line() -> None:
    text = scenario_text(
        timeline=timeline(
            "- at: 2025-01-20\n  community: {registered: 90}\n",
            "- at: 2025-01-03\n  decision: {level: 1, rationale: Earliest}\n",
        )
    )
    first_line = text.splitlines().index("timeline:") + 2

    entries = parse_scenario(text).timeline

    assert [entry.line for entry in entries] == [first_line + 2, first_line]


def test_optional_keys_of_timeline_entries() -> None:
    text = scenario_text(
        timeline=timeline(
            BLOCKADE,
            """
            - at: 2025-01-06
              indicator: {category: incident, severity: 3, reliability: A, credibility: 1,
                          source: Press, text: Convoy attacked., expires: 7}
            - at: 2025-01-06T12:00
              indicator: {category: transport, severity: 2, reliability: C, credibility: 3,
                          source: Airline, text: Delays., expires: 2025-01-09}
            - at: 2025-01-08
              route: {key: air, status: degraded, note: Fewer flights}
            - at: 2025-01-09
              decision: {level: 2, rationale: Advise against travel., by: Crisis centre}
            - at: 2025-01-10
              end: {indicator: blockade}
            """,
        )
    )

    entries = parse_scenario(text).timeline

    incident, transport = entries[1].indicator, entries[2].indicator
    assert incident is not None and incident.expires_at == datetime(2025, 1, 13, tzinfo=BAMAKO)
    assert incident.key is None and not incident.ongoing
    assert transport is not None and transport.expires_at == datetime(2025, 1, 9, tzinfo=BAMAKO)
    route = entries[3].route
    assert route is not None
    assert (route.status, route.seats_per_day, route.note) == (
        RouteStatus.DEGRADED,
        None,
        "Fewer flights",
    )
    decision = entries[4].decision
    assert decision is not None and (decision.level, decision.by) == (2, "Crisis centre")
    end = entries[5].end
    assert end is not None and end.indicator_key == "blockade"


def test_entries_before_the_start_and_on_the_end_day_are_kept() -> None:
    text = scenario_text(
        timeline=timeline(
            BLOCKADE.replace("2025-01-05", "2024-12-20"),
            "- at: 2025-01-31T23:00\n  community: {registered: 80}\n",
        )
    )

    entries = parse_scenario(text).timeline

    assert [entry.at.date().isoformat() for entry in entries] == ["2024-12-20", "2025-01-31"]


def test_optional_sections_and_keys() -> None:
    text = scenario_text(
        extra="""
        notes:
          - First assumption.
          - >-
            A folded
            note.
        schools:
          - {name: Lycée, pupils: 600, expatriate_staff: 30}
          - {name: Small school, pupils: 20, expatriate_staff: 1, open: false}
        wardens:
          - {zone: ACI 2000, name: Warden 1, contact: "+223 00 00 00 00"}
        assembly_points:
          - {name: Embassy, capacity: 800, zone: ACI 2000}
        """
    ).replace("    closes_at_threat: 85\n", "    usable_from: 3\n    notes: Only one airline.\n")

    scenario = parse_scenario(text)

    assert scenario.notes == ("First assumption.", "A folded note.")
    assert [school.open for school in scenario.schools] == [True, False]
    assert scenario.wardens[0].contact == "+223 00 00 00 00"
    assert scenario.assembly_points[0].zone == "ACI 2000"
    assert scenario.routes[0].closes_at_threat is None
    assert scenario.routes[0].usable_from == 3
    assert scenario.routes[0].notes == "Only one airline."


def test_optional_keys_given_with_no_value_take_their_default() -> None:
    scenario = parse_scenario(scenario_text(extra="ladder:\nwardens:\nnotes:\n"))

    assert scenario.ladder == DEFAULT_LADDER and scenario.wardens == () and scenario.notes == ()


def test_yaml_anchors_and_merge_keys_work() -> None:
    text = scenario_text(
        timeline=timeline(
            """
            - at: 2025-01-06
              indicator: &press {category: incident, severity: 3, reliability: B,
                                 credibility: 2, source: Press, text: One.}
            - at: 2025-01-07
              indicator:
                <<: *press
                severity: 4
                text: Two.
            """
        )
    )

    first, second = (entry.indicator for entry in parse_scenario(text).timeline)

    assert first is not None and second is not None
    assert (first.severity, second.severity, second.source) == (3, 4, "Press")


def test_load_scenario_file_names_the_file_in_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(scenario_text(), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(scenario_text().replace("severity: 4", "severity: 9"), encoding="utf-8")

    assert load_scenario_file(good).id == "demo"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(bad)
    assert str(caught.value).startswith(f"{bad}:")


def test_load_scenario_file_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario_file(tmp_path / "missing.yaml")


def test_the_result_is_frozen() -> None:
    scenario = parse_scenario(scenario_text())

    with pytest.raises(AttributeError):
        scenario.title = "Changed"  # type: ignore[misc]


# --- what would break the reader or the system (issue 9) --------------------------------

from tests.scenarios.builders import line_of, problems_of, the_problem  # noqa: E402


def _bomb(levels: int = 7, fan_out: int = 10) -> str:
    """About 1 kB of merge keys that a naive reader expands to fan_out ** levels values."""
    lines = ["b0: &b0 {k: v}"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*b{level - 1}"] * fan_out)
        lines.append(f"b{level}: &b{level} {{<<: [{aliases}], x{level}: 1}}")
    return "\n".join(lines) + "\n"


def test_a_merge_key_bomb_is_refused_fast_with_its_line() -> None:
    import time

    text = scenario_text(notes=_bomb())
    assert len(_bomb()) < 1024
    started = time.perf_counter()
    problem = the_problem(text)
    assert time.perf_counter() - started < 1.0
    assert "expands to more than" in problem.message
    assert problem.line is not None and problem.line > 1


def test_an_alias_bomb_of_lists_is_refused() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 10)}]")
    problem = the_problem(scenario_text(notes="\n".join(lines) + "\n"))
    assert "expands to more than" in problem.message


def test_an_anchor_that_contains_itself_is_refused() -> None:
    problem = the_problem(scenario_text(notes="notes: &n [a, *n]\n"))
    assert "contains an alias of itself" in problem.message


def test_honest_anchors_and_merge_keys_still_read() -> None:
    text = scenario_text(
        routes="""
        routes:
          - &air
            key: air
            mode: commercial_air
            from: Bamako-Senou airport
            to: Paris
            status: open
            seats_per_day: 80
            lead_time_hours: 0
          - <<: *air
            key: air2
            to: Casablanca
        """
    )
    assert [route.key for route in parse_scenario(text).routes] == ["air", "air2"]


def test_nesting_five_thousand_deep_is_refused_with_its_line() -> None:
    text = scenario_text(notes="notes:\n  - " + "[" * 5000 + "]" * 5000 + "\n")
    problem = the_problem(text)
    assert "nested more than" in problem.message
    assert problem.line == line_of(text, "notes:") + 1


def test_nesting_deep_through_aliases_is_refused() -> None:
    lines = ["d0: &d0 " + "[" * 30 + "x" + "]" * 30]
    for level in range(1, 4):
        lines.append(f"d{level}: &d{level} " + "[" * 30 + f"*d{level - 1}" + "]" * 30)
    problem = the_problem(scenario_text(notes="\n".join(lines) + "\n"))
    assert "nested more than" in problem.message


@pytest.mark.parametrize(
    "written",
    [
        "9" * 5000,
        "9" * 25,
        "0x" + "f" * 5000,
        "1" + "0" * 400,
        "-" + "9" * 30,
        "1_000_000_000_000_000_000",
    ],
)
def test_a_huge_integer_is_refused_naming_the_line(written: str) -> None:
    text = scenario_text(
        community=f"""
        community:
          registered: {written}
          dual_nationals: 60
          unregistered_estimate: 5
        """
    )
    problem = the_problem(text)
    assert problem.path == "community.registered"
    assert problem.line == line_of(text, "registered:")
    assert "out of range" in problem.message


@pytest.mark.parametrize("written", ["9" * 5000, "1e999", "9" * 400 + ".5"])
def test_a_huge_number_is_refused_naming_the_line(written: str) -> None:
    text = scenario_text(
        routes=f"""
        routes:
          - key: air
            mode: commercial_air
            from: Bamako-Senou airport
            to: Paris
            status: open
            seats_per_day: 80
            lead_time_hours: {written}
        """
    )
    problem = the_problem(text)
    assert problem.path == "routes[0].lead_time_hours"
    assert problem.line == line_of(text, "lead_time_hours")


@pytest.mark.parametrize(
    ("head", "key", "words"),
    [
        ("start: 0001-01-01\nend: 2025-01-31", "start", "before the year 1900"),
        ("start: 1899-12-31\nend: 2025-01-31", "start", "before the year 1900"),
        ("start: 2025-01-01\nend: 9999-12-31", "end", "after the year 2100"),
        ("start: 2025-01-01\nend: 2101-01-01", "end", "after the year 2100"),
        ("start: '0001-01-01T00:00:00+14:00'\nend: 2025-01-31", "start", "before the year 1900"),
        (
            "start: 2025-01-01T00:00:00-14:00\nend: 9999-12-31T23:59:59-14:00",
            "end",
            "after the year 2100",
        ),
    ],
)
def test_a_date_near_python_s_limits_is_refused_with_a_clear_message(
    head: str, key: str, words: str
) -> None:
    text = scenario_text(head=f"scenario: demo\ntitle: Demo post\n{head}\n")
    problems = problems_of(text)
    (problem,) = [p for p in problems if p.path == key]
    assert words in problem.message and "1900 to 2100" in problem.message
    assert problem.line == line_of(text, f"{key}:")


def test_a_timeline_date_or_expiry_out_of_range_is_refused() -> None:
    text = scenario_text(
        timeline=timeline(
            """
            - at: 2025-01-05
              indicator:
                category: supply
                severity: 4
                reliability: B
                credibility: 2
                source: Press
                text: Far future expiry.
                expires: 9999-12-31
            """,
            """
            - at: 2025-01-06
              indicator:
                category: supply
                severity: 4
                reliability: B
                credibility: 2
                source: Press
                text: A million days.
                expires: 1000000
            """,
            """
            - at: 2025-01-07
              indicator:
                category: supply
                severity: 4
                reliability: B
                credibility: 2
                source: Press
                text: Thirty thousand days.
                expires: 30000
            """,
        )
    )
    problems = problems_of(text)
    paths = sorted(p.path for p in problems)
    assert paths == [
        "timeline[0].indicator.expires",
        "timeline[1].indicator.expires",
        "timeline[2].indicator.expires",
    ], problems


def test_the_parser_needs_no_django_settings() -> None:
    import subprocess
    import sys

    code = (
        "from readiness.scenarios.schema import parse_scenario, ScenarioError\n"
        "from readiness.indicators.cap import parse_cap, CapError\n"
        "try:\n    parse_scenario('scenario: x\\nstart: 0001-01-01\\n')\n"
        "except ScenarioError as e:\n    print('1900' in str(e))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("extra", "routes", "path"),
    [
        (
            "triggers:\n  - {level: 2, kind: indicator_count, name: n, count: 2, "
            "min_severity: 3, within_days: 1.0e+300}\n",
            None,
            "triggers[0].within_days",
        ),
        (
            "triggers:\n  - {level: 2, kind: clearance_margin, name: m, margin_level: 1, "
            "below_days: 4000}\n",
            None,
            "triggers[0].below_days",
        ),
        (
            "",
            "routes:\n  - {key: air, mode: commercial_air, from: a, to: b, status: open, "
            "seats_per_day: 80, lead_time_hours: 1.0e+300}\n",
            "routes[0].lead_time_hours",
        ),
    ],
)
def test_durations_the_engine_could_not_add_to_a_date_are_refused(
    extra: str, routes: str | None, path: str
) -> None:
    sections = {"extra": extra}
    if routes is not None:
        sections["routes"] = routes
    problem = the_problem(scenario_text(**sections))
    assert problem.path == path and "at most" in problem.message
