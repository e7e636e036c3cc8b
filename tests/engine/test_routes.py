"""Steps 4, 5 and 7: route horizons, clearance time and the latest responsible start."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.engine import DEFAULT_PARAMS
from readiness.engine.routes import (
    CLOSED,
    DEADLINE,
    LEVEL,
    NO_DEADLINE,
    NO_MEANS,
    NO_ROUTE,
    NOBODY,
    PAST_THRESHOLD,
    TREND,
    Flow,
    capacity_from,
    clearance_days,
    describe_routes,
    latest_start,
    route_horizon,
)
from readiness.engine.vocabulary import RouteMode, RouteStatus

from .builders import route

P = DEFAULT_PARAMS
# The horizon arithmetic below is written for a 90-day cap (DESIGN.md's example value).
P90 = replace(DEFAULT_PARAMS, horizon_cap_days=90)
OPEN = RouteStatus.OPEN
INF = math.inf


class TestHorizon:
    def test_a_closed_route_has_none_left(self) -> None:
        assert route_horizon(RouteStatus.CLOSED, 85, 10, 0, P90).source == CLOSED

    def test_a_route_seen_open_lately_is_open_past_its_threshold(self) -> None:
        # Observed beats modelled: the threshold moves half-way from T to 100.
        h = route_horizon(OPEN, 85, 90, 0, P90, observed_open=True)
        assert (h.threshold, h.source) == (95, LEVEL) and h.days == pytest.approx(90 * 5 / 95)
        assert route_horizon(OPEN, 85, 90, 0, P90).days == 0

    def test_the_horizon_is_continuous_in_the_threat_index(self) -> None:
        below = route_horizon(OPEN, 85, 84.999, 0, P90, observed_open=True)
        above = route_horizon(OPEN, 85, 85.001, 0, P90, observed_open=True)
        assert abs(below.days - above.days) < 0.1

    def test_the_level_estimate_measures_from_the_posts_baseline(self) -> None:
        # 90 x (85 - 60) / (85 - 45) = 56.25 days; at or below the baseline: the cap.
        assert route_horizon(OPEN, 85, 60, 0, P90, baseline=45).days == pytest.approx(56.25)
        assert route_horizon(OPEN, 85, 40, 0, P90, baseline=45).days == pytest.approx(90)

    def test_past_its_threshold_it_is_gone(self) -> None:
        h = route_horizon(RouteStatus.DEGRADED, 85, 85, 0, P90)
        assert (h.days, h.source) == (0, PAST_THRESHOLD)

    def test_level_estimate_when_flat(self) -> None:
        # 90 x (85 - 40) / 85 = 47.65 days
        h = route_horizon(OPEN, 85, 40, 0, P90)
        assert (h.days, h.source, h.trend_estimate_days) == (
            pytest.approx(47.647, abs=1e-3),
            LEVEL,
            None,
        )

    def test_trend_estimate_when_it_is_shorter(self) -> None:
        # (85 - 40) / 3 = 15 days < 47.65
        h = route_horizon(OPEN, 85, 40, 3, P90)
        assert (h.days, h.source) == (pytest.approx(15), TREND)
        assert h.level_estimate_days == pytest.approx(47.647, abs=1e-3)

    def test_a_slow_rise_leaves_the_level_estimate(self) -> None:
        # (85 - 40) / 0.5 = 90 days > 47.65
        h = route_horizon(OPEN, 85, 40, 0.5, P90)
        assert (h.source, h.trend_estimate_days) == (LEVEL, pytest.approx(90))

    def test_no_forecast_without_any_threat(self) -> None:
        assert route_horizon(OPEN, 85, 0.5, 0, P90).days == INF


class TestClearance:
    def test_one_route(self) -> None:
        assert clearance_days(400, [Flow("a", 80, 0, INF)]) == 5
        assert clearance_days(400, [Flow("a", 80, 1, INF)]) == 6  # one day's lead first

    def test_a_route_that_closes_first_never_clears(self) -> None:
        assert clearance_days(400, [Flow("a", 80, 0, 4)]) is None  # 320 seats only

    def test_two_routes_overlapping(self) -> None:
        # A: 50/day on days 0-4; B: 100/day from day 2. By day 4: 100 + 2 x 150 = 400.
        flows = [Flow("a", 50, 0, 4), Flow("b", 100, 2, INF)]
        assert clearance_days(400, flows) == pytest.approx(4)
        assert clearance_days(500, flows) == pytest.approx(5)

    def test_nobody_to_move_takes_no_time(self) -> None:
        assert clearance_days(0, []) == 0


class TestLatestStart:
    def test_one_route(self) -> None:
        # 20 days of 80 seats; 1,000 people need 12.5 days: start by day 7.5.
        assert latest_start(1000, [Flow("a", 80, 0, 20)]) == (7.5, DEADLINE)
        assert latest_start(1000, [Flow("a", 80, 1, 20)]) == (6.5, DEADLINE)

    def test_too_late_is_negative(self) -> None:
        # 2,000 people need 25 days: the move should have started 5 days ago.
        assert latest_start(2000, [Flow("a", 80, 0, 20)]) == (-5, DEADLINE)

    def test_two_routes_piecewise(self) -> None:
        flows = [Flow("a", 50, 0, 10), Flow("b", 100, 0, 4)]
        # F(s) = 50 (10 - s) + 100 (4 - s) for s <= 4: F(2) = 400 + 200 = 600.
        assert latest_start(600, flows) == (pytest.approx(2), DEADLINE)
        # Only A after day 4: F(4) = 300.
        assert latest_start(300, flows) == (pytest.approx(4), DEADLINE)

    def test_kinds_without_a_finite_deadline(self) -> None:
        assert latest_start(0, [Flow("a", 80, 0, 5)]) == (None, NOBODY)
        assert latest_start(10, []) == (None, NO_ROUTE)
        assert latest_start(10, [Flow("a", 80, 0, 5), Flow("m", 100, 3, INF)]) == (
            None,
            NO_DEADLINE,
        )
        assert latest_start(10, [Flow("road", 0, 0, 0)]) == (-INF, NO_MEANS)

    def test_capacity_from_the_latest_start_is_the_load(self) -> None:
        flows = [Flow("a", 50, 0, 10), Flow("b", 100, 1, 4)]
        s, _ = latest_start(700, flows)
        assert s is not None and capacity_from(s, flows) == pytest.approx(700)


def test_describe_routes_gives_every_figure() -> None:
    routes = (
        route("air", seats=80, closes_at_threat=85),
        route("charter", RouteMode.CHARTER_AIR, RouteStatus.UNKNOWN, 60, lead_time_hours=48),
        route("mil", RouteMode.MILITARY_AIR, seats=100, lead_time_hours=72),
        route("road", RouteMode.ROAD, RouteStatus.CLOSED, 150),
    )
    air, charter, mil, road = describe_routes(routes, 40, 0, 6, P90)
    # No threshold recorded: the mode's default (charter 88, military 97).
    assert (charter.threshold, charter.threshold_source) == (88, "mode_default")
    assert (mil.threshold, air.threshold_source) == (97, "recorded")
    assert (air.effective_seats_per_day, air.horizon_source, air.usable_from) == (80, LEVEL, 0)
    assert air.seats_before_close == pytest.approx(80 * 90 * 45 / 85)
    assert (charter.status_factor, charter.effective_seats_per_day) == (0.5, 30)
    assert charter.lead_time_days == 2
    assert charter.seats_before_close == pytest.approx(30 * (90 * 48 / 88 - 2))
    assert (mil.usable_from, mil.lead_time_days) == (6, 3)
    assert (road.effective_seats_per_day, road.horizon_days, road.seats_before_close) == (0, 0, 0)
    assert [r.capacity_share for r in (air, charter, mil, road)] == pytest.approx(
        [80 / 210, 30 / 210, 100 / 210, 0]
    )


flows_st = st.lists(
    st.builds(
        Flow,
        key=st.just("r"),
        rate=st.just(0.0) | st.floats(0.5, 500),  # seats/day: whole seats, maybe halved
        lead=st.floats(0, 5),
        horizon=st.floats(0, 120) | st.just(INF),
    ),
    max_size=4,
)
FAST = settings(max_examples=80, deadline=None)


def as_days(value: float | None) -> float:
    return INF if value is None else value


@FAST
@given(flows_st, st.floats(0, 20_000), st.floats(0, 5_000))
def test_clearance_never_shortens_when_the_load_rises(
    flows: list[Flow], load: float, extra: float
) -> None:
    assert (
        as_days(clearance_days(load + extra, flows)) >= as_days(clearance_days(load, flows)) - 1e-9
    )


@FAST
@given(flows_st.filter(bool), st.floats(1, 20_000), st.data())
def test_clearance_never_shortens_when_capacity_falls(
    flows: list[Flow], load: float, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(flows) - 1))
    f = flows[i]
    worse = data.draw(
        st.sampled_from(
            [
                Flow(f.key, f.rate * 0.5, f.lead, f.horizon),  # fewer seats (degraded)
                Flow(f.key, f.rate, f.lead + 1, f.horizon),  # longer lead time
                Flow(f.key, f.rate, f.lead, f.horizon / 2),  # closes sooner
                Flow(f.key, 0, f.lead, f.horizon),  # closed
            ]
        )
    )
    fewer = [*flows[:i], worse, *flows[i + 1 :]]
    assert as_days(clearance_days(load, fewer)) >= as_days(clearance_days(load, flows)) - 1e-9


@FAST
@given(flows_st, st.floats(1, 20_000))
def test_a_non_negative_margin_means_the_load_clears(flows: list[Flow], load: float) -> None:
    margin, kind = latest_start(load, flows)
    if kind == DEADLINE:
        assert margin is not None
        assert capacity_from(margin, flows) == pytest.approx(load, rel=1e-6)
        cleared = clearance_days(load, flows)
        if margin > 1e-9:
            assert cleared is not None
        elif margin < -1e-9:
            assert cleared is None


# Issue 8: with no new input a day moves a margin only by the arithmetic of that day.
# Two links make that true: a horizon moves with T at most at the rate its formula says
# (it is continuous), and a margin moves at most as far as the horizons do.


@settings(max_examples=150, deadline=None)
@given(
    thr=st.floats(20, 100),
    t=st.floats(1, 99),
    slope=st.floats(0, 5),
    base=st.none() | st.floats(0, 99),
    seen=st.booleans(),
)
def test_a_horizon_moves_continuously_with_the_threat_index(
    thr: float, t: float, slope: float, base: float | None, seen: bool
) -> None:
    p = DEFAULT_PARAMS
    d = 1e-4
    h1 = route_horizon(OPEN, thr, t, slope, p, baseline=base, observed_open=seen)
    h2 = route_horizon(OPEN, thr, t + d, slope, p, baseline=base, observed_open=seen)
    if h1.days == INF or h2.days == INF or h1.source == PAST_THRESHOLD:
        return
    threshold = h1.threshold or thr
    ref = min(base, t) if base is not None else 0.0
    rate = max(
        p.horizon_cap_days / max(threshold - ref - d, 1e-9),
        1.0 / slope if slope > 0 else 0.0,
    )
    # Seen open, the threshold itself moves with T (half of it): the gap shrinks half as fast.
    assert abs(h2.days - h1.days) <= rate * d * 1.01 + 1e-9


@settings(max_examples=150, deadline=None)
@given(flows_st, st.floats(1, 3000), st.floats(0, 2))
def test_a_margin_moves_no_further_than_the_horizons(
    flows: list[Flow], load: float, d: float
) -> None:
    moved = [replace(f, horizon=f.horizon + d) for f in flows]
    m1, kind1 = latest_start(load, flows)
    m2, kind2 = latest_start(load, moved)
    if kind1 == DEADLINE and kind2 == DEADLINE:
        assert m1 is not None and m2 is not None
        assert abs((m2 - m1) - d) < 1e-6  # every route a day later: the margin a day later


def test_the_observation_fades_out_instead_of_dropping() -> None:
    """A route verified 71.9 h or 72.1 h ago: nearly the same horizon, not 7.7 days then 0."""
    from datetime import UTC, datetime, timedelta

    now = datetime(2025, 11, 6, 12, tzinfo=UTC)

    def horizon(hours: float) -> float:
        r = route(closes_at_threat=85, verified_at=now - timedelta(hours=hours))
        (out,) = describe_routes((r,), 91.8, 0, 6, DEFAULT_PARAMS, now=now)
        return out.horizon_days

    assert abs(horizon(71.9) - horizon(72.1)) < 0.1
    assert horizon(1) > horizon(48) > horizon(71.9)
