"""Steps 4, 5 and 7: when each route is expected to close, what it can carry, how long a
load takes to clear, and the latest moment a departure can start and still finish.

Times are in days from the evaluation time; math.inf is "not expected to close".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .inputs import RouteIn
from .params import Params
from .vocabulary import RouteMode, RouteStatus

# How a route's horizon was estimated (RouteOut.horizon_source).
CLOSED = "closed"  # status closed: horizon 0
PAST_THRESHOLD = "past_threshold"  # T already at or past its closure threshold: horizon 0
TREND = "trend"  # (threshold - T) / slope was the shorter estimate
LEVEL = "level"  # cap * (threshold - T) / threshold was the shorter estimate
NONE = "none"  # no closure threshold, or a threat too low to extrapolate: never closes

# What a level's margin is (LevelOut.deadline).
NOBODY = "nobody"  # nobody to move at this level: no deadline
NO_ROUTE = "no_route"  # no route usable at this level is recorded: no deadline can be computed
NO_DEADLINE = "no_deadline"  # a usable route with seats is not expected to close
DEADLINE = "deadline"  # a finite latest start (may be negative)
NO_MEANS = "no_means"  # routes exist but none has seats left: margin -inf


@dataclass(frozen=True, slots=True)
class Horizon:
    days: float  # math.inf when not expected to close
    source: str
    trend_estimate_days: float | None
    level_estimate_days: float | None


@dataclass(frozen=True, slots=True)
class Flow:
    """A route as the clearance arithmetic sees it: seats/day from `lead` to `horizon`."""

    key: str
    rate: float  # effective seats/day = seats_per_day * status factor
    lead: float  # days
    horizon: float  # days, math.inf when not expected to close


@dataclass(frozen=True, slots=True)
class RouteOut:
    key: str
    name: str
    mode: RouteMode
    status: RouteStatus
    seats_per_day: int
    status_factor: float
    effective_seats_per_day: float
    lead_time_days: float
    usable_from: int
    closes_at_threat: float | None
    horizon_days: float  # math.inf when not expected to close
    horizon_source: str
    trend_estimate_days: float | None
    level_estimate_days: float | None
    seats_before_close: float  # rate * max(0, horizon - lead); math.inf when it never closes
    capacity_share: float  # of the effective seats/day of all routes, 0..1


def route_horizon(
    status: RouteStatus,
    closes_at_threat: float | None,
    threat: float,
    slope: float,
    params: Params,
) -> Horizon:
    """H = 0 if closed or T >= thr, else min((thr - T) / slope if > 0, cap * (thr - T) / thr)."""
    if status == RouteStatus.CLOSED:
        return Horizon(0.0, CLOSED, None, None)
    if closes_at_threat is None:
        return Horizon(math.inf, NONE, None, None)
    if threat >= closes_at_threat:
        return Horizon(0.0, PAST_THRESHOLD, None, None)
    if threat < params.forecast_min_threat:
        # With (almost) nothing weighing there is no basis for a forecast; without this, a
        # quiet post whose routes need more than 90 days for its community would be "late".
        return Horizon(math.inf, NONE, None, None)
    gap = closes_at_threat - threat
    level = params.horizon_cap_days * gap / closes_at_threat
    trend = gap / slope if slope > 0 else None
    if trend is not None and trend < level:
        return Horizon(trend, TREND, trend, level)
    return Horizon(level, LEVEL, trend, level)


def describe_routes(
    routes: Iterable[RouteIn], threat: float, slope: float, top_rank: int, params: Params
) -> tuple[RouteOut, ...]:
    """Per route: rate = seats * status factor; horizon (step 4); seats = rate * (H - lead)."""
    rows = []
    for route in routes:
        factor = params.status_factor[route.status]
        rate = route.seats_per_day * factor
        lead = route.lead_time_hours / 24.0
        h = route_horizon(route.status, route.closes_at_threat, threat, slope, params)
        rows.append((route, factor, rate, lead, h))
    total_rate = sum(rate for _, _, rate, _, _ in rows)
    return tuple(
        RouteOut(
            key=route.key,
            name=route.name or route.key,
            mode=route.mode,
            status=route.status,
            seats_per_day=route.seats_per_day,
            status_factor=factor,
            effective_seats_per_day=rate,
            lead_time_days=lead,
            usable_from=route.usable_from_rank(top_rank),
            closes_at_threat=route.closes_at_threat,
            horizon_days=h.days,
            horizon_source=h.source,
            trend_estimate_days=h.trend_estimate_days,
            level_estimate_days=h.level_estimate_days,
            seats_before_close=seats_between(rate, lead, h.days),
            capacity_share=rate / total_rate if total_rate > 0 else 0.0,
        )
        for route, factor, rate, lead, h in rows
    )


def seats_between(rate: float, start: float, end: float) -> float:
    """seats = rate * max(0, end - start)."""
    if rate <= 0 or end <= start:
        return 0.0
    return math.inf if end == math.inf else rate * (end - start)


def clearance_days(load: float, flows: Iterable[Flow]) -> float | None:
    """Least t with sum_i rate_i * max(0, min(t, H_i) - lead_i) >= load; None if never."""
    if load <= 0:
        return 0.0
    events: list[tuple[float, float]] = []  # (day, change of seats/day)
    for f in flows:
        if f.rate <= 0 or f.horizon <= f.lead:
            continue
        events.append((f.lead, f.rate))
        if f.horizon != math.inf:
            events.append((f.horizon, -f.rate))
    events.sort()
    t = 0.0
    cleared = 0.0
    rate = 0.0
    for day, change in events:
        if rate > 0:
            reach = cleared + rate * (day - t)
            if reach >= load:
                return t + (load - cleared) / rate
            cleared = reach
        t = day
        rate += change
        # Sums of floats that should cancel leave dust; a route's end must not leave -1e-13.
        if abs(rate) < 1e-9:
            rate = 0.0
    if rate > 0:
        return t + (load - cleared) / rate
    return None


def latest_start(load: float, flows: Iterable[Flow]) -> tuple[float | None, str]:
    """Largest s with F(s) = sum_i rate_i * max(0, H_i - lead_i - s) >= load; (days, kind)."""
    flows = list(flows)
    if load <= 0:
        return None, NOBODY
    if not flows:
        return None, NO_ROUTE
    ends: list[tuple[float, float]] = []  # (H - lead, rate): the last day a start still counts
    for f in flows:
        if f.rate <= 0:
            continue
        if f.horizon == math.inf:
            return None, NO_DEADLINE
        ends.append((f.horizon - f.lead, f.rate))
    if not ends:
        return -math.inf, NO_MEANS
    # F is piecewise linear and falls as s grows: between consecutive ends b_{m+1} <= s <= b_m
    # it is A_m - R_m * s over the m routes with the latest ends. Walk down from the latest.
    ends.sort(reverse=True)
    a = r = 0.0
    for m, (b, rate) in enumerate(ends):
        a += rate * b
        r += rate
        s = (a - load) / r
        next_b = ends[m + 1][0] if m + 1 < len(ends) else -math.inf
        if s >= next_b:
            return s, DEADLINE
    raise AssertionError("unreachable: the last segment extends to -inf")  # pragma: no cover


def capacity_from(start: float, flows: Iterable[Flow]) -> float:
    """F(s) = sum_i rate_i * max(0, H_i - (s + lead_i)): seats left for a start at s."""
    return sum(seats_between(f.rate, start + f.lead, f.horizon) for f in flows)
