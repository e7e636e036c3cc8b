"""Trigger and check details in the officer's language (readiness/dashboard/details.py),
from the codes and facts the engine stores beside its English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from readiness.dashboard import details
from readiness.engine import wording
from readiness.scenarios.replay import replay
from readiness.scenarios.schema import load_scenario_file

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.yaml"))

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
                "detail": "threat index 76.2 >= 65",
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
# Said differently on purpose: dates in the officer's format and time zone.
LOCAL_FORMAT = {"reason_hold"}


def stored(code: str, **more: object) -> dict[str, object]:
    return {
        "detail": wording.detail(code, FACTS[code]),
        "detail_code": code,
        "detail_facts": FACTS[code],
        **more,
    }


def test_every_code_the_engine_writes_can_be_said_here() -> None:
    assert set(details.SAY) == set(wording.DETAILS) == set(FACTS)


@pytest.mark.parametrize("code", sorted(set(FACTS) - LOCAL_FORMAT))
def test_in_english_the_dashboard_says_what_the_engine_said(code: str) -> None:
    with translation.override("en"):
        assert details.detail(stored(code)) == wording.detail(code, FACTS[code])


@pytest.mark.parametrize("code", sorted(set(FACTS) - {"manual_set"}))
def test_in_french_every_detail_is_translated(code: str) -> None:
    with translation.override("fr"):
        said = details.detail(stored(code))
    assert said and said != wording.detail(code, FACTS[code])


def test_french_details_read_as_french_with_french_numbers() -> None:
    with translation.override("fr"):
        assert details.detail(stored("index")) == "indice « approvisionnement » 44,2 < 50"
        assert details.detail(stored("margin_overdue")) == (
            "le niveau 4 était dû il y a 1,3 jours ; alerte sous 3 jours"
        )
        assert details.detail(stored("assembly_points")) == (
            "zones dotées d\u2019un point de regroupement : 1 sur 5 ; capacité 2\xa0100 pour "
            "1\xa0940 personnes"
        )
        assert details.detail(stored("manual_unset"), enabled=False) == "désactivé ; non activé"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_detail_of_a_replayed_scenario_reads_the_same_in_english(seed: Path) -> None:
    result = replay(load_scenario_file(seed))
    with translation.override("en"):
        for day in result.days[::7]:
            data = day.assessment.to_dict()
            for trigger in data["triggers"]:
                assert details.detail(trigger, enabled=trigger["enabled"]) == trigger["detail"]
            for check in data["preparedness"]["checks"]:
                assert details.detail(check) == check["detail"]
            for reason in data["reasons"]:
                if reason["detail_code"] not in LOCAL_FORMAT:
                    assert details.detail(reason) == reason["text"]
            for warning in data["warning_details"]:
                assert details.detail(warning) == warning["detail"]


def test_a_hold_reads_with_the_officer_s_dates() -> None:
    with translation.override("en"):
        assert details.detail(stored("reason_hold")).startswith("Reduced presence held until ")
    with translation.override("fr"):
        said = details.detail(stored("reason_hold"))
    assert said.startswith("Niveau « Présence réduite » maintenu jusqu") and "2025" in said


def test_an_explanation_without_codes_or_with_strange_facts_shows_its_english() -> None:
    with translation.override("fr"):
        assert details.detail({"detail": "threat index 76.2 >= 65"}) == "threat index 76.2 >= 65"
        unknown = {
            "detail": "future words",
            "detail_code": "from_a_newer_engine",
            "detail_facts": {},
        }
        assert details.detail(unknown) == "future words"
        broken = {"detail": "as stored", "detail_code": "index", "detail_facts": {"value": 3}}
        assert details.detail(broken) == "as stored"


def test_said_once_remembers_per_language() -> None:
    reasons = [stored("reason_baseline"), stored("reason_time")]
    with translation.override("en"):
        english = details.said_once(("assessment 1", "reasons"), reasons)
        assert english == [details.detail(r) for r in reasons]
        # Remembered: the same key gives the same sentences without saying them again.
        assert details.said_once(("assessment 1", "reasons"), []) == english
    with translation.override("fr"):
        french = details.said_once(("assessment 1", "reasons"), reasons)
        assert french == [details.detail(r) for r in reasons]
    assert french != english
