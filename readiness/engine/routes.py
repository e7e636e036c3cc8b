"""Steps 4, 5 and 7: when each route is expected to close, what it can carry, how long a
load takes to clear, and the latest moment a departure can start and still finish.

Times are in days from the evaluation time; math.inf is "not expected to close".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .inputs import RouteIn
from .params import Params
from .vocabulary import RouteMode, RouteStatus

# How a route's horizon was estimated (RouteOut.horizon_source).
CLOSED = "closed"  # status closed: horizon 0
PAST_THRESHOLD = "past_threshold"  # T at or past its threshold, not seen open lately: horizon 0
TREND = "trend"  # the rising trend is most of the pace towards the threshold
LEVEL = "level"  # the level estimate's drift is most of the pace
NONE = "none"  # a threat too low to extrapolate: not expected to close

# Where a route's closure threshold comes from (RouteOut.threshold_source).
RECORDED = "recorded"  # the route's own closes_at_threat
MODE_DEFAULT = "mode_default"  # none recorded: Params.default_closes_at_threat of its mode

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
    trend_estimate_days: float | None  # gap / slope alone
    level_estimate_days: float | None  # gap / drift alone
    threshold: float | None = None  # the closure threshold used (effective)
    observed_open: bool = False  # verified open or degraded within the verification window


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
    closes_at_threat: float | None  # as recorded
    threshold: float | None  # the one used: recorded or the mode's default, raised if seen open
    threshold_source: str  # recorded | mode_default
    observed_open: bool  # verified open or degraded within the verification window
    horizon_days: float  # math.inf when not expected to close
    horizon_source: str
    trend_estimate_days: float | None
    level_estimate_days: float | None
    seats_before_close: float  # rate * max(0, horizon - lead); math.inf when it never closes
    capacity_share: float  # of the effective seats/day of all routes, 0..1


def route_horizon(
    status: RouteStatus,
    closes_at_threat: float,
    threat: float,
    slope: float,
    params: Params,
    *,
    baseline: float | None = None,
    observed_open: bool = False,
    observed_share: float = 1.0,
) -> Horizon:
    """Days until the route is expected to be unusable.

    closed: 0. T below forecast_min_threat: never. Otherwise, with thr the threshold (seen
    open lately: at least T + headroom * share * (100 - T), share the part of the
    verification window still left, so that an observation beats the model) and B the post's baseline (0 without one): 0 when T >= thr, else the shorter of
    the level estimate cap * (thr - T) / (thr - B) (a drift that would take cap days from
    the post's normal to thr) and the trend estimate (thr - T) / slope (slope > 0)."""
    if status == RouteStatus.CLOSED:
        return Horizon(0.0, CLOSED, None, None)
    if threat < params.forecast_min_threat:
        # With (almost) nothing weighing there is no basis for a forecast; without this, a
        # quiet post whose routes need more than 90 days for its community would be "late".
        return Horizon(math.inf, NONE, None, None, closes_at_threat, observed_open)
    threshold = closes_at_threat
    if observed_open:
        # The headroom fades as the verification ages (observed_share: the part of the
        # verification window left), so the horizon does not jump when it runs out.
        headroom = params.observed_open_headroom * max(0.0, min(1.0, observed_share))
        threshold = max(threshold, threat + headroom * (100.0 - threat))
    if threat >= threshold:
        return Horizon(0.0, PAST_THRESHOLD, None, None, threshold, observed_open)
    gap = threshold - threat
    # At or below the post's normal the level estimate is the cap: continuous in T.
    ref = min(baseline, threat) if baseline is not None else 0.0
    level = params.horizon_cap_days * gap / (threshold - ref)
    rise = max(0.0, slope) * params.forecast_trend_weight
    trend = gap / rise if rise > 0 else None
    if trend is not None and trend < level:
        return Horizon(trend, TREND, trend, level, threshold, observed_open)
    return Horizon(level, LEVEL, trend, level, threshold, observed_open)


def describe_routes(
    routes: Iterable[RouteIn],
    threat: float,
    slope: float,
    top_rank: int,
    params: Params,
    *,
    now: datetime | None = None,
    baseline: float | None = None,
) -> tuple[RouteOut, ...]:
    """Per route: rate = seats * status factor; horizon (step 4); seats = rate * (H - lead)."""
    rows = []
    seen_since = now - timedelta(hours=params.route_verification_hours) if now is not None else None
    for route in routes:
        factor = params.status_factor[route.status]
        rate = route.seats_per_day * factor
        lead = route.lead_time_hours / 24.0
        recorded = route.closes_at_threat is not None
        threshold = (
            route.closes_at_threat
            if route.closes_at_threat is not None
            else params.default_closes_at_threat[route.mode]
        )
        seen_open = (
            seen_since is not None
            and now is not None
            and route.status in (RouteStatus.OPEN, RouteStatus.DEGRADED)
            and route.verified_at is not None
            and seen_since <= route.verified_at <= now
        )
        share = 0.0
        if seen_open and now is not None and route.verified_at is not None:
            window = params.route_verification_hours * 3600.0
            share = 1.0 - (now - route.verified_at).total_seconds() / window if window else 0.0
        h = route_horizon(
            route.status,
            threshold,
            threat,
            slope,
            params,
            baseline=baseline,
            observed_open=seen_open,
            observed_share=share,
        )
        rows.append((route, factor, rate, lead, h, recorded))
    total_rate = sum(row[2] for row in rows)
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
            threshold=h.threshold,
            threshold_source=RECORDED if recorded else MODE_DEFAULT,
            observed_open=h.observed_open,
            horizon_days=h.days,
            horizon_source=h.source,
            trend_estimate_days=h.trend_estimate_days,
            level_estimate_days=h.level_estimate_days,
            seats_before_close=seats_between(rate, lead, h.days),
            capacity_share=rate / total_rate if total_rate > 0 else 0.0,
        )
        for route, factor, rate, lead, h, recorded in rows
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
