"""Every tunable number of the readiness engine, in one frozen dataclass.

A deployment may override any field (``dataclasses.replace(DEFAULT_PARAMS, hold_days=7)``);
docs/engine.md gives each default and the reasoning behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from .vocabulary import Category, Reliability, RouteMode, RouteStatus

_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen(items: dict[_K, _V]) -> Mapping[_K, _V]:
    # A read-only view, so that a shared DEFAULT_PARAMS cannot be mutated by one caller.
    """A read-only view of items."""
    return MappingProxyType(items)


@dataclass(frozen=True, slots=True)
class Params:
    """The engine's tunables. Units are in each field's name."""

    # Step 1. Source reliability factor R (NATO/Admiralty A..F; F = cannot be judged).
    reliability_factor: Mapping[Reliability, float] = field(
        default_factory=lambda: _frozen(
            {
                Reliability.A: 1.0,
                Reliability.B: 0.8,
                Reliability.C: 0.6,
                Reliability.D: 0.4,
                Reliability.E: 0.2,
                Reliability.F: 0.5,
            }
        )
    )
    # Step 1. Information credibility factor K (1 confirmed .. 5 improbable; 6 cannot be judged).
    credibility_factor: Mapping[int, float] = field(
        default_factory=lambda: _frozen({1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5})
    )
    # Step 1. Days for an indicator's weight to halve, per category.
    half_life_days: Mapping[Category, float] = field(
        default_factory=lambda: _frozen(
            {
                Category.INCIDENT: 7.0,
                Category.THREAT_TO_FOREIGNERS: 14.0,
                Category.SUPPLY: 14.0,
                Category.TRANSPORT: 7.0,
                Category.POLITICAL: 30.0,
                Category.PEER_ACTION: 21.0,
                Category.HEALTH: 21.0,
                Category.HAZARD: 7.0,
            }
        )
    )
    # Step 1. Correlated evidence. Reports of the same kind (the security family:
    # incidents and threats to foreigners; else the category) that name no event and were
    # observed within this many hours of an earlier-known one may be the same shock: the
    # n-th counts repeat_factor^(n-1). Peer actions: a week (several governments reacting
    # to one event).
    repeat_window_hours: Mapping[Category, float] = field(
        default_factory=lambda: _frozen(
            {
                Category.INCIDENT: 48.0,
                Category.THREAT_TO_FOREIGNERS: 48.0,
                Category.SUPPLY: 24.0,
                Category.TRANSPORT: 24.0,
                Category.POLITICAL: 24.0,
                Category.PEER_ACTION: 168.0,
                Category.HEALTH: 24.0,
                Category.HAZARD: 24.0,
            }
        )
    )
    repeat_factor: float = 0.5
    # Step 1. Reports that name the same event are one piece of evidence: the event weighs
    # as its heaviest report, with the best credibility among them, raised by this much
    # (capped at 1) when two or more sources report it.
    corroboration_step: float = 0.2
    # Step 1. An ongoing condition weighs fully for this many days after it was last
    # reported (its own report or a later one of the same event), then ages like an ended one.
    ongoing_full_days: float = 30.0
    # Step 2. Saturation constant S of T = 100 * (1 - exp(-W / S)).
    saturation: float = 10.0
    # Step 2. The post's baseline: the median daily W over the baseline_window_days that
    # end baseline_gap_days before now (a shock's own week of updates and claims is not
    # part of the normal it is compared with), once the post has at least
    # baseline_min_days of history there.
    baseline_gap_days: int = 7
    baseline_window_days: int = 60
    baseline_min_days: int = 14
    # Step 3. Number of daily points (one per 24 h, the last one at the evaluation time).
    trend_window_days: int = 14
    # Step 4. Level estimate of a route's horizon: cap * (threshold - T) / threshold.
    # 180, not DESIGN.md's example 90: with 90 a chronic crisis at T 45 (many posts sit at
    # "travel advised against" for years) read as a route closing within six weeks, and a
    # flat or falling T 67 in Bamako as Corsair stopping within 19 days (docs/engine.md).
    horizon_cap_days: float = 180.0
    # Step 4. How much of the rising trend (forecast slope, points/day) adds to the pace
    # at which T is expected to reach a route's threshold (0: the level estimate alone).
    forecast_trend_weight: float = 1.0
    # Step 4. Below this threat index no closure is forecast (nothing to extrapolate from).
    forecast_min_threat: float = 1.0
    # Step 4. The closure threshold of a route that records none: every route, military
    # means included, has a horizon. Airlines stop before the shelter threshold, ferries
    # earlier, charters a little later, roads earliest; military means last.
    default_closes_at_threat: Mapping[RouteMode, float] = field(
        default_factory=lambda: _frozen(
            {
                RouteMode.COMMERCIAL_AIR: 85.0,
                RouteMode.CHARTER_AIR: 88.0,
                RouteMode.ROAD: 75.0,
                RouteMode.SEA: 80.0,
                RouteMode.MILITARY_AIR: 97.0,
            }
        )
    )
    # Step 4. Observed beats modelled: a route verified open (or degraded) within
    # route_verification_hours while T is at or past its threshold is open now; its closure
    # is then expected this share of the way from T to 100.
    observed_open_headroom: float = 0.5
    # Step 5. Share of a route's seats that count, by status.
    status_factor: Mapping[RouteStatus, float] = field(
        default_factory=lambda: _frozen(
            {
                RouteStatus.OPEN: 1.0,
                RouteStatus.DEGRADED: 0.5,
                RouteStatus.UNKNOWN: 0.5,
                RouteStatus.CLOSED: 0.0,
            }
        )
    )
    # Step 6. Share of each group expected to leave when its level is reached.
    propensity_citizen: float = 0.8  # citizens with only this nationality
    propensity_dual: float = 0.3  # dual nationals: many have strong local ties and stay
    propensity_staff: float = 1.0  # expatriate staff, their dependants, school staff: recalled
    # Step 8. Time trigger: a level above the current one with less margin than this.
    safety_buffer_days: float = 3.0
    # Step 8. A level stays recommended after its triggers were last met for
    # hold_per_day_indicated times as long as they had been met without a break, at least
    # hold_min_days and at most hold_days: a one-day shock is not held for two weeks, a
    # week of fighting is.
    hold_days: float = 14.0
    hold_min_days: float = 2.0
    hold_per_day_indicated: float = 1.0
    # Step 9. "watch" when the tightest margin ahead is under this.
    watch_window_days: float = 14.0
    # Indicator-count triggers ignore reports whose R * K is below this (e.g. D3, B5, E1):
    # an improbable rumour or an unreliable source should not trip a tripwire by itself.
    count_min_confidence: float = 0.25
    # Step 10. A staff member counts as confirmed when confirmed within this many days.
    staff_confirmation_days: float = 30.0
    # Step 10. A route counts as verified when verified within this many hours.
    route_verification_hours: float = 72.0
    # Step 10. Share of staff confirmed / contactable for those checks to pass.
    staff_pass_share: float = 0.9
    # Step 10. Weight of each preparedness check in the 0-100 score.
    preparedness_weights: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "staff_confirmed": 20.0,
                "staff_contactable": 20.0,
                "warden_coverage": 15.0,
                "assembly_points": 15.0,
                "routes_verified": 15.0,
                "checklist": 15.0,
            }
        )
    )

    def __post_init__(self) -> None:
        """Refuse values the formulas cannot use (S <= 0, a missing half-life, ...)."""
        if self.saturation <= 0:
            raise ValueError("saturation: must be above 0")
        if self.trend_window_days < 2:
            raise ValueError("trend_window_days: a slope needs at least 2 daily points")
        if self.horizon_cap_days <= 0:
            raise ValueError("horizon_cap_days: must be above 0")
        missing = [c for c in Category if c not in self.half_life_days]
        if missing:
            raise ValueError(f"half_life_days: no half-life for {', '.join(missing)}")
        if any(h <= 0 for h in self.half_life_days.values()):
            raise ValueError("half_life_days: every half-life must be above 0")
        if any(r not in self.reliability_factor for r in Reliability):
            raise ValueError("reliability_factor: needs a factor for each of A..F")
        if any(c not in self.credibility_factor for c in range(1, 7)):
            raise ValueError("credibility_factor: needs a factor for each of 1..6")
        if any(s not in self.status_factor for s in RouteStatus):
            raise ValueError("status_factor: needs a factor for each route status")
        if not 0 <= self.repeat_factor <= 1:
            raise ValueError("repeat_factor: must be 0 to 1")
        if any(h < 0 for h in self.repeat_window_hours.values()):
            raise ValueError("repeat_window_hours: must be 0 or more")
        if any(c not in self.repeat_window_hours for c in Category):
            raise ValueError("repeat_window_hours: needs a window for each category")
        if any(m not in self.default_closes_at_threat for m in RouteMode):
            raise ValueError("default_closes_at_threat: needs a threshold for each mode")
        if self.ongoing_full_days < 0 or self.hold_min_days < 0:
            raise ValueError("ongoing_full_days, hold_min_days: must be >= 0")
        if self.baseline_window_days < 0 or self.baseline_min_days < 1:
            raise ValueError("baseline_window_days >= 0, baseline_min_days >= 1")
        if not self.baseline_gap_days >= 0:
            raise ValueError("baseline_gap_days: must be 0 or more")
        if self.hold_days < 0 or self.safety_buffer_days < 0 or self.watch_window_days < 0:
            raise ValueError("hold_days, safety_buffer_days, watch_window_days: must be >= 0")


DEFAULT_PARAMS = Params()
