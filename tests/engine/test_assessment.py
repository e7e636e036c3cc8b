"""The stored form of an assessment: plain JSON, with the hold's memory readable back."""

from __future__ import annotations

import json

import pytest

from readiness.engine import assess, contributions_from_dict, last_indicated_from_dict
from readiness.engine.assessment import CONTRIBUTION_COLUMNS
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
    first = contributions_from_dict(data)[0]
    assert first["category"] == "incident" and first["reliability"] == "A"
    level4 = data["levels"][4]  # type: ignore[index]
    assert set(level4["load_by_group"]) == {
        "citizens",
        "non_essential_staff",
        "dependants",
        "school_staff",
    }
    calm = assess(
        inputs(routes=(route("mil", RouteMode.MILITARY_AIR),), population=BAMAKO)
    ).to_dict()
    mil = calm["routes"][0]
    assert (mil["horizon_days"], mil["horizon_source"], mil["seats_before_close"]) == (
        None,
        "none",
        None,
    )  # nothing weighs: not expected to close, null, and the source says why
    rows = data["load_rows"]  # type: ignore[index]
    assert sum(
        r["expected"] for r in rows if r["first_rank"] is not None and r["first_rank"] <= 4
    ) == (  # type: ignore[index]
        pytest.approx(level4["load"])
    )
    assert data["params"]["half_life_days"]["incident"] == 7  # type: ignore[index]


def test_last_indicated_reads_back() -> None:
    data = stored()
    assert data["last_indicated"] == {"3": NOW.isoformat()}
    assert last_indicated_from_dict(data["last_indicated"]) == {3: NOW}  # type: ignore[arg-type]


def test_the_indicator_table_is_compact_and_reads_back_whole() -> None:
    a = assess(
        inputs(
            indicators=(
                indicator("a", severity=4, age_days=3),
                indicator("b", severity=2, reliability="C", credibility=3),
                indicator("c", severity=5, ongoing=True, age_days=40),
            ),
            population=BAMAKO,
        )
    )
    data = a.to_dict()
    assert data["indicators"]["columns"] == list(CONTRIBUTION_COLUMNS)
    assert all(len(row) == len(CONTRIBUTION_COLUMNS) for row in data["indicators"]["rows"])
    rows = contributions_from_dict(data)
    assert [row["id"] for row in rows] == [c.id for c in a.indicators]  # heaviest first
    for row, c in zip(rows, a.indicators, strict=True):
        assert (row["category"], row["severity"], row["status"]) == (
            c.category.value,
            c.severity,
            c.status,
        )
        assert row["weight"] == pytest.approx(c.weight, abs=1e-6)
        # Someone reading the table can redo each weight from its factors...
        assert row["severity"] * row["r"] * row["k"] * row["decay"] == pytest.approx(
            row["weight"], abs=1e-5
        )
    # ...and the total W from the weights.
    assert sum(row["weight"] for row in rows) == pytest.approx(data["total_weight"], abs=1e-5)


def test_an_explanation_stored_before_the_table_form_still_reads() -> None:
    legacy = {"indicators": [{"id": "7", "weight": 1.5, "status": "event"}]}
    assert contributions_from_dict(legacy) == [{"id": "7", "weight": 1.5, "status": "event"}]
    assert contributions_from_dict({}) == []
