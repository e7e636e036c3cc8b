"""Input records: validation at the door, and the fingerprint that spots duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from readiness.engine import IndicatorIn, Population, Readiness, RouteIn, StaffIn
from readiness.engine.vocabulary import Category, Reliability, RouteMode, RouteStatus

from .builders import BAMAKO, NOW, ago, indicator, inputs, route


def test_plain_strings_become_enums() -> None:
    i = IndicatorIn("x", "supply", 4, "B", 2, NOW)  # type: ignore[arg-type]
    assert i.category is Category.SUPPLY and i.reliability is Reliability.B
    r = RouteIn("air", "commercial_air", "open", 80)  # type: ignore[arg-type]
    assert r.mode is RouteMode.COMMERCIAL_AIR and r.status is RouteStatus.OPEN


@pytest.mark.parametrize(
    "kwargs",
    [
        {"severity": 0},
        {"severity": 6},
        {"credibility": 7},
        {"observed_at": datetime(2025, 11, 6)},  # naive
        {"ended_at": NOW},  # an event does not end
    ],
)
def test_bad_indicators_are_refused(kwargs: dict[str, object]) -> None:
    base = {"id": "x", "category": "incident", "severity": 3, "reliability": "A"}
    base |= {"credibility": 1, "observed_at": NOW}
    with pytest.raises(ValueError):
        IndicatorIn(**(base | kwargs))  # type: ignore[arg-type]


def test_known_at_is_the_later_of_observed_and_recorded() -> None:
    assert indicator(age_days=2).known_at == ago(2)
    assert indicator(age_days=2, recorded_at=ago(1)).known_at == ago(1)
    assert indicator(age_days=2, recorded_at=ago(3)).known_at == ago(2)


def test_military_routes_default_to_the_top_rank() -> None:
    assert route(mode=RouteMode.MILITARY_AIR).usable_from_rank(6) == 6
    assert route(mode=RouteMode.MILITARY_AIR, usable_from=4).usable_from_rank(6) == 4
    assert route().usable_from_rank(6) == 0


def test_population_refuses_more_duals_than_registered() -> None:
    with pytest.raises(ValueError):
        Population(10, 11, 0, 0, 0, 0, 0)


def test_readiness_refuses_an_overfull_checklist() -> None:
    with pytest.raises(ValueError):
        Readiness(checklists={3: (4, 3)})


def test_inputs_refuse_duplicates_and_unknown_levels() -> None:
    with pytest.raises(ValueError, match="ids"):
        inputs(indicators=(indicator("a"), indicator("a")))
    with pytest.raises(ValueError, match="keys"):
        inputs(routes=(route("a"), route("a")))
    with pytest.raises(ValueError, match="current_level"):
        inputs(current_level=9)
    with pytest.raises(ValueError, match="usable_from"):
        inputs(routes=(route(usable_from=7),))
    with pytest.raises(ValueError, match="aware"):
        inputs(now=datetime(2025, 11, 6))


class TestFingerprint:
    def base(self) -> dict[str, object]:
        return {
            "indicators": (indicator("a"), indicator("b", severity=5)),
            "routes": (route("air"), route("road", RouteMode.ROAD)),
            "population": BAMAKO,
            "readiness": Readiness(
                staff=(StaffIn(ago(1), True), StaffIn(None, False)),
                warden_zones=frozenset({"A", "B"}),
            ),
        }

    def test_ignores_now_and_order(self) -> None:
        one = inputs(**self.base())
        swapped = self.base() | {
            "now": NOW + timedelta(days=3),
            "indicators": (indicator("b", severity=5), indicator("a")),
            "routes": (route("road", RouteMode.ROAD), route("air")),
            "readiness": Readiness(
                staff=(StaffIn(None, False), StaffIn(ago(1), True)),
                warden_zones=frozenset({"B", "A"}),
            ),
        }
        assert one.fingerprint() == inputs(**swapped).fingerprint()

    def test_same_instant_in_another_zone_hashes_the_same(self) -> None:
        one = inputs(indicators=(indicator("a"),))
        bamako_noon = NOW.astimezone(timezone(timedelta(hours=2)))
        other = inputs(indicators=(replace(indicator("a"), observed_at=bamako_noon),))
        assert one.fingerprint() == other.fingerprint()

    def test_changes_with_any_input(self) -> None:
        one = inputs(**self.base())
        for change in (
            {"current_level": 1},
            {"indicators": (indicator("a"), indicator("b", severity=4))},
            {"routes": (route("air", seats=81), route("road", RouteMode.ROAD))},
            {"population": replace(BAMAKO, dependants=19)},
            {"last_indicated": {1: NOW}},
        ):
            assert inputs(**(self.base() | change)).fingerprint() != one.fingerprint()

    def test_is_a_sha256_hex_digest(self) -> None:
        digest = inputs().fingerprint()
        assert len(digest) == 64 and int(digest, 16) >= 0
