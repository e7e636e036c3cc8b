"""assess() end to end: the documented worked example, the hold across days, and the
properties that must hold on any input."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.engine import (
    DEFAULT_LADDER,
    Assessment,
    IndicatorIn,
    Population,
    RouteIn,
    assess,
)
from readiness.engine.vocabulary import Category, LevelSpec, Reliability, RouteMode, RouteStatus

from ..saying import said, sentence
from .builders import BAMAKO, NOW, ago, indicator, inputs, manual, quiet_ladder, route
from .strategies import indicators, populations, routes, unique, unique_routes

SUPPLY, INCIDENT = Category.SUPPLY, Category.INCIDENT


class TestWorkedExample:
    """docs/engine.md, "Worked example": keep the two in step."""

    AT = datetime(2025, 10, 15, 12, tzinfo=UTC)

    @classmethod
    def run(cls, current: int = 2) -> Assessment:
        at = cls.AT

        def before(days: float) -> datetime:
            return at - timedelta(days=days)

        blockade_since = datetime(2025, 9, 3, tzinfo=UTC)
        b2 = {"reliability": Reliability.B, "credibility": 2}
        return assess(
            inputs(
                now=at,
                current_level=current,
                indicators=(
                    IndicatorIn(
                        "fuel-blockade",
                        SUPPLY,
                        4,
                        **b2,
                        observed_at=blockade_since,
                        ongoing=True,
                        event="fuel-blockade",
                    ),
                    # A later report of the blockade re-confirms it: it still weighs fully.
                    IndicatorIn(
                        "fuel-queues",
                        SUPPLY,
                        3,
                        **b2,
                        observed_at=datetime(2025, 10, 1, tzinfo=UTC),
                        event="fuel-blockade",
                    ),
                    IndicatorIn("convoy-ambush-1", INCIDENT, 3, **b2, observed_at=before(12)),
                    IndicatorIn("convoy-ambush-2", INCIDENT, 3, **b2, observed_at=before(5)),
                    IndicatorIn("attack-near-capital", INCIDENT, 4, **b2, observed_at=before(1)),
                ),
                routes=(
                    route(
                        "air-commercial",
                        seats=80,
                        closes_at_threat=85,
                        name="Bamako-Paris (Corsair)",
                    ),
                    route(
                        "road-dakar", RouteMode.ROAD, RouteStatus.CLOSED, 150, lead_time_hours=24
                    ),
                    route("air-military", RouteMode.MILITARY_AIR, seats=100, lead_time_hours=72),
                ),
                population=BAMAKO,
            )
        )

    def test_weights_and_threat_index(self) -> None:
        a = self.run()
        w = {c.id: c.weight for c in a.indicators}
        assert w["fuel-blockade"] == pytest.approx(2.56)  # 4 x 0.8 x 0.8, ongoing
        assert w["attack-near-capital"] == pytest.approx(2.3187, abs=1e-4)  # 2.56 x 0.5^(1/7)
        assert w["convoy-ambush-2"] == pytest.approx(1.1703, abs=1e-4)  # 1.92 x 0.5^(5/7)
        assert w["convoy-ambush-1"] == pytest.approx(0.5851, abs=1e-4)  # 1.92 x 0.5^(12/7)
        assert a.total_weight == pytest.approx(6.6340, abs=1e-4)
        assert a.threat_index == pytest.approx(48.49, abs=0.01)

    def test_trend(self) -> None:
        a = self.run()
        assert [round(p.threat_index, 2) for p in a.trend.points] == [
            22.59, 36.11, 34.94, 33.87, 32.88, 31.97, 31.14,
            30.37, 41.96, 40.36, 38.88, 37.5, 50.63, 48.49,
        ]  # fmt: skip
        assert a.trend_per_day == pytest.approx(1.3652, abs=1e-4)

    def test_baseline_and_forecast_slope(self) -> None:
        a = self.run()
        # Known since 3 September: 36 days of history from 7 to 42 days before now; on
        # most of them the blockade alone weighed (T 22.59): the median.
        assert a.baseline.days == 36
        assert a.baseline.threat_index == pytest.approx(22.59, abs=0.01)
        # The rise is the smaller of the two halves' slopes: +0.55 (older), +2.46 (newer).
        assert a.trend.older_half_slope_per_day == pytest.approx(0.5465, abs=1e-4)
        assert a.trend.newer_half_slope_per_day == pytest.approx(2.4585, abs=1e-4)
        assert a.trend.forecast_slope_per_day == pytest.approx(0.5465, abs=1e-4)

    def test_routes(self) -> None:
        air, road, mil = self.run().routes
        # trend (85 - 48.49) / 0.5465 = 66.80 < level 180 x 36.51 / (85 - 22.59) = 105.29
        assert (air.horizon_source, air.horizon_days) == ("trend", pytest.approx(66.80, abs=0.01))
        assert air.level_estimate_days == pytest.approx(105.29, abs=0.01)
        assert (road.horizon_source, road.effective_seats_per_day) == ("closed", 0)
        # No threshold recorded: the military mode's default, 97.
        assert (mil.threshold, mil.threshold_source, mil.usable_from) == (97, "mode_default", 6)
        assert mil.horizon_days == pytest.approx(88.76, abs=0.01)  # (97 - 48.49) / 0.5465

    def test_levels(self) -> None:
        lv = self.run().levels
        assert [round(x.load) for x in lv] == [0, 0, 0, 1935, 2025, 2025, 2053]
        assert lv[3].clearance_days == pytest.approx(24.1875)  # 1,935 / 80
        assert lv[3].margin_days == pytest.approx(42.617, abs=1e-3)  # 66.804 - 24.1875
        assert lv[4].margin_days == pytest.approx(41.492, abs=1e-3)  # 66.804 - 25.3125
        assert lv[5].margin_days == lv[4].margin_days
        # Evacuation: 3 days of 80, then 180/day: 3 + (2,053 - 240) / 180 = 13.07 days.
        assert lv[6].clearance_days == pytest.approx(13.072, abs=1e-3)
        assert lv[6].deadline == "deadline"

    def test_recommendation_and_verdict(self) -> None:
        a = self.run()
        assert (a.recommended_level, a.verdict) == (2, "on_time")
        assert [(r.kind, r.level) for r in a.reasons] == [("trigger", 2), ("trigger", 1)]
        assert (a.next_level_margin_rank, a.next_level_margin_days) == (
            4,
            pytest.approx(41.492, abs=1e-3),
        )
        assert sentence(a) == (
            "Travel advised against matches the situation; the nearest deadline ahead, for "
            "Reduced presence, is 41 days away."
        )

    def test_one_step_higher_is_too_early(self) -> None:
        a = self.run(current=3)
        assert (a.recommended_level, a.verdict) == (2, "too_early")


def test_hold_carries_a_level_across_assessments() -> None:
    ladder = quiet_ladder(l3=(manual(),))
    first = assess(inputs(ladder=ladder))
    assert first.recommended_level == 3 and first.last_indicated == {3: NOW}
    calm = quiet_ladder(l3=(manual(active=False),))
    day = timedelta(days=1)
    later = assess(inputs(now=NOW + 13 * day, ladder=calm, last_indicated=first.last_indicated))
    assert later.recommended_level == 3 and later.reasons[0].kind == "hold"
    assert later.levels[3].held_until == NOW + 14 * day
    released = assess(inputs(now=NOW + 14 * day, ladder=calm, last_indicated=first.last_indicated))
    assert released.recommended_level == 0


def test_an_evaluation_in_the_past_ignores_what_came_later() -> None:
    items = (indicator("early", severity=5, age_days=5), indicator("late", severity=5, age_days=1))
    a = assess(inputs(now=ago(3), indicators=items))
    assert {c.id: c.status for c in a.indicators} == {"early": "event", "late": "not_yet_known"}


def test_late_names_the_means_left() -> None:
    a = assess(
        inputs(
            current_level=2,
            ladder=quiet_ladder(l3=(manual(),)),
            indicators=(indicator(severity=5, ongoing=True, age_days=30),),
            routes=(
                route("air", seats=80, closes_at_threat=20, name="Corsair"),
                route("mil", RouteMode.MILITARY_AIR, seats=100, lead_time_hours=72, name="Airlift"),
            ),
            population=BAMAKO,
        )
    )
    # T = 39.3 >= 20: the airline is already expected to be unusable.
    assert (a.recommended_level, a.verdict) == (3, "late")
    assert sentence(a).startswith("Citizens advised to leave is late: it was due 24 days ago;")
    assert "Means left: Airlift (100 seats/day, after 3 days' notice" in sentence(a)


def test_no_means_at_all_is_late_without_a_number() -> None:
    a = assess(
        inputs(
            current_level=2,
            ladder=quiet_ladder(l3=(manual(),)),
            routes=(route("air", status=RouteStatus.CLOSED),),
            population=BAMAKO,
        )
    )
    assert (a.verdict, a.levels[3].deadline, a.levels[3].margin_days) == (
        "late",
        "no_means",
        -math.inf,
    )
    assert "no route usable at this level has seats left" in sentence(a)
    assert a.to_dict()["levels"][3]["margin_days"] is None


def test_warnings_point_at_configuration_gaps() -> None:
    level3 = replace(
        DEFAULT_LADDER[3],
        quorum=9,
        triggers=(*DEFAULT_LADDER[3].triggers,),
    )
    ladder = (*DEFAULT_LADDER[:3], level3, *DEFAULT_LADDER[4:])
    a = assess(inputs(ladder=ladder, population=BAMAKO))
    assert tuple(said(w) for w in a.warning_details) == (
        "No exit route is recorded: no deadline can be computed.",
        "Level 3 needs 9 triggers but has 4 enabled: it can never be indicated.",
    )


def test_preparedness_looks_at_the_level_to_carry_out() -> None:
    assert assess(inputs(current_level=2)).preparedness.target_level == 3
    assert assess(inputs(current_level=6)).preparedness.target_level is None
    a = assess(inputs(current_level=1, ladder=quiet_ladder(l4=(manual(),))))
    assert a.preparedness.target_level == 4


# Properties.
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(
    populations,
    st.lists(
        routes(statuses=[RouteStatus.OPEN, RouteStatus.DEGRADED, RouteStatus.UNKNOWN]),
        max_size=4,
    ).map(unique_routes),
    st.floats(-400, 400),
)
def test_no_indicators_on_the_default_ladder_means_normal_on_time(
    population: Population, rs: list[RouteIn], shift: float
) -> None:
    # A quiet post: nothing observed, routes running with their normal seats.
    rs = [r if r.seats_per_day >= 20 else replace(r, seats_per_day=20) for r in rs]
    a = assess(inputs(now=NOW + timedelta(days=shift), routes=tuple(rs), population=population))
    assert (a.recommended_level, a.verdict) == (0, "on_time")


@st.composite
def any_inputs(draw: st.DrawFn) -> dict[str, object]:
    ladder = []
    for level in DEFAULT_LADDER:
        extra = draw(st.sampled_from([(), (manual(),), (manual(active=False),)]))
        ladder.append(
            LevelSpec(
                level.rank,
                level.name,
                level.leaves,
                quorum=draw(st.integers(1, 2)),
                triggers=level.triggers + extra,
            )
        )
    last = draw(st.dictionaries(st.integers(0, 6), st.floats(-30, 5).map(ago), max_size=3))
    return {
        "current_level": draw(st.integers(0, 6)),
        "ladder": tuple(ladder),
        "indicators": tuple(draw(st.lists(indicators(), max_size=8).map(unique))),
        "routes": tuple(draw(st.lists(routes(), max_size=4).map(unique_routes))),
        "population": draw(populations),
        "last_indicated": last,
    }


@FAST
@given(any_inputs())
def test_never_below_a_level_whose_triggers_are_met(kwargs: dict[str, object]) -> None:
    a = assess(inputs(**kwargs))
    indicated = [lv.rank for lv in a.levels if lv.indicated_by_triggers]
    held = [lv.rank for lv in a.levels if lv.held_until is not None]
    assert a.recommended_level >= max([0, *indicated, *held])
    assert a.verdict in ("late", "act_now", "watch", "on_time", "too_early")


@FAST
@given(any_inputs())
def test_late_whenever_the_recommended_level_is_overdue(kwargs: dict[str, object]) -> None:
    a = assess(inputs(**kwargs))
    margin = a.levels[a.recommended_level].margin_days
    if a.current_level < a.recommended_level and margin is not None and margin < 0:
        assert a.verdict == "late"
    own = a.levels[a.current_level].margin_days
    called_overdue = a.levels[a.current_level].load > 0 and own is not None and own < 0
    if a.verdict == "late":
        escalation = a.current_level < a.recommended_level and margin is not None and margin < 0
        assert escalation or (a.recommended_level <= a.current_level and called_overdue)


@FAST
@given(any_inputs())
def test_the_gauge_never_reassures_while_the_people_called_cannot_leave(
    kwargs: dict[str, object],
) -> None:
    """Coherence: never on time, watch or too early (nor "no deadline" in the sentence)
    while the people called at the current level cannot all leave before their routes
    close (the current level's own margin, which carries every level below's load)."""
    a = assess(inputs(**kwargs))
    own = a.levels[a.current_level]
    if own.load > 0 and own.margin_days is not None and own.margin_days < 0:
        assert a.verdict in ("late", "act_now")
        # "No deadline" only of the level asked for, and then beside the reason that says
        # the people already called cannot all leave by the current level's means.
        assert "no deadline" not in sentence(a) or (
            a.verdict == "act_now" and "Means: The" in sentence(a)
        )


@FAST
@given(any_inputs())
def test_every_assessment_serialises_to_strict_json(kwargs: dict[str, object]) -> None:
    data = assess(inputs(**kwargs)).to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_a_step_down_stops_where_the_people_could_still_leave() -> None:
    """Review of issue 8: at evacuation, with only reduced presence indicated, the engine
    must not send the post back to a level whose people cannot all leave by its means."""
    at = NOW
    pop = Population(4000, 2800, 300, 12, 28, 18, 60)
    orders = (
        IndicatorIn("p1", Category.PEER_ACTION, 5, Reliability.A, 1, ago(10), event="us"),
        IndicatorIn("p2", Category.PEER_ACTION, 5, Reliability.A, 1, ago(3), event="fr"),
    )
    routes_ = (
        RouteIn("air", RouteMode.COMMERCIAL_AIR, RouteStatus.UNKNOWN, 200, closes_at_threat=40),
        RouteIn(
            "mil", RouteMode.MILITARY_AIR, RouteStatus.OPEN, 300, lead_time_hours=48,
            verified_at=ago(1),
        ),
    )  # fmt: skip
    at4 = assess(inputs(now=at, current_level=4, indicators=orders, routes=routes_, population=pop))
    assert at4.levels[4].margin_days is not None and at4.levels[4].margin_days < 0
    assert at4.recommended_level == 6
    at6 = assess(inputs(now=at, current_level=6, indicators=orders, routes=routes_, population=pop))
    assert at6.recommended_level == 6 and at6.verdict != "too_early"
    assert any(r.kind == "means" for r in at6.reasons)
