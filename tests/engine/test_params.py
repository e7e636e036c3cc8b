"""The tunables: DESIGN.md's defaults, and refusal of values the formulas cannot use."""

from __future__ import annotations

from dataclasses import replace

import pytest

from readiness.engine import DEFAULT_PARAMS, Params
from readiness.engine.vocabulary import Category, Reliability, RouteStatus


def test_reliability_and_credibility_tables_are_the_design_ones() -> None:
    assert dict(DEFAULT_PARAMS.reliability_factor) == {
        Reliability.A: 1.0,
        Reliability.B: 0.8,
        Reliability.C: 0.6,
        Reliability.D: 0.4,
        Reliability.E: 0.2,
        Reliability.F: 0.5,
    }
    assert dict(DEFAULT_PARAMS.credibility_factor) == {
        1: 1.0,
        2: 0.8,
        3: 0.6,
        4: 0.4,
        5: 0.2,
        6: 0.5,
    }


def test_every_category_has_a_half_life() -> None:
    assert set(DEFAULT_PARAMS.half_life_days) == set(Category)
    assert DEFAULT_PARAMS.half_life_days[Category.INCIDENT] == 7
    assert DEFAULT_PARAMS.half_life_days[Category.POLITICAL] == 30


def test_scalar_defaults() -> None:
    p = DEFAULT_PARAMS
    assert (p.saturation, p.trend_window_days, p.horizon_cap_days) == (10, 14, 180)
    assert (p.propensity_citizen, p.propensity_dual, p.propensity_staff) == (0.8, 0.3, 1.0)
    assert (p.safety_buffer_days, p.hold_days, p.watch_window_days) == (3, 14, 14)
    assert (p.staff_confirmation_days, p.route_verification_hours) == (30, 72)
    assert dict(p.status_factor) == {
        RouteStatus.OPEN: 1.0,
        RouteStatus.DEGRADED: 0.5,
        RouteStatus.UNKNOWN: 0.5,
        RouteStatus.CLOSED: 0.0,
    }
    assert sum(p.preparedness_weights.values()) == 100


def test_defaults_cannot_be_mutated_through_the_shared_instance() -> None:
    with pytest.raises(TypeError):
        DEFAULT_PARAMS.half_life_days[Category.INCIDENT] = 1  # type: ignore[index]


def test_a_deployment_overrides_one_field() -> None:
    p = replace(DEFAULT_PARAMS, hold_days=7)
    assert p.hold_days == 7 and p.saturation == DEFAULT_PARAMS.saturation


@pytest.mark.parametrize(
    "change",
    [
        {"saturation": 0},
        {"trend_window_days": 1},
        {"horizon_cap_days": 0},
        {"hold_days": -1},
        {"half_life_days": {Category.INCIDENT: 7.0}},
        {"credibility_factor": {1: 1.0}},
    ],
)
def test_unusable_values_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Params(**change)  # type: ignore[arg-type]
