"""Tripwires: each kind, met and not met, with the evidence behind it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

import pytest

from readiness.engine import DEFAULT_LADDER, DEFAULT_PARAMS, IndicatorIn, RouteIn
from readiness.engine.routes import describe_routes
from readiness.engine.threat import evaluate_threat
from readiness.engine.triggers import (
    EVIDENCE_LIMIT,
    TriggerContext,
    TriggerOut,
    evaluate_ladder,
    evaluate_trigger,
)
from readiness.engine.vocabulary import (
    Category,
    LevelSpec,
    Reliability,
    RouteMode,
    RouteStatus,
    TriggerError,
    TriggerKind,
    TriggerSpec,
)

from ..saying import said
from .builders import NOW, indicator, manual, route

P = DEFAULT_PARAMS
K = TriggerKind
LEVEL = LevelSpec(3, "Citizens advised to leave")


def ctx(
    indicators: tuple[IndicatorIn, ...] = (),
    routes: tuple[RouteIn, ...] = (),
    margins: Mapping[int, float | None] | None = None,
) -> TriggerContext:
    threat = evaluate_threat(indicators, NOW, P)
    return TriggerContext(
        now=NOW,
        threat=threat,
        routes=describe_routes(routes, threat.threat_index, 0, 6, P),
        margins=margins or {},
        params=P,
    )


def check(spec: TriggerSpec, c: TriggerContext) -> TriggerOut:
    spec.validate()
    return evaluate_trigger(spec, LEVEL, c)


class TestIndexTriggers:
    def test_threat_index(self) -> None:
        c = ctx((indicator("a", severity=5), indicator("b", severity=5)))  # W 10: T 63.2
        out = check(TriggerSpec(K.THREAT_INDEX, name="T", threshold=60), c)
        assert (out.met, out.observed, out.threshold) == (True, pytest.approx(63.21, abs=0.01), 60)
        assert out.evidence == ("a", "b") and said(out) == "threat index 63.2 >= 60"
        assert not check(TriggerSpec(K.THREAT_INDEX, threshold=64), c).met

    def test_category_index_looks_at_its_category_only(self) -> None:
        c = ctx((indicator("s", Category.SUPPLY, 5), indicator("i", Category.INCIDENT, 5)))
        out = check(TriggerSpec(K.CATEGORY_INDEX, category=Category.SUPPLY, threshold=39), c)
        assert out.met and out.observed == pytest.approx(39.35, abs=0.01)
        assert out.evidence == ("s",)

    def test_evidence_lists_the_heaviest_and_counts_the_rest(self) -> None:
        many = tuple(indicator(f"i{n}", severity=1 + n % 5) for n in range(40))
        out = check(TriggerSpec(K.THREAT_INDEX, threshold=10), ctx(many))
        assert len(out.evidence) == EVIDENCE_LIMIT and out.evidence_omitted == 40 - EVIDENCE_LIMIT
        assert out.evidence[0] in {"i4", "i9", "i14"}  # a severity-5 one comes first


class TestCountTrigger:
    SPEC = TriggerSpec(
        K.INDICATOR_COUNT, category=Category.INCIDENT, count=2, min_severity=3, within_days=14
    )

    def test_counts_recent_serious_ones(self) -> None:
        c = ctx(
            (
                indicator("old", age_days=15),
                indicator("minor", severity=2),
                indicator("a", age_days=3),
                indicator("b", age_days=13.9),
                indicator("other", Category.SUPPLY),
            )
        )
        out = check(self.SPEC, c)
        assert (out.met, out.observed, out.threshold) == (True, 2, 2)
        assert sorted(out.evidence) == ["a", "b"]

    def test_an_ongoing_condition_counts_while_in_force(self) -> None:
        c = ctx((indicator("a", age_days=40, ongoing=True), indicator("b", age_days=1)))
        assert check(self.SPEC, c).met
        ended = indicator("a", age_days=40, ongoing=True, ended_at=NOW - timedelta(days=20))
        assert not check(self.SPEC, ctx((ended, indicator("b", age_days=1)))).met

    def test_improbable_reports_do_not_count(self) -> None:
        # B5: 0.8 x 0.2 = 0.16 < 0.25; F6: 0.5 x 0.5 = 0.25 counts.
        rumour = indicator("rumour", reliability=Reliability.B, credibility=5)
        unjudged = indicator("unjudged", reliability=Reliability.F, credibility=6)
        out = check(self.SPEC, ctx((rumour, unjudged, indicator("a"))))
        assert sorted(out.evidence) == ["a", "unjudged"]

    def test_expired_ones_do_not_count(self) -> None:
        c = ctx((indicator("a", expires_at=NOW), indicator("b")))
        assert check(self.SPEC, c).observed == 1

    def test_a_siege_reported_as_a_condition_and_updated_counts_once(self) -> None:
        # Unnamed: the siege logged as an ongoing condition, then its updates within 48 h,
        # are one shock for the count (as for the weights); a report 3 days on is another.
        siege = indicator("siege", severity=5, age_days=2.5, event="", ongoing=True)
        update = indicator("update", severity=5, age_days=1.5, event="")
        spec = TriggerSpec(
            K.INDICATOR_COUNT, category=Category.INCIDENT, count=2, min_severity=5, within_days=3
        )
        out = check(spec, ctx((siege, update)))
        assert (out.met, out.observed) == (False, 1)
        later = indicator("later", severity=5, age_days=0, event="")
        assert check(spec, ctx((siege, update, later))).met

    def test_a_cluster_with_a_condition_is_in_force_while_the_condition_is(self) -> None:
        siege = indicator("siege", severity=5, age_days=10, event="", ongoing=True)
        spec = TriggerSpec(
            K.INDICATOR_COUNT, category=Category.INCIDENT, count=1, min_severity=5, within_days=3
        )
        assert check(spec, ctx((siege, indicator("u", severity=4, age_days=9, event="")))).met
        ended = replace(siege, ended_at=NOW - timedelta(days=5))
        assert not check(spec, ctx((ended, indicator("u", severity=4, age_days=9, event="")))).met

    def test_without_category_every_category_counts(self) -> None:
        spec = TriggerSpec(K.INDICATOR_COUNT, count=2, min_severity=3, within_days=5)
        c = ctx((indicator("a"), indicator("b", Category.SUPPLY)))
        assert check(spec, c).met


class TestCountWithAnotherCategory:
    """A count trigger that also needs a piece of another category in the same days: a
    grave incident that other governments act on (the default 'Grave incident as
    governments leave' at shelter)."""

    SPEC = TriggerSpec(
        K.INDICATOR_COUNT,
        category=Category.INCIDENT,
        count=1,
        min_severity=5,
        within_days=3,
        with_category=Category.PEER_ACTION,
        with_min_severity=4,
    )

    def test_met_only_when_both_streams_meet(self) -> None:
        attack = indicator("attack", severity=5, age_days=1)
        departure = indicator("us-departure", Category.PEER_ACTION, 4, age_days=0.5)
        alone = check(self.SPEC, ctx((attack,)))
        assert not alone.met and alone.observed == 1 and alone.detail_facts["with_found"] == 0
        assert said(alone) == (
            "1 incident indicator(s) of severity >= 5 in the last 3 days, 1 needed; "
            "and 0 peer action indicators of severity >= 4 in the same days, 1 needed"
        )
        both = check(self.SPEC, ctx((attack, departure)))
        assert both.met and both.detail_code == "count_with"
        assert both.evidence == ("attack", "us-departure")
        assert not check(self.SPEC, ctx((departure,))).met

    def test_the_other_stream_must_be_grave_and_recent_too(self) -> None:
        attack = indicator("attack", severity=5)
        advice = indicator("advice", Category.PEER_ACTION, 3)  # advises against travel only
        stale = indicator("old-departure", Category.PEER_ACTION, 4, age_days=3.5)
        assert not check(self.SPEC, ctx((attack, advice, stale))).met

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"with_category": Category.PEER_ACTION}, "with_min_severity: give"),
            ({"with_min_severity": 4}, "with_category: give"),
            ({"with_category": Category.PEER_ACTION, "with_min_severity": 6}, "with_min_sev"),
        ],
    )
    def test_both_fields_or_neither(self, fields: dict, message: str) -> None:
        spec = TriggerSpec(K.INDICATOR_COUNT, count=1, min_severity=5, within_days=3, **fields)
        with pytest.raises(TriggerError, match=message):
            spec.validate()

    def test_only_count_triggers_take_them(self) -> None:
        spec = TriggerSpec(
            K.THREAT_INDEX, threshold=50, with_category=Category.PEER_ACTION, with_min_severity=4
        )
        with pytest.raises(TriggerError, match="with_category: not used by a threat_index"):
            spec.validate()


class TestRouteTrigger:
    ROUTES = (
        route("air-1", seats=40),
        route("air-2", status=RouteStatus.DEGRADED, seats=30),
        route("road", RouteMode.ROAD, RouteStatus.CLOSED, 150),
    )

    def test_by_key_closed(self) -> None:
        out = check(TriggerSpec(K.ROUTE, route="road"), ctx(routes=self.ROUTES))
        assert out.met and out.evidence == ("road",) and said(out) == "1 of 1 route road closed"

    def test_mode_closed_needs_every_route_of_the_mode(self) -> None:
        spec = TriggerSpec(K.ROUTE, mode=RouteMode.COMMERCIAL_AIR)
        assert not check(spec, ctx(routes=self.ROUTES)).met
        shut = tuple(route(k, status=RouteStatus.CLOSED) for k in ("air-1", "air-2"))
        assert check(spec, ctx(routes=shut)).met

    def test_below_seats_reads_the_recorded_seats_of_the_mode(self) -> None:
        # 40 + 30 recorded (the degraded route's 30 is not halved again): 70.
        out = check(
            TriggerSpec(K.ROUTE, mode=RouteMode.COMMERCIAL_AIR, below_seats=71),
            ctx(routes=self.ROUTES),
        )
        assert (out.met, out.observed, out.evidence) == (True, 70, ("air-1", "air-2"))
        spec = TriggerSpec(K.ROUTE, mode=RouteMode.COMMERCIAL_AIR, below_seats=70)
        assert not check(spec, ctx(routes=self.ROUTES)).met

    def test_a_mode_the_post_never_had_is_not_lost(self) -> None:
        out = check(TriggerSpec(K.ROUTE, mode=RouteMode.SEA), ctx(routes=self.ROUTES))
        assert not out.met and said(out) == "no sea routes recorded"

    def test_an_unknown_key_is_not_met(self) -> None:
        assert not check(TriggerSpec(K.ROUTE, route="ferry"), ctx(routes=self.ROUTES)).met


class TestMarginTrigger:
    SPEC = TriggerSpec(K.CLEARANCE_MARGIN, margin_level=4, below_days=7)

    @pytest.mark.parametrize(
        ("margin", "met"),
        [(6.9, True), (7.0, False), (-2.0, True), (-math.inf, True), (None, False)],
    )
    def test_compares_the_margin(self, margin: float | None, met: bool) -> None:
        assert check(self.SPEC, ctx(margins={4: margin})).met is met


def test_manual_trigger_follows_the_officer() -> None:
    out = check(manual("Embassy told to expect unrest"), ctx())
    assert out.met and said(out) == "Embassy told to expect unrest"
    assert not check(manual(active=False), ctx()).met


def test_a_disabled_trigger_is_never_met() -> None:
    spec = TriggerSpec(K.MANUAL, active=True, reason="x", enabled=False)
    out = check(spec, ctx())
    assert not out.met and not out.enabled and said(out).startswith("disabled")


def test_quorum_counts_enabled_triggers() -> None:
    level = LevelSpec(
        1,
        "Vigilance",
        quorum=2,
        triggers=(manual(), manual(active=False), TriggerSpec(K.MANUAL, active=True, reason="x")),
    )
    ladder = (LevelSpec(0, "Normal"), level)
    _, levels = evaluate_ladder(ladder, ctx())
    assert (levels[1].enabled, levels[1].met, levels[1].indicated) == (3, 2, True)
    assert not levels[0].indicated  # no triggers: never indicated by triggers


def test_default_ladder_is_quiet_on_a_quiet_post() -> None:
    outs, levels = evaluate_ladder(DEFAULT_LADDER, ctx(routes=(route(),)))
    assert not any(t.met for t in outs) and not any(lv.indicated for lv in levels)


def test_a_rumour_s_severity_does_not_borrow_a_sure_report_s_grading() -> None:
    """Review of issue 8: an improbable severity-5 rumour and a sure severity-2 report of
    one cluster are not a sure severity-5 piece of evidence."""
    spec = TriggerSpec(
        K.INDICATOR_COUNT, category=Category.INCIDENT, count=1, min_severity=5, within_days=3
    )
    rumour = indicator("r", severity=5, reliability=Reliability.E, credibility=5, event="")
    sure = indicator("s", severity=2, age_days=0.5, event="")
    assert not check(spec, ctx((rumour, sure))).met
    assert check(spec, ctx((indicator("a", severity=5, event=""), sure))).met
