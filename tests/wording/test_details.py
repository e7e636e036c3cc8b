"""Every sentence the engine can ask for, said by the one renderer (readiness.wording)
from the codes and facts it stores: in English (the message ids), in French, and for
explanations stored by older versions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import translation

from readiness.engine.detail import CODES
from readiness.scenarios.replay import replay
from readiness.scenarios.schema import load_scenario_file
from readiness.wording import details, numbers
from readiness.wording.verdict import verdict

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.yaml"))
FORMAT_3 = json.loads((ROOT / "tests" / "fixtures" / "explanations_format3.json").read_text())

# One set of facts for every code the engine writes.
FACTS = {
    "index": {"category": "supply", "value": 44.25, "threshold": 50, "met": False},
    "count": {
        "found": 2,
        "category": "peer_action",
        "min_severity": 4,
        "within_days": 30,
        "needed": 1,
    },
    "count_with": {
        "found": 1,
        "category": "incident",
        "min_severity": 5,
        "within_days": 3,
        "needed": 1,
        "with_found": 0,
        "with_category": "peer_action",
        "with_min_severity": 4,
    },
    "route_missing": {"route": None, "mode": "sea"},
    "route_closed": {"route": None, "mode": "commercial_air", "closed": 0, "total": 1},
    "route_seats": {"route": "corsair", "mode": None, "seats": 55, "below": 20, "met": False},
    "margin_no_level": {"rank": 7},
    "margin_no_deadline": {"rank": 2},
    "margin_no_means": {"rank": 4, "below": 3},
    "margin_overdue": {"rank": 4, "days": 1.26, "below": 3},
    "margin_due": {"rank": 3, "days": 12.4, "below": 3},
    "manual_set": {"reason": "Ambassador's call after the convoy attack"},
    "manual_unset": {},
    "staff_confirmed": {"confirmed": 38, "total": 40, "days": 30},
    "staff_contactable": {"contactable": 40, "total": 40},
    "no_staff": {},
    "warden_coverage": {"covered": 3, "zones": 5, "missing": ["Hippodrome", "Kalaban"]},
    "no_zones": {},
    "assembly_points": {"with_point": 1, "zones": 5, "capacity": 2100, "people": 1940},
    "routes_verified": {"verified": 4, "total": 4, "hours": 72},
    "no_routes": {},
    "checklist": {"done": 2, "total": 3, "rank": 4, "level_name": "Reduced presence"},
    "no_higher_level": {},
    "reason_trigger": {
        "level_name": "Citizens advised to leave",
        "triggers": [
            {
                "name": "Threat index severe",
                "detail_code": "index",
                "detail_facts": {"category": None, "value": 76.2, "threshold": 65, "met": True},
            },
        ],
    },
    "reason_hold": {
        "level_name": "Reduced presence",
        "held_until": dt.datetime(2025, 11, 30, 9, 34, tzinfo=dt.UTC),
        "last": dt.datetime(2025, 11, 20, 9, 34, tzinfo=dt.UTC),
    },
    "reason_time": {
        "level_name": "Reduced presence",
        "people": 1912.4,
        "due": "overdue",
        "days": 1.26,
        "buffer": 3,
        "target_name": "Reduced presence",
    },
    "reason_baseline": {"buffer": 3, "level_name": "Normal"},
    "reason_means": {
        "level_name": "Reduced presence",
        "people": 1912.4,
        "due": "overdue",
        "days": 1.8,
        "target_name": "Evacuation",
        "target_due": "due",
        "target_days": 6.5,
    },
    "index_above": {
        "category": None,
        "value": 47.1,
        "index": 74.9,
        "baseline": 52.3,
        "threshold": 65,
        "met": False,
    },
    "no_route_at_all": {},
    "no_route_at_levels": {"ranks": [3, 4]},
    "trigger_route_unknown": {"rank": 6, "name": "Last ferry", "route": "ferry"},
    "quorum_unreachable": {"rank": 5, "quorum": 3, "enabled": 2},
}

# What an officer reads in English, code by code.
ENGLISH = {
    "assembly_points": "1 of 5 zones have an assembly point; capacity 2,100 for 1,940 people",
    "checklist": "2 of 3 actions of level 4 (Reduced presence) pre-positioned",
    "count": "2 peer action indicator(s) of severity >= 4 in the last 30 days, 1 needed",
    "count_with": "1 incident indicator(s) of severity >= 5 in the last 3 days, 1 needed; and 0 peer action indicators of severity >= 4 in the same days, 1 needed",
    "index": "supply index 44.2 < 50",
    "index_above": "threat index 74.9, 47.1 above the post's normal of 52.3: 47.1 < 65",
    "manual_set": "Ambassador's call after the convoy attack",
    "manual_unset": "not set",
    "margin_due": "level 3 is due within 12 days; alarm under 3 days",
    "margin_no_deadline": "level 2 has no deadline",
    "margin_no_level": "no level 7",
    "margin_no_means": "level 4: no means left to move its people; alarm under 3 days",
    "margin_overdue": "level 4 was due 1.3 days ago; alarm under 3 days",
    "no_higher_level": "no higher level to prepare",
    "no_route_at_all": "No exit route is recorded: no deadline can be computed.",
    "no_route_at_levels": "No exit route usable at level(s) 3, 4 is recorded: no deadline there.",
    "no_routes": "no exit route recorded",
    "no_staff": "no staff on the roster",
    "no_zones": "no zones recorded",
    "quorum_unreachable": "Level 5 needs 3 triggers but has 2 enabled: it can never be indicated.",
    "reason_baseline": "No trigger is met and no deadline falls within the safety buffer of 3 days: Normal",
    "reason_hold": "Reduced presence held until Nov. 30, 2025, 9:34 a.m.: it was last indicated on Nov. 20, 2025",
    "reason_means": "The 1,912 people already called at Reduced presence cannot all leave by the means usable there (overdue by 1.8 days); only the means of Evacuation can still carry them, and Evacuation is due within 6.5 days",
    "reason_time": "Reduced presence (1,912 people expected to have left by then) was due 1.3 days ago, within the safety buffer of 3 days; Reduced presence is the next step that moves people",
    "reason_trigger": "Citizens advised to leave: Threat index severe (threat index 76.2 >= 65)",
    "route_closed": "0 of 1 commercial air routes closed",
    "route_missing": "no sea routes recorded",
    "route_seats": "route corsair: 55 seats/day >= 20",
    "routes_verified": "4 of 4 routes verified in the last 72 hours",
    "staff_confirmed": "38 of 40 staff confirmed in the last 30 days",
    "staff_contactable": "40 of 40 staff contactable",
    "trigger_route_unknown": "Level 6 trigger 'Last ferry' watches route ferry, which is not recorded: it can never be met.",
    "warden_coverage": "3 of 5 zones have a warden; none in Hippodrome and Kalaban",
}


def stored(code: str, **more: object) -> dict[str, object]:
    return {"detail_code": code, "detail_facts": FACTS[code], **more}


def test_every_code_the_engine_writes_has_a_sentence() -> None:
    assert set(details.SAY) == CODES == set(FACTS) == set(ENGLISH)


@pytest.mark.parametrize("code", sorted(FACTS))
def test_in_english(code: str) -> None:
    with translation.override("en"):
        assert details.detail(stored(code)) == ENGLISH[code]


@pytest.mark.parametrize("code", sorted(set(FACTS) - {"manual_set"}))
def test_in_french_every_detail_is_translated(code: str) -> None:
    with translation.override("fr"):
        said = details.detail(stored(code))
    assert said and said != ENGLISH[code]


def test_french_details_read_as_french_with_french_numbers() -> None:
    with translation.override("fr"):
        assert details.detail(stored("index")) == "indice « approvisionnement » 44,2 < 50"
        assert details.detail(stored("margin_overdue")) == (
            "le niveau 4 était dû il y a 1,3 jour\u202f; alerte sous 3 jours"
        )
        # French spacing: a no-break space before a colon, a narrow one before a semicolon.
        assert details.detail(stored("assembly_points")) == (
            "zones dotées d\u2019un point de regroupement\xa0: 1 sur 5\u202f; capacité 2\xa0100 "
            "pour 1\xa0940 personnes"
        )
        assert (
            details.detail(stored("manual_unset"), enabled=False) == "désactivé\u202f; non activé"
        )


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_sentence_of_a_replayed_scenario_is_said_from_its_code(seed: Path) -> None:
    """The engine stores no English: each detail, reason and warning of a replay is said
    from a code of the contract, in both languages, and so is the verdict."""
    result = replay(load_scenario_file(seed))
    for day in result.days[::7]:
        data = day.assessment.to_dict()
        said = [
            *data["triggers"],
            *data["preparedness"]["checks"],
            *data["reasons"],
            *data["warning_details"],
        ]
        assert "verdict_text" not in data
        for item in said:
            assert "detail" not in item and "text" not in item
            assert item["detail_code"] in CODES
            for language in ("en", "fr"):
                with translation.override(language):
                    assert details.detail(item, enabled=item.get("enabled", True))
        for language in ("en", "fr"):
            with translation.override(language):
                assert verdict(data)


@pytest.mark.parametrize("day", sorted(FORMAT_3))
def test_an_explanation_stored_in_format_3_still_reads_as_it_did(day: str) -> None:
    """Format 3 stored English beside its codes: said again from the codes, each detail
    reads as its stored English did (the reasons lost their 'Time: ' and 'Means: ' heads,
    which the page's tag already says; a hold's dates are in the officer's format)."""
    exp = FORMAT_3[day]
    assert exp["format"] == 3
    with translation.override("en"):
        for trigger in exp["triggers"]:
            assert details.detail(trigger, enabled=trigger["enabled"]) == trigger["detail"]
        for check in exp["preparedness"]["checks"]:
            assert details.detail(check) == check["detail"]
        for reason in exp["reasons"]:
            if reason["kind"] != "hold":
                text = reason["text"].removeprefix("Time: ").removeprefix("Means: t")
                assert details.detail(reason).removeprefix("T") == text.removeprefix("T")
        for warning in exp["warning_details"]:
            assert details.detail(warning) == warning["detail"]
        sentence = verdict(exp)
        if exp["verdict"] in ("act_now", "late"):
            # Its clauses were reworded; its figures are the stored ones.
            level = exp["levels"][exp["recommended_level"]]
            assert numbers.days(abs(level["margin_days"])) in sentence
            assert numbers.people(level["load"]) in sentence
        else:
            assert sentence == exp["verdict_text"]
    with translation.override("fr"):
        assert verdict(exp) != sentence


def test_a_hold_reads_with_the_officer_s_dates() -> None:
    with translation.override("en"):
        assert details.detail(stored("reason_hold")).startswith("Reduced presence held until ")
    with translation.override("fr"):
        said = details.detail(stored("reason_hold"))
    assert said.startswith("Niveau « Présence réduite » maintenu jusqu") and "2025" in said


def test_an_explanation_without_codes_or_with_strange_facts_shows_its_english() -> None:
    with translation.override("fr"):
        assert details.detail({"detail": "threat index 76.2 >= 65"}) == "threat index 76.2 >= 65"
        assert details.detail({"text": "Time: as stored"}) == "Time: as stored"
        unknown = {
            "detail": "future words",
            "detail_code": "from_a_newer_engine",
            "detail_facts": {},
        }
        assert details.detail(unknown) == "future words"
        broken = {"detail": "as stored", "detail_code": "index", "detail_facts": {"value": 3}}
        assert details.detail(broken) == "as stored"
        assert verdict({"verdict_text": "Old words"}) == "Old words"
