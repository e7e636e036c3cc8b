"""Every rule of SCENARIO.md: the file is refused, naming the line, the path and the problem."""

from __future__ import annotations

import pytest

from readiness.scenarios.schema import ScenarioError, parse_scenario

from .builders import BLOCKADE, line_of, problems_of, scenario_text, the_problem, timeline


def entry(text: str) -> str:
    """The base scenario with one more timeline entry after the blockade."""
    return scenario_text(timeline=timeline(BLOCKADE, text))


# -- the error itself -------------------------------------------------------------------


def test_the_error_lists_every_problem_one_per_line_with_file_and_line() -> None:
    text = scenario_text().replace("severity: 4", "severity: 7").replace("level: 0", "level: -1")

    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="bamako.yaml")

    assert str(caught.value).splitlines() == [
        f"bamako.yaml:{line_of(text, 'level: -1')}: post.level: must be 0 or more, got -1",
        f"bamako.yaml:{line_of(text, 'severity: 7')}: "
        "timeline[0].indicator.severity: must be 1 to 5, got 7",
    ]
    assert isinstance(caught.value, ValueError)


def test_problems_from_every_section_are_collected_before_raising() -> None:
    text = (
        scenario_text()
        .replace("scenario: demo", "scenario: Demo_1")
        .replace("seats_per_day: 80", "seats_per_day: -1")
        .replace("registered: 100", "registered: many")
        .replace("credibility: 2", "credibility: 9")
    )

    problems = problems_of(text)

    assert [problem.path for problem in problems] == [
        "scenario",
        "routes[0].seats_per_day",
        "community.registered",
        "timeline[0].indicator.credibility",
    ]
    assert [problem.line for problem in problems] == sorted(
        problem.line or 0 for problem in problems
    )


def test_a_yaml_syntax_error_reports_its_line() -> None:
    text = scenario_text().replace("  city: Bamako\n", "  city: Bamako\n   bad: [unclosed\n")

    problem = the_problem(text)

    assert problem.path == ""
    assert problem.message.startswith("YAML syntax error:")
    assert problem.line == line_of(text, "bad: [unclosed")


def test_an_indentation_error_names_the_line_where_yaml_stopped() -> None:
    text = scenario_text().replace("  name: Bamako\n", "  name: Bamako\n country: ML\n")

    problem = the_problem(text)

    assert problem.message.startswith("YAML syntax error:")
    assert problem.line == line_of(text, " country: ML")


def test_an_empty_file_is_refused() -> None:
    assert the_problem("# nothing here\n").message == "the file is empty"


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    problem = the_problem("- just\n- a list\n")

    assert (problem.line, problem.message) == (1, "must be a mapping, got a list")


def test_two_documents_in_one_file_are_refused() -> None:
    text = scenario_text() + "---\nscenario: other\n"

    problem = the_problem(text)

    assert problem.message == (
        "YAML syntax error: expected a single document in the stream (line 1), "
        "but found another document"
    )
    assert problem.line == line_of(text, "---")


# -- unknown keys and missing keys ------------------------------------------------------


def test_unknown_key_at_the_top_level() -> None:
    text = scenario_text(extra="shools: []\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "shools"), "shools")
    assert problem.message == "unknown key; did you mean 'schools'?"


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("  city: Bamako", "  city: Bamako\n  region: Sahel", "post.region"),
        ("    lead_time_hours: 0", "    lead_time_hours: 0\n    capacity: 9", "routes[0].capacity"),
        (
            "      ongoing: true",
            "      ongoing: true\n      sevrity: 4",
            "timeline[0].indicator.sevrity",
        ),
        ("  - at: 2025-01-05", "  - at: 2025-01-05\n    when: now", "timeline[0].when"),
        (
            "  unregistered_estimate: 5",
            "  unregistered_estimate: 5\n  tourists: 3",
            "community.tourists",
        ),
    ],
)
def test_unknown_nested_keys(old: str, new: str, path: str) -> None:
    text = scenario_text().replace(old, new, 1)

    problem = the_problem(text)

    assert problem.path == path
    assert problem.line == line_of(text, new.splitlines()[-1])
    assert problem.message.startswith("unknown key;")


def test_an_unknown_key_with_no_close_match_lists_the_allowed_ones() -> None:
    problem = the_problem(scenario_text().replace("  city: Bamako", "  city: Bamako\n  zzz: 1"))

    assert (
        problem.message
        == "unknown key; expected code, name, country, city, timezone, level, latitude, longitude"
    )


def test_missing_required_key_names_the_mapping_line() -> None:
    text = scenario_text().replace("  timezone: Africa/Bamako\n", "")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "post:"),
        "post.timezone",
        "required, missing",
    )


def test_missing_top_level_section() -> None:
    problem = the_problem(scenario_text(community=None))

    assert (problem.line, problem.path, problem.message) == (1, "community", "required, missing")


# -- duplicates -------------------------------------------------------------------------


def test_a_key_given_twice_in_one_mapping() -> None:
    text = scenario_text().replace("  level: 0", "  level: 0\n  level: 1")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "level: 1"), "post.level")
    assert problem.message == f"duplicate key (first given on line {line_of(text, 'level: 0')})"


def test_a_route_key_defined_twice() -> None:
    route = "  - {key: air, mode: road, from: A, to: B, status: closed, seats_per_day: 0,"
    text = scenario_text().replace("staff:", route + " lead_time_hours: 1}\nstaff:")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "mode: road"), "routes[1].key")
    assert (
        problem.message
        == f"route 'air' is defined twice (first on line {line_of(text, '- key: air')})"
    )


def test_an_indicator_key_used_twice() -> None:
    text = entry(BLOCKADE.replace("2025-01-05", "2025-01-07"))

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "key: blockade", 2),
        "timeline[1].indicator.key",
    )
    assert problem.message == (
        f"indicator key 'blockade' is already used on line {line_of(text, '- at: 2025-01-05')}"
    )


def test_a_school_listed_twice() -> None:
    text = scenario_text(
        extra="schools:\n  - {name: Lycée, pupils: 1, expatriate_staff: 1}\n"
        "  - {name: Lycée, pupils: 2, expatriate_staff: 1}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "pupils: 2"), "schools[1].name")
    assert problem.message.startswith("school 'Lycée' is listed twice")


# -- types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("yes", "must be a whole number, got yes (read as yes/no)"),
        ("true", "must be a whole number, got true (read as yes/no)"),
        ('"4"', "must be a whole number, got '4'"),
        ("4.0", "must be a whole number, got 4.0"),
        ("four", "must be a whole number, got 'four'"),
        ("[4]", "must be a whole number, got a list"),
        ("", "must be a whole number, got nothing"),
    ],
)
def test_a_whole_number_must_be_written_as_one(written: str, message: str) -> None:
    text = scenario_text().replace("severity: 4", f"severity: {written}")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "severity:"),
        "timeline[0].indicator.severity",
        message,
    )


def test_a_boolean_must_be_written_as_one() -> None:
    text = scenario_text().replace("ongoing: true", "ongoing: 1")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "ongoing: 1"),
        "timeline[0].indicator.ongoing",
        "must be true or false, got 1",
    )


def test_yes_and_no_are_booleans_where_a_boolean_is_wanted() -> None:
    text = scenario_text().replace("ongoing: true", "ongoing: yes")

    indicator = parse_scenario(text).timeline[0].indicator

    assert indicator is not None and indicator.ongoing is True


def test_on_is_not_a_route_status() -> None:
    text = scenario_text().replace("status: open", "status: on")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "status: on"),
        "routes[0].status",
        "must be one of open, degraded, closed, unknown, got on (read as yes/no)",
    )


def test_text_must_not_be_a_list_or_empty() -> None:
    text = (
        scenario_text()
        .replace("title: Demo post", "title: [a, b]")
        .replace("  name: Bamako", '  name: ""')
    )

    first, second = problems_of(text)

    assert (first.line, first.path, first.message) == (2, "title", "must be text, got a list")
    assert (second.line, second.path, second.message) == (
        line_of(text, 'name: ""'),
        "post.name",
        "must not be empty",
    )


def test_a_section_of_the_wrong_shape() -> None:
    text = scenario_text(staff="staff: {count: 3}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "staff:"),
        "staff",
        "must be a list, got a mapping",
    )


# -- identifiers, places and time -------------------------------------------------------


@pytest.mark.parametrize("written", ["Bamako-2025", "bamako_2025", "bamako 2025", "bamako/2025"])
def test_scenario_id_pattern(written: str) -> None:
    text = scenario_text().replace("scenario: demo", f"scenario: {written}")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (1, "scenario")
    assert problem.message == f"must use only a-z, 0-9 and '-', got {written!r}"


@pytest.mark.parametrize("written", ["ml", "MLI", "M1"])
def test_country_is_iso_alpha_2(written: str) -> None:
    text = scenario_text().replace("country: ML", f"country: {written}")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "country:"), "post.country")
    assert problem.message == f"must be an ISO 3166-1 alpha-2 code like ML, got {written!r}"


def test_post_code_shape() -> None:
    text = scenario_text().replace("code: ML-BKO", "code: bamako")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "code: bamako"), "post.code")
    assert problem.message.startswith("must look like ML-BKO")


@pytest.mark.parametrize("written", ["Mali/Bamako", "Africa/Timbuktu2", "../etc/passwd"])
def test_timezone_must_be_a_known_iana_zone(written: str) -> None:
    text = scenario_text().replace("timezone: Africa/Bamako", f"timezone: {written}")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "timezone:"), "post.timezone")
    assert problem.message == f"not a known IANA time zone: {written!r}"


def test_start_must_not_be_after_end() -> None:
    text = scenario_text().replace("end: 2025-01-31", "end: 2024-12-31")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (4, "end")
    assert problem.message == "must not be before start (2025-01-01 00:00)"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "2025-02-30",
            "not a valid date or date-time: '2025-02-30' (day is out of range for month)",
        ),
        ("5", "must be a date (2025-09-04) or a date-time (2025-09-04T08:00), got 5"),
        ("soon", "not a valid date or date-time: 'soon' (Invalid isoformat string: 'soon')"),
    ],
)
def test_dates_must_be_valid(written: str, message: str) -> None:
    text = scenario_text().replace("  - at: 2025-01-05", f"  - at: {written}")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, f"at: {written}"),
        "timeline[0].at",
        message,
    )


def test_an_entry_after_the_end_day_is_refused() -> None:
    text = entry("- at: 2025-02-01\n  community: {registered: 90}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "at: 2025-02-01"), "timeline[1].at")
    assert problem.message == "is after the scenario's end: the replay would never reach it"


def test_an_end_given_as_a_date_time_is_exact() -> None:
    text = entry("- at: 2025-01-31T12:00\n  community: {registered: 90}\n").replace(
        "end: 2025-01-31", "end: 2025-01-31T10:00"
    )

    assert the_problem(text).path == "timeline[1].at"


def test_the_end_day_is_judged_in_the_post_s_time_zone() -> None:
    # 23:30 in New York on the end day is already the next morning in Bamako.
    text = entry("- at: 2025-01-31T23:30:00-05:00\n  community: {registered: 90}\n")

    assert the_problem(text).path == "timeline[1].at"


def test_an_entry_at_an_end_given_as_a_date_time_is_kept() -> None:
    text = entry("- at: 2025-01-31T10:00\n  community: {registered: 90}\n").replace(
        "end: 2025-01-31", "end: 2025-01-31T10:00"
    )

    assert len(parse_scenario(text).timeline) == 2


def test_a_decision_before_the_start_is_refused() -> None:
    text = entry("- at: 2024-12-31\n  decision: {level: 1, rationale: Early}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "at: 2024-12-31"), "timeline[1].at")
    assert (
        problem.message
        == "a decision before the scenario's start: the level at start is post.level"
    )


# -- ranges and levels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("severity: 4", "severity: 7", "timeline[0].indicator.severity", "must be 1 to 5, got 7"),
        ("severity: 4", "severity: 0", "timeline[0].indicator.severity", "must be 1 to 5, got 0"),
        (
            "credibility: 2",
            "credibility: 7",
            "timeline[0].indicator.credibility",
            "must be 1 to 6, got 7",
        ),
        (
            "reliability: B",
            "reliability: G",
            "timeline[0].indicator.reliability",
            "must be one of A, B, C, D, E, F, got 'G'",
        ),
        (
            "category: supply",
            "category: fuel",
            "timeline[0].indicator.category",
            "must be one of incident, threat_to_foreigners, supply, transport, political, "
            "peer_action, health, hazard, got 'fuel'",
        ),
        (
            "mode: commercial_air",
            "mode: boat",
            "routes[0].mode",
            "must be one of commercial_air, charter_air, military_air, road, sea, got 'boat'",
        ),
        (
            "seats_per_day: 80",
            "seats_per_day: -5",
            "routes[0].seats_per_day",
            "must be 0 or more, got -5",
        ),
        (
            "lead_time_hours: 0",
            "lead_time_hours: -1.5",
            "routes[0].lead_time_hours",
            "must be 0 or more, got -1.5",
        ),
        (
            "closes_at_threat: 85",
            "closes_at_threat: 120",
            "routes[0].closes_at_threat",
            "must be at most 100, got 120",
        ),
        (
            "closes_at_threat: 85",
            "closes_at_threat: 0",
            "routes[0].closes_at_threat",
            "must be above 0, got 0",
        ),
        (
            "closes_at_threat: 85",
            "closes_at_threat: .nan",
            "routes[0].closes_at_threat",
            "must be a finite number, got .nan",
        ),
        ("registered: 100", "registered: -3", "community.registered", "must be 0 or more, got -3"),
        (
            "unregistered_estimate: 5",
            "unregistered_estimate: -1",
            "community.unregistered_estimate",
            "must be 0 or more, got -1",
        ),
        ("dependants: 2", "dependants: -2", "staff[0].dependants", "must be 0 or more, got -2"),
        ("count: 10", "count: 0", "staff[0].count", "must be 1 or more, got 0"),
        (
            "category: expatriate, essential: true, dependants",
            "category: diplomat, essential: true, dependants",
            "staff[0].category",
            "must be one of expatriate, local, got 'diplomat'",
        ),
    ],
)
def test_values_out_of_range(old: str, new: str, path: str, message: str) -> None:
    text = scenario_text().replace(old, new, 1)

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (line_of(text, new), path, message)


def test_school_counts_are_not_negative() -> None:
    text = scenario_text(extra="schools:\n  - {name: Lycée, pupils: -1, expatriate_staff: 2}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "pupils: -1"),
        "schools[0].pupils",
        "must be 0 or more, got -1",
    )


def test_assembly_point_capacity_is_not_negative() -> None:
    text = scenario_text(extra="assembly_points:\n  - {name: Embassy, capacity: -10}\n")

    assert the_problem(text).path == "assembly_points[0].capacity"


def test_post_level_must_be_a_rank_of_the_ladder() -> None:
    text = scenario_text().replace("level: 0", "level: 7")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "level: 7"),
        "post.level",
        "no level of rank 7 in the ladder (ranks 0 to 6)",
    )


def test_post_level_is_checked_against_a_custom_ladder() -> None:
    text = scenario_text(extra="ladder:\n  - {rank: 0, name: Calm}\n  - {rank: 1, name: Go}\n")
    text = text.replace("level: 0", "level: 2")

    assert the_problem(text).message == "no level of rank 2 in the ladder (ranks 0 to 1)"


def test_decision_level_must_be_a_rank() -> None:
    text = entry("- at: 2025-01-10\n  decision: {level: 9, rationale: Too far}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "level: 9"),
        "timeline[1].decision.level",
        "no level of rank 9 in the ladder (ranks 0 to 6)",
    )


def test_route_usable_from_must_be_a_rank() -> None:
    text = scenario_text().replace("    closes_at_threat: 85", "    usable_from: 8")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "usable_from: 8"),
        "routes[0].usable_from",
    )


def test_dual_nationals_cannot_exceed_registered() -> None:
    text = scenario_text().replace("dual_nationals: 60", "dual_nationals: 160")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "dual_nationals: 160"),
        "community.dual_nationals",
        "must not exceed registered (100), got 160",
    )


def test_a_community_change_must_keep_dual_nationals_within_registered() -> None:
    text = entry("- at: 2025-01-10\n  community: {registered: 50}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "registered: 50"),
        "timeline[1].community.registered",
        "dual_nationals (60) would exceed registered (50)",
    )


def test_community_changes_are_checked_in_time_order() -> None:
    text = scenario_text(
        timeline=timeline(
            "- at: 2025-01-20\n  community: {registered: 50}\n",
            "- at: 2025-01-10\n  community: {registered: 70, dual_nationals: 40}\n",
        )
    )

    assert parse_scenario(text).timeline[1].community is not None


# -- timeline entries -------------------------------------------------------------------


def test_an_entry_needs_exactly_one_event() -> None:
    text = entry(
        "- at: 2025-01-10\n"
        "  decision: {level: 1, rationale: A}\n"
        "  route: {key: air, seats_per_day: 1}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "at: 2025-01-10"), "timeline[1]")
    assert problem.message == (
        "needs exactly one of indicator, end, route, decision, community; got route, decision"
    )


def test_an_entry_with_no_event() -> None:
    text = entry("- at: 2025-01-10\n")

    assert the_problem(text).message == (
        "needs exactly one of indicator, end, route, decision, community"
    )


def test_an_entry_needs_at() -> None:
    text = entry("- decision: {level: 1, rationale: A}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "- decision"),
        "timeline[1].at",
        "required, missing",
    )


def test_a_route_change_to_an_unknown_route() -> None:
    text = entry("- at: 2025-01-10\n  route: {key: road-dakar, status: closed}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "key: road-dakar"),
        "timeline[1].route.key",
        "no route with key 'road-dakar' in routes",
    )


def test_a_route_change_needs_something_to_change() -> None:
    text = entry("- at: 2025-01-10\n  route:\n    key: air\n    note: Checked\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "  route:"), "timeline[1].route")
    assert problem.message == "a route change needs status or seats_per_day (or both)"


def test_a_community_change_needs_a_figure() -> None:
    text = entry("- at: 2025-01-10\n  community: {}\n")

    assert the_problem(text).message.startswith("a community change needs one of registered")


def test_end_of_an_unknown_indicator() -> None:
    text = entry("- at: 2025-01-10\n  end: {indicator: strike}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "indicator: strike"),
        "timeline[1].end.indicator",
        "no indicator with key 'strike' in the timeline",
    )


def test_end_before_its_indicator() -> None:
    text = entry("- at: 2025-01-02\n  end: {indicator: blockade}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "indicator: blockade"),
        "timeline[1].end.indicator",
    )
    assert problem.message == (
        f"indicator 'blockade' is only defined later (line {line_of(text, '- at: 2025-01-05')}): "
        "an `end` must come after its indicator"
    )


def test_end_of_an_indicator_refused_for_its_own_problems_is_not_reported_twice() -> None:
    text = entry("- at: 2025-01-10\n  end: {indicator: blockade}\n").replace(
        "severity: 4", "severity: 9"
    )

    assert the_problem(text).path == "timeline[0].indicator.severity"


def test_end_of_an_event_that_is_not_ongoing() -> None:
    text = scenario_text(
        timeline=timeline(
            BLOCKADE.replace("ongoing: true", "ongoing: false"),
            "- at: 2025-01-10\n  end: {indicator: blockade}\n",
        )
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "indicator: blockade"),
        "timeline[1].end.indicator",
    )
    assert problem.message == (
        f"indicator 'blockade' (line {line_of(text, '- at: 2025-01-05')}) is an event, "
        "not an ongoing condition: only ongoing conditions can be ended"
    )


def test_end_of_an_indicator_already_ended() -> None:
    text = scenario_text(
        timeline=timeline(
            BLOCKADE,
            "- at: 2025-01-10\n  end: {indicator: blockade}\n",
            "- at: 2025-01-12\n  end: {indicator: blockade}\n",
        )
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "indicator: blockade", 2),
        "timeline[2].end.indicator",
    )
    assert problem.message == (
        f"indicator 'blockade' was already ended on line {line_of(text, 'at: 2025-01-10')}"
    )


def test_expires_must_come_after_at() -> None:
    text = entry(
        "- at: 2025-01-10\n  indicator: {category: incident, severity: 3, reliability: A,\n"
        "    credibility: 1, source: Press, text: Attack., expires: 2025-01-09}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "expires:"),
        "timeline[1].indicator.expires",
    )
    assert problem.message == "must be after `at` (2025-01-10 00:00), or a number of days"


def test_expires_in_days_must_be_positive() -> None:
    text = entry(
        "- at: 2025-01-10\n  indicator: {category: incident, severity: 3, reliability: A,\n"
        "    credibility: 1, source: Press, text: Attack., expires: 0}\n"
    )

    assert the_problem(text).message == "must be above 0, got 0"


def test_an_ongoing_condition_cannot_expire() -> None:
    text = scenario_text().replace("ongoing: true", "ongoing: true\n      expires: 10")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (
        line_of(text, "expires: 10"),
        "timeline[0].indicator.expires",
    )
    assert problem.message == "an ongoing condition ends with an `end` entry, not `expires`"


def test_a_staff_row_is_a_person_or_a_group() -> None:
    text = scenario_text().replace("{count: 10,", "{count: 10, name: Team,")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "name: Team"), "staff[0]")
    assert problem.message == "give either name (one person) or count (a group), not both"


def test_a_staff_row_needs_a_name_or_a_count() -> None:
    text = scenario_text().replace("{count: 10,", "{")

    assert the_problem(text).message == "needs name (one person) or count (a group)"


def test_a_route_key_must_be_a_slug() -> None:
    text = (
        scenario_text()
        .replace("  - key: air", "  - key: air commercial")
        .replace("timeline:", "x: 1\ntimeline:")
    )

    problems = problems_of(text)

    assert [problem.path for problem in problems] == ["routes[0].key", "x"]


# -- ladder and triggers ----------------------------------------------------------------


def test_ladder_must_be_default_or_a_list() -> None:
    text = scenario_text(extra="ladder: custom\n")

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "ladder: custom"),
        "ladder",
        "must be 'default' or a list of levels, got 'custom'",
    )


def test_ladder_ranks_must_run_from_zero_without_gaps() -> None:
    text = scenario_text(extra="ladder:\n  - {rank: 0, name: Calm}\n  - {rank: 2, name: Go}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "ladder:"), "ladder")
    assert problem.message == "ranks must run from 0 to 1, one per level, got [0, 2]"


def test_ladder_rank_given_twice() -> None:
    text = scenario_text(extra="ladder:\n  - {rank: 0, name: Calm}\n  - {rank: 0, name: Go}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "name: Go"), "ladder[1].rank")
    assert problem.message == f"rank 0 is given twice (first on line {line_of(text, 'name: Calm')})"


def test_ladder_groups_come_from_the_vocabulary() -> None:
    text = scenario_text(extra="ladder:\n  - {rank: 0, name: Calm, leaves: [tourists]}\n")

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "tourists"), "ladder[0].leaves[0]")
    assert problem.message.startswith("must be one of citizens, non_essential_staff")


def test_a_quorum_larger_than_the_level_s_triggers() -> None:
    text = scenario_text(
        extra="""
        ladder:
          - {rank: 0, name: Calm}
          - {rank: 1, name: Go, quorum: 3}
        triggers:
          - {level: 1, kind: threat_index, name: High, threshold: 50}
        """
    )

    problem = the_problem(text)

    assert (problem.line, problem.path) == (line_of(text, "quorum: 3"), "ladder[1].quorum")
    assert problem.message == "is 3 but level 1 has only 1 trigger(s): it could never be indicated"


def test_triggers_must_be_default_or_a_list() -> None:
    text = scenario_text(extra="triggers: none\n")

    assert the_problem(text).message == "must be 'default' or a list of triggers, got 'none'"


def test_a_trigger_missing_a_field_its_kind_needs() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 3, kind: category_index, name: Supply, threshold: 50}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "kind: category_index"),
        "triggers[0].category",
        "required for a category_index trigger",
    )


def test_a_trigger_field_out_of_range_names_its_line() -> None:
    text = scenario_text(
        extra="triggers:\n  - level: 3\n    kind: threat_index\n    name: High\n"
        "    threshold: 150\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "threshold: 150"),
        "triggers[0].threshold",
        "must be above 0 and at most 100, got 150",
    )


def test_a_trigger_field_its_kind_does_not_use() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 3, kind: threat_index, name: High, threshold: 50, count: 2}\n"
    )

    problem = the_problem(text)

    assert (problem.path, problem.message) == (
        "triggers[0].count",
        "not used by a threat_index trigger",
    )


def test_a_second_category_needs_its_severity() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 5, kind: indicator_count, name: Grave, count: 1,\n"
        "     min_severity: 5, within_days: 3, with_category: peer_action}\n"
    )

    problem = the_problem(text)

    assert (problem.path, problem.message) == (
        "triggers[0].with_min_severity",
        "give with_category and with_min_severity together",
    )


def test_a_trigger_on_a_level_that_does_not_exist() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 9, kind: threat_index, name: High, threshold: 50}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "level: 9"),
        "triggers[0].level",
        "no level of rank 9 in the ladder (ranks 0 to 6)",
    )


def test_a_route_trigger_must_name_a_route_of_the_file() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 4, kind: route, name: Road, route: road-dakar}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "route: road-dakar"),
        "triggers[0].route",
        "no route with key 'road-dakar' in routes",
    )


def test_a_clearance_trigger_watches_an_existing_level() -> None:
    text = scenario_text(
        extra="triggers:\n"
        "  - {level: 4, kind: clearance_margin, name: M, margin_level: 8, below_days: 3}\n"
    )

    problem = the_problem(text)

    assert (problem.path, problem.message) == (
        "triggers[0].margin_level",
        "no level of rank 8 in the ladder (ranks 0 to 6)",
    )


def test_an_active_manual_trigger_needs_a_reason() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 4, kind: manual, name: Call, active: true}\n"
    )

    problem = the_problem(text)

    assert (problem.line, problem.path, problem.message) == (
        line_of(text, "kind: manual"),
        "triggers[0].reason",
        "an active manual trigger needs a reason",
    )


def test_a_trigger_with_an_unknown_key() -> None:
    text = scenario_text(
        extra="triggers:\n  - {level: 3, kind: threat_index, name: H, threshold: 50, treshold: 5}\n"
    )

    problem = the_problem(text)

    assert (problem.path, problem.message) == (
        "triggers[0].treshold",
        "unknown key; did you mean 'threshold'?",
    )
