"""Step 10: the six readiness checks and the weighted 0-100 score."""

from __future__ import annotations

from datetime import timedelta

import pytest

from readiness.engine import DEFAULT_LADDER, DEFAULT_PARAMS, Readiness, StaffIn
from readiness.engine.preparedness import Preparedness, evaluate_preparedness
from readiness.engine.vocabulary import RouteMode

from ..saying import said
from .builders import NOW, ago, route

P = DEFAULT_PARAMS


def run(
    readiness: Readiness, routes: tuple[object, ...] = (), target: int | None = 3
) -> Preparedness:
    return evaluate_preparedness(readiness, routes, DEFAULT_LADDER, target, 2053, NOW, P)  # type: ignore[arg-type]


STAFF = (*(StaffIn(ago(29), n < 8) for n in range(9)), StaffIn(ago(31), False))
POST = Readiness(
    staff=STAFF,
    warden_zones=frozenset({"A", "B", "C"}),
    assembly_zones=frozenset({"A", "B", "C", "D"}),
    assembly_capacity=1500,
    checklists={3: (1, 3)},
)
ROUTES = (
    route("air", verified_at=ago(1)),
    route("road", RouteMode.ROAD, verified_at=NOW - timedelta(hours=71)),
    route("mil", RouteMode.MILITARY_AIR, verified_at=ago(4)),
)


def test_each_check_on_a_half_ready_post() -> None:
    checks = {c.name: c for c in run(POST, ROUTES).checks}
    assert (checks["staff_confirmed"].value, checks["staff_confirmed"].passed) == (0.9, True)
    assert (checks["staff_contactable"].value, checks["staff_contactable"].passed) == (0.8, False)
    assert checks["warden_coverage"].value == 0.75
    assert said(checks["warden_coverage"]) == "3 of 4 zones have a warden; none in D"
    # Every zone has a point, but 1,500 places for 2,053 people: 0.73.
    assert checks["assembly_points"].value == pytest.approx(1500 / 2053)
    assert checks["routes_verified"].value == pytest.approx(2 / 3)
    assert checks["checklist"].value == pytest.approx(1 / 3)
    assert not any(checks[n].passed for n in ("warden_coverage", "assembly_points", "checklist"))


def test_score_is_the_weighted_mean() -> None:
    # (20 x 0.9 + 20 x 0.8 + 15 x 0.75 + 15 x 0.7306 + 15 x 0.6667 + 15 x 0.3333) / 100
    assert run(POST, ROUTES).score == 71


def test_a_fully_ready_post_scores_100() -> None:
    ready = Readiness(
        staff=(StaffIn(ago(1), True),),
        warden_zones=frozenset({"A"}),
        assembly_zones=frozenset({"A"}),
        assembly_capacity=2100,
        checklists={3: (3, 3)},
    )
    result = run(ready, (route(verified_at=ago(0.5)),))
    assert result.score == 100 and all(c.passed for c in result.checks)


def test_an_empty_post_scores_0_but_for_nothing_to_prepare() -> None:
    result = run(Readiness(), (), target=None)
    by = {c.name: c for c in result.checks}
    assert by["checklist"].passed and result.score == 15
    assert said(by["routes_verified"]) == "no exit route recorded"


def test_a_confirmation_after_now_is_not_counted() -> None:
    later = Readiness(staff=(StaffIn(NOW + timedelta(days=1), True),))
    assert {c.name: c for c in run(later).checks}["staff_confirmed"].value == 0


def test_a_missing_checklist_means_nothing_pre_positioned() -> None:
    by = {c.name: c for c in run(Readiness(), target=4).checks}
    assert said(by["checklist"]) == "0 of 3 actions of level 4 (Reduced presence) pre-positioned"
