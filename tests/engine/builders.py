"""Plain-data builders for the engine tests: a fixed clock and small, readable inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from readiness.engine import (
    DEFAULT_LADDER,
    IndicatorIn,
    Inputs,
    Population,
    RouteIn,
)
from readiness.engine.vocabulary import (
    Category,
    LevelSpec,
    Reliability,
    RouteMode,
    RouteStatus,
    TriggerKind,
    TriggerSpec,
)

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

NOBODY = Population(0, 0, 0, 0, 0, 0, 0)
# The brief's Bamako figures: 4,000 registered of whom 2,800 dual, 300 unregistered,
# 12 non-essential and 28 essential expatriate staff, 18 dependants, 60 school staff.
BAMAKO = Population(4000, 2800, 300, 12, 28, 18, 60)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def indicator(
    id: str = "i1",
    category: Category = Category.INCIDENT,
    severity: int = 3,
    reliability: Reliability = Reliability.A,
    credibility: int = 1,
    age_days: float = 0.0,
    **kwargs: Any,
) -> IndicatorIn:
    """An indicator reporting an event of its own (``event`` = its id), so that tests of
    weights and counts are not read as near-duplicate reports; pass ``event=""`` to test
    the grouping of unnamed reports."""
    kwargs.setdefault("event", id)
    return IndicatorIn(
        id=id,
        category=category,
        severity=severity,
        reliability=reliability,
        credibility=credibility,
        observed_at=ago(age_days),
        **kwargs,
    )


def route(
    key: str = "air",
    mode: RouteMode = RouteMode.COMMERCIAL_AIR,
    status: RouteStatus = RouteStatus.OPEN,
    seats: int = 80,
    **kwargs: Any,
) -> RouteIn:
    return RouteIn(key=key, mode=mode, status=status, seats_per_day=seats, **kwargs)


def quiet_ladder(**triggers: tuple[TriggerSpec, ...]) -> tuple[LevelSpec, ...]:
    """The default ladder without its triggers; `l3=(...)` gives level 3 these triggers."""
    return tuple(
        replace(level, triggers=triggers.get(f"l{level.rank}", ())) for level in DEFAULT_LADDER
    )


def manual(reason: str = "officer's call", active: bool = True) -> TriggerSpec:
    return TriggerSpec(TriggerKind.MANUAL, name="Manual", active=active, reason=reason)


def inputs(**kwargs: Any) -> Inputs:
    base: dict[str, Any] = {
        "now": NOW,
        "current_level": 0,
        "ladder": DEFAULT_LADDER,
        "indicators": (),
        "routes": (),
        "population": NOBODY,
    }
    base.update(kwargs)
    return Inputs(**base)
