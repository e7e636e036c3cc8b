"""Steps 8-9: recommended level (triggers, hold, time) and the timing verdict."""

from __future__ import annotations

import math
from datetime import timedelta
from types import MappingProxyType

from readiness.engine import DEFAULT_LADDER, DEFAULT_PARAMS, LevelOut
from readiness.engine.assessment import _plain
from readiness.engine.recommend import (
    Verdict,
    held_levels,
    recommend,
    time_trigger,
    timing_verdict,
)
from readiness.engine.routes import DEADLINE, NOBODY, describe_routes

from ..saying import said, sentence
from .builders import NOW, ago, route

RANKS = [lv.rank for lv in DEFAULT_LADDER]
HOLD = timedelta(days=14)


def levels(
    margins: dict[int, float | None], loads: dict[int, float] | None = None
) -> list[LevelOut]:
    loads = loads or {3: 1935, 4: 2025, 5: 2025, 6: 2053}
    return [
        LevelOut(
            rank=lv.rank,
            name=lv.name,
            moves_people=lv.moves_people,
            leaves=tuple(lv.leaves),
            load=loads.get(lv.rank, 0),
            load_by_group=MappingProxyType({}),
            usable_routes=("air",),
            clearance_days=None,
            margin_days=margins.get(lv.rank),
            deadline=DEADLINE if margins.get(lv.rank) is not None else NOBODY,
            latest_start_at=None,
            seats_before_close=0,
            shortfall=0,
            triggers_enabled=0,
            triggers_met=0,
            quorum=1,
            indicated_by_triggers=False,
            last_indicated_at=None,
            held_until=None,
        )
        for lv in DEFAULT_LADDER
    ]


def rec(
    current: int = 0,
    indicated: frozenset[int] = frozenset(),
    last: dict[int, object] | None = None,
    margins: dict[int, float | None] | None = None,
):  # type: ignore[no-untyped-def]
    return recommend(
        DEFAULT_LADDER,
        levels(margins or {}),
        (),
        indicated,
        current,
        last or {},  # type: ignore[arg-type]
        NOW,
        14,
        3,
    )


class TestHold:
    def test_held_within_the_period(self) -> None:
        assert held_levels({4: ago(5)}, RANKS, NOW, HOLD) == {4: ago(5) + HOLD}

    def test_released_after_the_period(self) -> None:
        assert held_levels({4: ago(14)}, RANKS, NOW, HOLD) == {}

    def test_an_entry_from_the_future_is_ignored(self) -> None:
        assert held_levels({4: NOW + timedelta(days=1)}, RANKS, NOW, HOLD) == {}


class TestTimeTrigger:
    def test_asks_for_the_next_level_that_moves_people(self) -> None:
        # Evacuation's margin is the tightest, but the answer is the next step: level 3.
        assert time_trigger(DEFAULT_LADDER, 0, {3: 10, 4: 8, 6: 2}, 3) == (3, 6)

    def test_from_citizens_advised_the_next_step_is_reduced_presence(self) -> None:
        assert time_trigger(DEFAULT_LADDER, 3, {4: 2.5}, 3) == (4, 4)

    def test_from_reduced_presence_only_evacuation_moves_anyone(self) -> None:
        assert time_trigger(DEFAULT_LADDER, 4, {5: -1.0}, 3) == (6, 5)

    def test_quiet_without_pressure(self) -> None:
        assert time_trigger(DEFAULT_LADDER, 0, {3: 3.0, 4: None}, 3) == (None, None)
        assert time_trigger(DEFAULT_LADDER, 4, {3: -5.0}, 3) == (None, None)  # below current

    def test_no_means_left_is_pressure(self) -> None:
        assert time_trigger(DEFAULT_LADDER, 0, {3: -math.inf}, 3) == (3, 3)


class TestRecommend:
    def test_nothing_means_normal(self) -> None:
        r = rec()
        assert r.level == 0 and [x.kind for x in r.reasons] == ["baseline"]

    def test_the_highest_indicated_level_wins(self) -> None:
        r = rec(indicated=frozenset({1, 3}))
        assert r.level == 3 and [(x.kind, x.level) for x in r.reasons] == [
            ("trigger", 3),
            ("trigger", 1),
        ]
        assert r.last_indicated == {1: NOW, 3: NOW}

    def test_a_held_level_stays_recommended(self) -> None:
        r = rec(indicated=frozenset({1}), last={4: ago(5), 1: ago(1)})
        assert r.level == 4 and r.held == {4: ago(5) + HOLD}
        hold = next(x for x in r.reasons if x.kind == "hold")
        assert said(hold).startswith("Reduced presence held until Nov. 15, 2025, noon")
        assert r.last_indicated[4] == ago(5)  # the hold is not renewed by itself

    def test_time_raises_the_recommendation_and_is_remembered(self) -> None:
        r = rec(current=2, indicated=frozenset({2}), margins={3: 2.5, 4: 1.4})
        assert (r.level, r.time_level, r.pressing_level) == (3, 3, 4)
        time = next(x for x in r.reasons if x.kind == "time")
        assert "Reduced presence (2,025 people expected to have left by then)" in said(time)
        assert "is due within 1.4 days" in said(time)
        assert r.last_indicated[3] == NOW

    def test_time_never_lowers_a_triggered_level(self) -> None:
        r = rec(current=0, indicated=frozenset({4}), margins={3: 1.0})
        assert r.level == 4


class TestVerdict:
    def test_late_when_the_recommended_level_is_overdue(self) -> None:
        assert timing_verdict(2, 3, {3: -0.5, 4: -2}, 14).verdict == "late"
        assert timing_verdict(2, 3, {3: -math.inf}, 14).verdict == "late"

    def test_act_now_while_there_is_still_time(self) -> None:
        assert timing_verdict(2, 3, {3: 2.5, 4: 1.4}, 14) == Verdict("act_now", 1.4, 4)
        assert timing_verdict(0, 1, {}, 14).verdict == "act_now"  # no deadline at all

    def test_watch_when_a_deadline_ahead_is_within_the_window(self) -> None:
        assert timing_verdict(3, 3, {3: 20, 4: 13.9}, 14) == Verdict("watch", 13.9, 4)

    def test_on_time_with_room_to_spare(self) -> None:
        assert timing_verdict(3, 3, {4: 14.0, 6: None}, 14) == Verdict("on_time", 14.0, 4)
        assert timing_verdict(0, 0, {}, 14) == Verdict("on_time", None, None)

    def test_too_early_without_timing_pressure(self) -> None:
        assert timing_verdict(4, 2, {3: 40, 4: 38, 5: 38}, 14).verdict == "too_early"

    def test_ahead_of_the_triggers_but_justified_by_the_clock(self) -> None:
        assert timing_verdict(3, 2, {3: 10, 4: 30}, 14).verdict == "on_time"
        assert timing_verdict(3, 2, {3: 10, 4: 9}, 14).verdict == "watch"


class TestSentences:
    ROUTES = describe_routes((route(closes_at_threat=85),), 40, 0, 6, DEFAULT_PARAMS)

    def say(
        self, verdict: str, current: int, recommended: int, tight: int | None, lv: list[LevelOut]
    ) -> str:
        """The verdict sentence of an explanation made of these levels and routes."""
        return sentence(
            {
                "verdict": verdict,
                "current_level": current,
                "recommended_level": recommended,
                "next_level_margin_rank": tight,
                "levels": _plain(lv),
                "routes": _plain(self.ROUTES),
                "reasons": [],
                "params": {"watch_window_days": 14},
            }
        )

    def test_on_time_names_the_nearest_deadline(self) -> None:
        lv = levels({4: 20.0})
        text = self.say("on_time", 3, 3, 4, lv)
        assert text == (
            "Citizens advised to leave matches the situation; the nearest deadline ahead, "
            "for Reduced presence, is 20 days away."
        )

    def test_too_early_says_what_the_situation_calls_for(self) -> None:
        lv = levels({})
        text = self.say("too_early", 4, 2, None, lv)
        assert text.startswith("Reduced presence is above what the situation calls for")
