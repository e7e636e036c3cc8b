"""The shipped Bamako scenario parses and says what the seed articles say."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from readiness.engine.defaults import DEFAULT_LADDER
from readiness.engine.vocabulary import Category, RouteMode, RouteStatus
from readiness.scenarios.replay import replay
from readiness.scenarios.schema import Scenario, load_scenario_file
from tests.saying import sentence

BAMAKO_FILE = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
BAMAKO = ZoneInfo("Africa/Bamako")


@pytest.fixture(scope="module")
def bamako() -> Scenario:
    return load_scenario_file(BAMAKO_FILE)


def test_post_and_period(bamako: Scenario) -> None:
    assert bamako.id == "bamako-2025"
    assert (bamako.post.code, bamako.post.country, bamako.post.timezone) == (
        "ML-BKO",
        "ML",
        "Africa/Bamako",
    )
    assert bamako.post.level == 2
    assert bamako.start == datetime(2025, 8, 15, tzinfo=BAMAKO)
    assert bamako.end == datetime(2025, 12, 15, tzinfo=BAMAKO)


def test_uses_the_shipped_ladder_and_triggers(bamako: Scenario) -> None:
    assert bamako.ladder == DEFAULT_LADDER
    assert bamako.ladder_is_default and bamako.triggers_are_default


def test_rosters(bamako: Scenario) -> None:
    expatriates = [row for row in bamako.staff if row.category == "expatriate"]
    assert sum(row.count for row in expatriates) == 40
    assert sum(row.count for row in expatriates if not row.essential) == 12  # "a dozen"
    assert sum(row.dependants for row in bamako.staff) == 18
    assert sum(row.count for row in bamako.staff if row.category == "local") == 60
    assert len(bamako.schools) == 7
    assert {"Lycée Liberté", "École Les Lutins", "École Les Angelots"} <= {
        school.name for school in bamako.schools
    }
    assert max(bamako.schools, key=lambda school: school.pupils).name == "Lycée Liberté"
    assert sum(school.expatriate_staff for school in bamako.schools) == 60
    assert (bamako.community.registered, bamako.community.dual_nationals) == (4000, 2800)
    assert bamako.community.unregistered_estimate == 300
    assert bamako.wardens and bamako.assembly_points


def test_routes(bamako: Scenario) -> None:
    routes = {route.key: route for route in bamako.routes}
    air = routes["air-commercial"]
    assert (air.mode, air.status, air.seats_per_day) == (
        RouteMode.COMMERCIAL_AIR,
        RouteStatus.OPEN,
        80,
    )
    assert (air.lead_time_hours, air.closes_at_threat) == (0, 85)
    road = next(route for route in bamako.routes if route.mode is RouteMode.ROAD)
    assert road.status is RouteStatus.CLOSED and road.closes_at_threat == 40
    assert not any(route.mode is RouteMode.SEA for route in bamako.routes)  # landlocked
    military = next(route for route in bamako.routes if route.mode is RouteMode.MILITARY_AIR)
    assert military.lead_time_hours == 72 and military.usable_from is None


def test_decisions_at_ranks_3_and_4_on_the_right_days(bamako: Scenario) -> None:
    decisions = [(entry.at, entry.decision.level) for entry in bamako.timeline if entry.decision]

    assert decisions == [
        (datetime(2025, 11, 7, tzinfo=BAMAKO), 3),
        (datetime(2025, 11, 20, tzinfo=BAMAKO), 4),
    ]


def test_timeline_is_sorted_and_of_a_useful_size(bamako: Scenario) -> None:
    times = [entry.at for entry in bamako.timeline]

    assert times == sorted(times)
    assert 25 <= len(bamako.timeline) <= 40
    assert all(bamako.start <= at <= bamako.end for at in times)


def test_the_blockade_and_its_brief_relief(bamako: Scenario) -> None:
    first = next(
        entry
        for entry in bamako.timeline
        if entry.indicator and entry.indicator.key == "fuel-blockade"
    )
    assert first.at.date().isoformat() == "2025-09-03"
    assert first.indicator is not None
    assert (first.indicator.category, first.indicator.severity, first.indicator.ongoing) == (
        Category.SUPPLY,
        4,
        True,
    )
    assert (first.indicator.reliability, first.indicator.credibility) == ("B", 2)
    ended = [entry.end.indicator_key for entry in bamako.timeline if entry.end]
    assert ended == ["fuel-blockade", "fuel-convoys-return"]
    ongoing_at_end = {
        entry.indicator.key
        for entry in bamako.timeline
        if entry.indicator and entry.indicator.ongoing and entry.indicator.key not in ended
    }
    assert "fuel-blockade-tightened" in ongoing_at_end


def test_peer_actions_come_weeks_before_the_drawdown(bamako: Scenario) -> None:
    peers = [
        entry
        for entry in bamako.timeline
        if entry.indicator and entry.indicator.category is Category.PEER_ACTION
    ]
    assert peers and all(entry.indicator and entry.indicator.severity >= 4 for entry in peers)
    assert all(entry.at.month == 10 for entry in peers)


def test_threats_to_foreigners_stay_modest(bamako: Scenario) -> None:
    severities = [
        entry.indicator.severity
        for entry in bamako.timeline
        if entry.indicator and entry.indicator.category is Category.THREAT_TO_FOREIGNERS
    ]
    assert severities and max(severities) <= 3


def test_registered_citizens_fall_after_the_advice_to_leave(bamako: Scenario) -> None:
    changes = [(entry.at, entry.community) for entry in bamako.timeline if entry.community]
    registered = [change.registered for _at, change in changes]

    assert all(at > datetime(2025, 11, 7, tzinfo=BAMAKO) for at, _change in changes)
    assert registered == sorted(registered, reverse=True)
    assert registered[0] is not None and registered[0] < 4000


def test_assumptions_are_written_down(bamako: Scenario) -> None:
    notes = " ".join(bamako.notes)

    for word in ("Assumed", "Inferred", "invented", "landlocked", "Air France"):
        assert word in notes


def test_after_the_reduced_presence_decision_the_answer_is_coherent(bamako: Scenario) -> None:
    """Issue: at level 4 the gauge said "on time, no deadline" while level 4's own margin
    was negative. Every day from the decision on, the verdict agrees with the tables."""
    days = [d for d in replay(bamako).days if d.date >= dt.date(2025, 11, 20)]
    assert days and all(d.assessment.current_level == 4 for d in days)
    for d in days:
        a = d.assessment
        own = a.levels[4]
        if own.margin_days is not None and own.margin_days < 0:
            assert a.verdict in ("late", "act_now"), d.date
            assert a.recommended_level >= 4, d.date
        else:
            assert a.verdict != "late" or a.recommended_level > 4, d.date
        assert "no deadline lies ahead" not in sentence(a) or all(
            lv.margin_days is None for lv in a.levels if lv.rank > 4 and lv.moves_people
        )
