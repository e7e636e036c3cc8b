"""What changed between two assessments: pairs of explanations built with the engine on
plain inputs a day apart (tests/engine/builders.py), and figures rounded once."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from readiness.assessments.changes import (
    Change,
    assessment_changes,
    round_days,
    same_inputs,
)
from readiness.engine import assess
from readiness.engine.vocabulary import Category, RouteMode, RouteStatus
from tests.engine.builders import BAMAKO, DAY, NOW, indicator, inputs, manual, quiet_ladder, route

ROUTES = (
    route("air", seats=55, closes_at_threat=85),
    route(
        "charter",
        mode=RouteMode.CHARTER_AIR,
        status=RouteStatus.UNKNOWN,
        seats=60,
        closes_at_threat=90,
        lead_time_hours=48,
    ),
)
BLOCKADE = indicator("1", category=Category.SUPPLY, severity=5, age_days=3, ongoing=True)
CLASH = indicator("2", severity=4, age_days=1)
PEER = indicator("3", category=Category.PEER_ACTION, severity=5)


def explanation(*, at: Any = NOW, **kwargs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "indicators": (BLOCKADE, CLASH),
        "routes": ROUTES,
        "population": BAMAKO,
        "current_level": 3,
    }
    base.update(kwargs)
    return assess(inputs(now=at, **base)).to_dict()


def codes(changes: list[Change]) -> list[str]:
    return [c.code for c in changes]


def only(changes: list[Change], code: str) -> list[Change]:
    return [c for c in changes if c.code == code]


def test_a_day_with_nothing_entered_is_the_clock():
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW)
    changes = assessment_changes(before, after)
    assert changes[0].code == "clock" and changes[0].facts == {"minutes": 1440}
    assert same_inputs(before, after)
    # The indicators aged: the threat index moved, and nothing was new or gone.
    assert "threat_index" in codes(changes)
    assert not [c for c in changes if c.code.startswith(("indicator_", "trigger_", "route_s"))]


def test_a_new_indicator_is_not_the_clock_and_comes_before_the_figures_it_moved():
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, indicators=(BLOCKADE, CLASH, PEER))
    changes = assessment_changes(before, after)
    assert "clock" not in codes(changes)
    (new,) = only(changes, "indicator_new")
    assert new.facts["id"] == "3" and new.facts["weight"] == 5.0
    assert new.facts["category"] == "peer_action" and new.facts["grading"] == "A1"
    order = codes(changes)
    # What the meeting decides on, then the tripwires, then what was entered, then figures.
    assert order.index("recommended_level") < order.index("verdict") < order.index("trigger_met")
    assert order.index("trigger_met") < order.index("indicator_new") < order.index("threat_index")
    recommended = only(changes, "recommended_level")[0].facts
    assert recommended["before"] < recommended["after"]
    assert recommended["after_name"] == after["levels"][recommended["after"]]["name"]


def test_the_figures_before_and_after_are_the_explanations():
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, indicators=(BLOCKADE, CLASH, PEER))
    changes = assessment_changes(before, after)
    threat = only(changes, "threat_index")[0].facts
    assert threat["before"] == round(before["threat_index"], 1)
    assert threat["after"] == round(after["threat_index"], 1)
    for change in only(changes, "level_margin"):
        rank = change.facts["rank"]
        assert change.facts["before"] == round_days(before["levels"][rank]["margin_days"])
        assert change.facts["after"] == round_days(after["levels"][rank]["margin_days"])
    for change in only(changes, "route_horizon"):
        key = change.facts["key"]
        was = next(r for r in before["routes"] if r["key"] == key)
        assert change.facts["before"] == round_days(was["horizon_days"])
        assert change.facts["before_source"] == was["horizon_source"]


def test_differences_are_those_of_the_rounded_figures_shown():
    before = explanation(at=NOW - DAY)
    after = copy.deepcopy(before)
    after["at"] = NOW.isoformat()
    # 1,911.6 and 1,755.4 are shown as 1,912 and 1,755: the difference shown is 157, not
    # the 156.2 between the unrounded loads.
    before["levels"][4]["load"], after["levels"][4]["load"] = 1911.6, 1755.4
    # 12.4 days is shown as 12, 8.44 as 8.4: the margin moved by 3.6 on screen.
    before["levels"][4]["margin_days"], after["levels"][4]["margin_days"] = 12.4, 8.44
    before["threat_index"], after["threat_index"] = 50.04, 50.16  # 50 -> 50.2
    changes = assessment_changes(before, after)
    load = only(changes, "level_load")[0].facts
    assert (load["before"], load["after"], load["difference"]) == (1912, 1755, -157)
    margin = next(c.facts for c in only(changes, "level_margin") if c.facts["rank"] == 4)
    assert (margin["before"], margin["after"], margin["difference"]) == (12.0, 8.4, -3.6)
    threat = only(changes, "threat_index")[0].facts
    assert (threat["before"], threat["after"], threat["difference"]) == (50.0, 50.2, 0.2)


def test_a_figure_whose_rounded_value_did_not_move_is_not_a_change():
    before = explanation(at=NOW - DAY)
    after = copy.deepcopy(before)
    before["threat_index"], after["threat_index"] = 50.01, 50.04
    after["levels"][4]["load"] = before["levels"][4]["load"] + 0.2
    assert [c for c in assessment_changes(before, after) if c.code != "clock"] == []


def test_an_expired_indicator_is_the_clock_too():
    flash = indicator("9", severity=4, age_days=1.5, expires_at=NOW - DAY / 4)
    before = explanation(at=NOW - DAY, indicators=(BLOCKADE, CLASH, flash))
    after = explanation(at=NOW, indicators=(BLOCKADE, CLASH, flash))
    changes = assessment_changes(before, after)
    (expired,) = only(changes, "indicator_expired")
    assert expired.facts["id"] == "9" and expired.facts["before"] > 0
    assert changes[0].code == "clock"


def test_a_condition_marked_ended_is_entered():
    ended = replace(BLOCKADE, ended_at=NOW - DAY / 2)
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, indicators=(ended, CLASH))
    changes = assessment_changes(before, after)
    (change,) = only(changes, "indicator_ended")
    assert change.facts["before"] > change.facts["after"] > 0
    assert "clock" not in codes(changes)


def test_a_route_checked_degraded_halves_its_seats_and_moves_its_horizon():
    degraded = (replace(ROUTES[0], status=RouteStatus.DEGRADED), ROUTES[1])
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, routes=degraded)
    changes = assessment_changes(before, after)
    status = only(changes, "route_status")[0].facts
    assert (status["key"], status["before"], status["after"]) == ("air", "open", "degraded")
    assert "clock" not in codes(changes)
    assert changes[0].code in {"route_status", "recommended_level", "verdict", "trigger_met"}


def test_a_route_that_closed_has_no_difference_of_days_only_before_and_after():
    closed = (replace(ROUTES[0], status=RouteStatus.CLOSED), ROUTES[1])
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, routes=closed)
    horizon = [c.facts for c in only(assessment_changes(before, after), "route_horizon")]
    air = next(f for f in horizon if f["key"] == "air")
    assert air["after"] == 0 and air["after_source"] == "closed"
    assert air["difference"] == round(air["after"] - air["before"], 1)


def test_a_horizon_that_appears_has_no_difference():
    before = explanation(at=NOW - DAY, indicators=())  # T = 0: no route is expected to close
    after = explanation(at=NOW)
    air = next(
        c.facts
        for c in assessment_changes(before, after)
        if c.code == "route_horizon" and c.facts["key"] == "air"
    )
    assert air["before"] is None and air["before_source"] == "none"
    assert air["after"] is not None and air["difference"] is None


def test_triggers_newly_met_and_no_longer_met():
    before = explanation(at=NOW, indicators=(BLOCKADE, CLASH, PEER))
    after = explanation(at=NOW + DAY)  # the peer action was deleted
    changes = assessment_changes(before, after)
    assert only(changes, "indicator_removed")[0].facts["id"] == "3"
    unmet = only(changes, "trigger_unmet")
    assert unmet and not only(changes, "trigger_met")
    for change in unmet:
        assert change.facts["detail_code"] and change.facts["level_name"]
    back = assessment_changes(after, before)
    assert {c.facts["name"] for c in only(back, "trigger_met")} == {c.facts["name"] for c in unmet}


def test_a_roster_change_moves_the_loads_and_is_not_the_clock():
    fewer = replace(BAMAKO, citizens_registered=3000, dual_nationals=2100)
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW, population=fewer)
    changes = assessment_changes(before, after)
    loads = {c.facts["rank"]: c.facts for c in only(changes, "level_load")}
    assert set(loads) == {3, 4, 6}  # the levels that move people (not Shelter)
    for rank, facts in loads.items():
        assert facts["after"] == round(after["levels"][rank]["load"])
        assert facts["difference"] == facts["after"] - facts["before"] < 0
    assert "clock" not in codes(changes)


def test_an_older_explanation_without_load_rows_is_compared_too():
    before = explanation(at=NOW - DAY)
    after = explanation(at=NOW)
    for exp in (before, after):
        exp.pop("load_rows", None)
    changes = assessment_changes(before, after)
    assert changes[0].code == "clock"


def test_the_same_explanation_twice_has_no_change_but_the_clock():
    exp = explanation()
    assert assessment_changes(exp, exp) == [Change("clock", {"minutes": 0}, 1000.0)]


def test_a_manual_trigger_set_by_an_officer_is_entered():
    before = explanation(at=NOW - DAY, ladder=quiet_ladder(l4=(manual(active=False),)))
    after = explanation(at=NOW, ladder=quiet_ladder(l4=(manual(active=True),)))
    changes = assessment_changes(before, after)
    assert only(changes, "trigger_met")[0].facts["rank"] == 4
    assert "clock" not in codes(changes)
