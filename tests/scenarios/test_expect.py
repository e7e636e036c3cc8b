"""The keys a hindcast needs: an indicator's `event` and `de_escalation`, and `expect:`."""

from __future__ import annotations

from datetime import date

import pytest

from readiness.engine import Assessment, Inputs, assess
from readiness.scenarios import replay as replay_module
from readiness.scenarios.schema import Expectation, parse_scenario

from .builders import line_of, problems_of, scenario_text, the_problem, timeline

REPORT = """
    - at: 2025-01-05
      indicator:
        key: blockade
        category: supply
        severity: 4
        reliability: B
        credibility: 2
        source: Press
        text: Fuel blockade declared.
    """


def with_indicator_keys(extra: str) -> str:
    """The base scenario whose one indicator has `extra` lines (at its indentation)."""
    lines = "".join(f"        {line}\n" for line in extra.splitlines())
    return scenario_text(timeline=timeline(REPORT.rstrip(" ") + lines))


def with_expect(*items: str) -> str:
    """The base scenario (2025-01-01 to 2025-01-31) with an `expect:` list of flow items."""
    return scenario_text(expect="expect:\n" + "".join(f"  - {item}\n" for item in items))


# -- event and de_escalation ------------------------------------------------------------


def test_event_and_de_escalation_default_to_none_and_false() -> None:
    indicator = parse_scenario(with_indicator_keys("")).timeline[0].indicator

    assert indicator is not None
    assert (indicator.event, indicator.de_escalation) == ("", False)


def test_event_and_de_escalation_are_read() -> None:
    text = with_indicator_keys("event: fuel-blockade-2025\nde_escalation: true")

    indicator = parse_scenario(text).timeline[0].indicator

    assert indicator is not None
    assert (indicator.event, indicator.de_escalation) == ("fuel-blockade-2025", True)


def test_an_event_may_equal_an_indicator_key() -> None:
    indicator = parse_scenario(with_indicator_keys("event: blockade")).timeline[0].indicator

    assert indicator is not None and indicator.key == indicator.event == "blockade"


def test_the_replay_passes_event_and_de_escalation_to_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Inputs] = []

    def spy(inputs: Inputs) -> Assessment:
        seen.append(inputs)
        return assess(inputs)

    monkeypatch.setattr(replay_module, "assess", spy)

    replay_module.replay(parse_scenario(with_indicator_keys("event: fuel\nde_escalation: true")))

    (sent,) = seen[-1].indicators
    assert (sent.event, sent.de_escalation) == ("fuel", True)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("Fuel", "must use only a-z, 0-9 and '-', got 'Fuel'"),
        ("fuel_blockade", "must use only a-z, 0-9 and '-', got 'fuel_blockade'"),
        ("a" * 101, "must be at most 100 characters, got 101"),
        ("[fuel]", "must be text, got a list"),
    ],
)
def test_event_is_a_slug(written: str, message: str) -> None:
    text = with_indicator_keys(f"event: {written}")

    problem = the_problem(text)

    assert problem.path == "timeline[0].indicator.event"
    assert problem.line == line_of(text, "event:")
    assert problem.message == message


def test_de_escalation_is_a_boolean() -> None:
    text = with_indicator_keys("de_escalation: maybe")

    problem = the_problem(text)

    assert problem.path == "timeline[0].indicator.de_escalation"
    assert problem.message == "must be true or false, got 'maybe'"


# -- expect: what is read ---------------------------------------------------------------


def test_no_expect_section_means_no_expectation() -> None:
    assert parse_scenario(scenario_text()).expect == ()
    assert parse_scenario(scenario_text(expect="expect:\n")).expect == ()


def test_expectations_are_read_in_file_order_with_their_defaults() -> None:
    text = with_expect(
        "{at_least: 3, by: 2025-01-10, why: Citizens advised to leave on the 10th}",
        "{at_least: 2, by: 2025-01-05, until: 2025-01-20, why: Peer embassies}",
        "{at_most: 1, why: Nothing happened}",
        "{at_most: 0, from: 2025-01-02, until: 2025-01-04, why: Quiet week}",
    )

    expect = parse_scenario(text).expect

    assert expect == (
        Expectation(
            "at_least",
            3,
            date(2025, 1, 10),
            date(2025, 1, 31),
            "Citizens advised to leave on the 10th",
            line_of(text, "at_least: 3"),
        ),
        Expectation(
            "at_least",
            2,
            date(2025, 1, 5),
            date(2025, 1, 20),
            "Peer embassies",
            line_of(text, "at_least: 2"),
        ),
        Expectation(
            "at_most",
            1,
            date(2025, 1, 1),
            date(2025, 1, 31),
            "Nothing happened",
            line_of(text, "at_most: 1"),
        ),
        Expectation(
            "at_most",
            0,
            date(2025, 1, 2),
            date(2025, 1, 4),
            "Quiet week",
            line_of(text, "at_most: 0"),
        ),
    )
    assert [item.days for item in expect] == [22, 16, 31, 3]


def test_a_window_of_one_day_on_the_first_and_last_days() -> None:
    text = with_expect(
        "{at_least: 1, by: 2025-01-31, why: Last day}",
        "{at_most: 1, from: 2025-01-01, until: 2025-01-01, why: First day}",
    )

    assert [item.days for item in parse_scenario(text).expect] == [1, 1]


def test_the_ranks_are_those_of_the_file_s_ladder() -> None:
    ladder = """
        ladder:
          - {rank: 0, name: Normal}
          - {rank: 1, name: Leave}
        triggers: []
        """
    text = scenario_text(
        ladder=ladder, expect="expect:\n  - {at_least: 1, by: 2025-01-10, why: x}\n"
    )

    assert parse_scenario(text).expect[0].rank == 1

    problem = the_problem(text.replace("at_least: 1", "at_least: 2"))
    assert problem.message == "no level of rank 2 in the ladder (ranks 0 to 1)"


# -- expect: what is refused ------------------------------------------------------------


def refusal(item: str) -> tuple[str, int | None, str]:
    """(path, line, message) of the one problem of a file whose only expectation is `item`."""
    text = with_expect(item)
    problem = the_problem(text)
    return problem.path, problem.line, problem.message


def expect_line(item: str) -> int:
    return line_of(with_expect(item), "expect:") + 1


@pytest.mark.parametrize(
    ("item", "path", "message"),
    [
        (
            "{at_least: 3, by: 2025-01-10, why: x, untill: 2025-01-20}",
            "expect[0].untill",
            "unknown key; did you mean 'until'?",
        ),
        (
            "{at_least: 3, by: 2025-01-10, why: x, source: Press}",
            "expect[0].source",
            "unknown key; expected why, at_least, at_most, by, from, until",
        ),
        (
            "{at_least: 3, by: 2025-01-10}",
            "expect[0].why",
            "required, missing",
        ),
        (
            "{at_least: 3, by: 2025-01-10, why: ''}",
            "expect[0].why",
            "must not be empty",
        ),
        (
            "{at_least: 3, at_most: 4, by: 2025-01-10, why: x}",
            "expect[0]",
            "needs exactly one of at_least, at_most; got at_least, at_most",
        ),
        (
            "{by: 2025-01-10, why: x}",
            "expect[0]",
            "needs exactly one of at_least, at_most",
        ),
        (
            "{at_least: 3, why: x}",
            "expect[0].by",
            "required with at_least: the day from which the level is due",
        ),
        (
            "{at_least: 3, by: 2025-01-10, from: 2025-01-05, why: x}",
            "expect[0].from",
            "belongs to at_most: an at_least window starts at `by`",
        ),
        (
            "{at_most: 1, by: 2025-01-10, why: x}",
            "expect[0].by",
            "belongs to at_least: an at_most window starts at `from`",
        ),
        (
            "{at_least: '3', by: 2025-01-10, why: x}",
            "expect[0].at_least",
            "must be a whole number, got '3'",
        ),
        (
            "{at_most: , why: x}",
            "expect[0].at_most",
            "must be a rank of the ladder, got nothing",
        ),
        (
            "{at_least: 7, by: 2025-01-10, why: x}",
            "expect[0].at_least",
            "no level of rank 7 in the ladder (ranks 0 to 6)",
        ),
        (
            "{at_most: -1, why: x}",
            "expect[0].at_most",
            "must be 0 or more, got -1",
        ),
        (
            "{at_least: 3, by: 2025-01-10T08:00, why: x}",
            "expect[0].by",
            "must be a date (2025-09-04), not a date-time: the replay grades days",
        ),
        (
            "{at_least: 3, by: soon, why: x}",
            "expect[0].by",
            "not a valid date or date-time: 'soon' (Invalid isoformat string: 'soon')",
        ),
        (
            "{at_least: 3, by: 2024-12-31, why: x}",
            "expect[0].by",
            "must be a day of the replay, 2025-01-01 to 2025-01-31, got 2024-12-31",
        ),
        (
            "{at_most: 1, from: 2025-01-10, until: 2025-02-01, why: x}",
            "expect[0].until",
            "must be a day of the replay, 2025-01-01 to 2025-01-31, got 2025-02-01",
        ),
        (
            "{at_least: 3, by: 2025-01-10, until: 2025-01-09, why: x}",
            "expect[0].until",
            "must not be before `by` (2025-01-10)",
        ),
        (
            "{at_most: 1, from: 2025-01-10, until: 2025-01-09, why: x}",
            "expect[0].until",
            "must not be before `from` (2025-01-10)",
        ),
        (
            "3",
            "expect[0]",
            "must be a mapping, got 3",
        ),
    ],
)
def test_an_expectation_is_refused_naming_the_entry(item: str, path: str, message: str) -> None:
    assert refusal(item) == (path, expect_line(item), message)


def test_expect_must_be_a_list() -> None:
    text = scenario_text(expect="expect: {at_least: 3, by: 2025-01-10, why: x}\n")

    problem = the_problem(text)

    assert (problem.path, problem.line) == ("expect", line_of(text, "expect:"))
    assert problem.message == "must be a list, got a mapping"


def test_every_broken_expectation_is_reported_and_nothing_is_loaded() -> None:
    text = with_expect(
        "{at_least: 3, by: 2025-01-10, why: fine}",
        "{at_least: 9, by: 2025-01-10, why: x}",
        "{at_most: 1, from: 2025-02-01, why: x}",
    )

    problems = problems_of(text)

    assert [(p.path, p.line) for p in problems] == [
        ("expect[1].at_least", line_of(text, "at_least: 9")),
        ("expect[2].from", line_of(text, "at_most: 1")),
    ]
