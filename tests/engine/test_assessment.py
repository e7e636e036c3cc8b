"""The stored form of an assessment: plain JSON, with the hold's memory readable back."""

from __future__ import annotations

import json

from readiness.engine import assess, last_indicated_from_dict
from readiness.engine.vocabulary import RouteMode

from .builders import BAMAKO, NOW, indicator, inputs, manual, quiet_ladder, route


def stored() -> dict[str, object]:
    a = assess(
        inputs(
            current_level=1,
            ladder=quiet_ladder(l3=(manual(),)),
            indicators=(indicator("a", severity=4),),
            routes=(route("air", closes_at_threat=85), route("mil", RouteMode.MILITARY_AIR)),
            population=BAMAKO,
        )
    )
    return a.to_dict()


def test_round_trips_through_json() -> None:
    data = stored()
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_plain_values_only() -> None:
    data = stored()
    assert data["at"] == NOW.isoformat()
    assert data["verdict"] in ("late", "act_now", "watch", "on_time", "too_early")
    first = data["indicators"][0]  # type: ignore[index]
    assert first["category"] == "incident" and first["reliability"] == "A"
    level4 = data["levels"][4]  # type: ignore[index]
    assert set(level4["load_by_group"]) == {
        "citizens",
        "non_essential_staff",
        "dependants",
        "school_staff",
    }
    mil = data["routes"][1]  # type: ignore[index]
    assert (mil["horizon_days"], mil["horizon_source"], mil["seats_before_close"]) == (
        None,
        "none",
        None,
    )  # never closes: null, and the source says why
    assert data["params"]["half_life_days"]["incident"] == 7  # type: ignore[index]


def test_last_indicated_reads_back() -> None:
    data = stored()
    assert data["last_indicated"] == {"3": NOW.isoformat()}
    assert last_indicated_from_dict(data["last_indicated"]) == {3: NOW}  # type: ignore[arg-type]
