"""Steps 1-3: indicator weight, threat index, sub-indices and the daily trend."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.engine import DEFAULT_PARAMS, IndicatorIn
from readiness.engine.threat import (
    ENDED,
    EVENT,
    EXPIRED,
    NOT_YET_KNOWN,
    ONGOING,
    STALE,
    evaluate_threat,
    indicator_weight,
    least_squares_slope,
    threat_index,
)
from readiness.engine.vocabulary import Category, Reliability

from .builders import DAY, NOW, ago, indicator
from .strategies import indicators, unique

P = DEFAULT_PARAMS


def t_of(*indicators: IndicatorIn, at: object = NOW) -> float:
    return evaluate_threat(indicators, at, P).threat_index  # type: ignore[arg-type]


class TestFormulas:
    def test_weight(self) -> None:
        # 4 (severity) x 0.8 (B) x 0.8 (credibility 2) x 0.5^(14 / 14) = 1.28
        assert indicator_weight(4, 0.8, 0.8, 14, 14) == pytest.approx(1.28)

    def test_weight_halves_each_half_life(self) -> None:
        assert indicator_weight(5, 1, 1, 21, 7) == pytest.approx(5 / 8)

    def test_threat_index(self) -> None:
        assert threat_index(0, 10) == 0
        assert threat_index(10, 10) == pytest.approx(100 * (1 - math.exp(-1)))  # 63.21
        assert threat_index(1e6, 10) == 100

    def test_least_squares_slope(self) -> None:
        xs = [-3.0, -2.0, -1.0, 0.0]
        assert least_squares_slope(xs, [2 * x + 1 for x in xs]) == pytest.approx(2)
        # y = 0, 0, 0, 6: slope = sum((x + 1.5) y) / sum((x + 1.5)^2) = 9 / 5
        assert least_squares_slope(xs, [0, 0, 0, 6]) == pytest.approx(1.8)
        assert least_squares_slope([0.0], [3.0]) == 0


class TestIndicators:
    def test_an_event_decays_from_its_observation(self) -> None:
        pic = evaluate_threat([indicator(severity=5, age_days=7)], NOW, P)
        (c,) = pic.contributions
        assert (c.status, c.age_days, c.decay, c.weight) == (EVENT, 7, pytest.approx(0.5), 2.5)
        assert pic.total_weight == pytest.approx(2.5)
        assert pic.threat_index == pytest.approx(100 * (1 - math.exp(-0.25)))  # 22.12
        assert c.share == 1

    def test_grades_scale_the_weight(self) -> None:
        # supply 4 B2, fresh: 4 x 0.8 x 0.8 = 2.56
        i = indicator(
            category=Category.SUPPLY, severity=4, reliability=Reliability.B, credibility=2
        )
        (c,) = evaluate_threat([i], NOW, P).contributions
        assert (c.r, c.k, c.weight) == (0.8, 0.8, pytest.approx(2.56))

    def test_an_ongoing_condition_weighs_fully_until_it_ends(self) -> None:
        (c,) = evaluate_threat([indicator(age_days=29, ongoing=True)], NOW, P).contributions
        assert (c.status, c.age_days, c.weight) == (ONGOING, 0, 3)

    def test_an_ended_condition_decays_from_its_end(self) -> None:
        i = indicator(age_days=20, ongoing=True, ended_at=ago(7))
        (c,) = evaluate_threat([i], NOW, P).contributions
        assert (c.status, c.age_days, c.weight) == (ENDED, 7, pytest.approx(1.5))

    def test_an_end_later_than_now_is_not_an_end_yet(self) -> None:
        i = indicator(age_days=3, ongoing=True, ended_at=NOW + DAY)
        assert evaluate_threat([i], NOW, P).contributions[0].weight == 3

    def test_an_expired_indicator_weighs_nothing(self) -> None:
        (c,) = evaluate_threat([indicator(expires_at=NOW)], NOW, P).contributions
        assert (c.status, c.weight) == (EXPIRED, 0)
        assert t_of(indicator(expires_at=NOW + timedelta(seconds=1))) > 0

    def test_what_was_not_known_yet_is_ignored(self) -> None:
        later = indicator(age_days=-1)
        recorded_later = indicator("r", age_days=5, recorded_at=NOW + timedelta(hours=1))
        pic = evaluate_threat([later, recorded_later], NOW, P)
        assert {c.status for c in pic.contributions} == {NOT_YET_KNOWN}
        assert pic.threat_index == 0 and pic.in_force[Category.INCIDENT] == ()

    def test_sub_indices_use_the_same_formula(self) -> None:
        pic = evaluate_threat(
            [
                indicator("a", Category.SUPPLY, severity=5),
                indicator("b", Category.INCIDENT, severity=5),
            ],
            NOW,
            P,
        )
        by = {c.category: c for c in pic.categories}
        assert by[Category.SUPPLY].index == pytest.approx(threat_index(5, 10))
        assert by[Category.POLITICAL].index == 0 and by[Category.POLITICAL].indicators == 0
        assert pic.threat_index == pytest.approx(threat_index(10, 10))

    def test_contributions_come_heaviest_first_and_shares_add_up(self) -> None:
        pic = evaluate_threat(
            [indicator("light", severity=1), indicator("heavy", severity=5)], NOW, P
        )
        assert [c.id for c in pic.contributions] == ["heavy", "light"]
        assert sum(c.share for c in pic.contributions) == pytest.approx(1)


class TestTrend:
    def test_fourteen_daily_points_ending_now(self) -> None:
        pts = evaluate_threat([], NOW, P).trend.points
        assert len(pts) == 14
        assert (pts[0].days_ago, pts[0].at, pts[-1].at) == (13, NOW - 13 * DAY, NOW)

    def test_a_steady_condition_has_no_slope(self) -> None:
        trend = evaluate_threat([indicator(age_days=30, ongoing=True)], NOW, P).trend
        assert trend.slope_per_day == pytest.approx(0, abs=1e-9)

    def test_each_day_sees_only_what_was_known_that_day(self) -> None:
        # Observed 3 days ago, recorded 1 day ago: absent from the points before yesterday.
        i = indicator(severity=5, age_days=3, recorded_at=ago(1))
        pts = evaluate_threat([i], NOW, P).trend.points
        assert [p.threat_index for p in pts[:12]] == [0] * 12
        assert pts[12].threat_index == pytest.approx(threat_index(5 * 0.5 ** (2 / 7), 10))

    def test_slope_is_least_squares_through_the_points(self) -> None:
        pic = evaluate_threat([indicator(severity=5, age_days=3)], NOW, P)
        xs = [-float(p.days_ago) for p in pic.trend.points]
        ys = [p.threat_index for p in pic.trend.points]
        assert pic.trend.slope_per_day == pytest.approx(least_squares_slope(xs, ys))
        # Three days ago T jumped from 0 to 39.3 and has decayed since: still a rise.
        assert pic.trend.slope_per_day > 0

    def test_a_fading_event_gives_a_falling_trend(self) -> None:
        pic = evaluate_threat([indicator(severity=5, age_days=20)], NOW, P)
        assert pic.trend.slope_per_day < 0


FAST = settings(max_examples=60, deadline=None)


@FAST
@given(st.lists(indicators(), max_size=12).map(unique))
def test_threat_index_stays_within_0_and_100(items: list[IndicatorIn]) -> None:
    pic = evaluate_threat(items, NOW, P)
    assert 0 <= pic.threat_index <= 100
    assert all(0 <= p.threat_index <= 100 for p in pic.trend.points)
    assert all(0 <= c.index <= 100 for c in pic.categories)


@FAST
@given(st.lists(indicators(), min_size=1, max_size=8).map(unique), st.data())
def test_a_graver_or_more_credible_indicator_never_lowers_the_index(  # or a de-escalation raises
    items: list[IndicatorIn], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(items) - 1))
    old = items[i]
    k = P.credibility_factor
    r = P.reliability_factor
    better = data.draw(
        st.sampled_from(
            [replace(old, severity=s) for s in range(old.severity, 6)]
            + [replace(old, credibility=c) for c in range(1, 7) if k[c] >= k[old.credibility]]
            + [replace(old, reliability=g) for g in Reliability if r[g] >= r[old.reliability]]
        )
    )
    improved = [*items[:i], better, *items[i + 1 :]]
    if old.de_escalation:  # a graver or surer de-escalation lowers the index, never raises it
        assert t_of(*improved) <= t_of(*items) + 1e-9
    else:
        assert t_of(*improved) >= t_of(*items) - 1e-9


@FAST
@given(
    st.lists(indicators(known=True, settled=True), max_size=10).map(unique),
    st.floats(0, 30),
)
def test_with_nothing_new_the_index_never_rises(items: list[IndicatorIn], days: float) -> None:
    assert t_of(*items, at=NOW + timedelta(days=days)) <= t_of(*items) + 1e-9


@FAST
@given(st.lists(indicators(), max_size=10).map(unique))
def test_each_trend_point_is_the_index_as_known_that_day(items: list[IndicatorIn]) -> None:
    pts = evaluate_threat(items, NOW, P).trend.points
    for p in pts:
        assert p.threat_index == pytest.approx(t_of(*items, at=p.at), abs=1e-6)


class TestCorrelatedEvidence:
    """docs/engine.md, step 1: evidence adds up, reports of one event do not."""

    def test_reports_naming_one_event_weigh_as_its_heaviest(self) -> None:
        attack = indicator("a", severity=5, event="hotel-siege", source="Press")
        same = indicator("b", Category.THREAT_TO_FOREIGNERS, 5, event="hotel-siege", source="Press")
        claim = indicator("c", severity=4, age_days=0.5, event="hotel-siege", source="press")
        pic = evaluate_threat([attack, same, claim], NOW, P)
        assert pic.total_weight == pytest.approx(5.0)  # not 5 + 5 + 4
        counted = [c for c in pic.contributions if c.counted]
        assert len(counted) == 1 and counted[0].weight == pytest.approx(5.0)
        assert sum(c.weight for c in pic.contributions) == pytest.approx(pic.total_weight)

    def test_corroboration_raises_credibility_not_weight(self) -> None:
        one = indicator("a", severity=4, credibility=3, event="e", source="Press")
        other = indicator("b", severity=4, credibility=3, event="e", source="Embassy")
        alone = evaluate_threat([one], NOW, P).total_weight  # 4 x 0.6
        both = evaluate_threat([one, other], NOW, P).total_weight  # 4 x (0.6 + 0.2)
        assert (alone, both) == (pytest.approx(2.4), pytest.approx(3.2))

    def test_unnamed_near_duplicates_have_diminishing_returns(self) -> None:
        reports = [indicator(f"r{n}", severity=4, age_days=n * 0.25, event="") for n in range(4)]
        pic = evaluate_threat(reports, NOW, P)
        # Known oldest first: r3 counts 1, r2 1/2, r1 1/4, r0 1/8.
        counted = {c.id: c.counted for c in pic.contributions}
        assert counted == {"r3": 1, "r2": 0.5, "r1": 0.25, "r0": 0.125}
        assert sum(c.weight for c in pic.contributions) == pytest.approx(pic.total_weight)

    def test_reports_days_apart_are_separate_evidence(self) -> None:
        reports = [indicator("a", age_days=0, event=""), indicator("b", age_days=3, event="")]
        assert {c.counted for c in evaluate_threat(reports, NOW, P).contributions} == {1.0}

    def test_one_shock_counts_once_for_the_count_triggers(self) -> None:
        pic = evaluate_threat(
            [
                indicator("a", severity=5, event=""),
                indicator("b", severity=5, age_days=1, event=""),
                indicator("c", severity=5, age_days=3.5, event=""),
            ],
            NOW,
            P,
        )
        units = pic.in_force[Category.INCIDENT]
        # c starts a cluster; b is 2.5 days later: a second one with a.
        assert sorted(u.reports for u in units) == [1, 2]

    def test_an_unconfirmed_condition_goes_stale(self) -> None:
        (c,) = evaluate_threat([indicator(age_days=37, ongoing=True)], NOW, P).contributions
        assert (c.status, c.age_days) == (STALE, pytest.approx(7))
        assert c.weight == pytest.approx(1.5)  # 3 x 0.5^(7 / 7)

    def test_a_later_report_of_the_same_event_reconfirms_it(self) -> None:
        blockade = indicator("b", Category.SUPPLY, 4, age_days=50, ongoing=True, event="x")
        update = indicator("u", Category.SUPPLY, 2, age_days=10, event="x")
        pic = evaluate_threat([blockade, update], NOW, P)
        assert pic.total_weight == pytest.approx(4.0)
        assert {c.id: c.status for c in pic.contributions}["b"] == ONGOING

    def test_a_de_escalation_lowers_its_category_not_below_zero(self) -> None:
        threat = indicator("t", severity=4, event="")
        calm = indicator("d", severity=3, event="", de_escalation=True)
        assert evaluate_threat([threat, calm], NOW, P).total_weight == pytest.approx(1.0)
        more = indicator("d2", Category.SUPPLY, 5, de_escalation=True)
        pic = evaluate_threat([threat, more], NOW, P)
        assert pic.total_weight == pytest.approx(4.0)  # another category: no effect
        lots = indicator("d3", severity=5, de_escalation=True)
        assert evaluate_threat([threat, lots], NOW, P).total_weight == 0

    def test_a_de_escalation_of_the_same_event_ends_a_condition(self) -> None:
        curfew = indicator("c", Category.POLITICAL, 3, age_days=10, ongoing=True, event="curfew")
        lifted = indicator(
            "l", Category.POLITICAL, 1, age_days=2, event="curfew", de_escalation=True
        )
        pic = evaluate_threat([curfew, lifted], NOW, P)
        row = {c.id: c for c in pic.contributions}["c"]
        assert (row.status, row.age_days) == (ENDED, pytest.approx(2))

    def test_the_baseline_is_the_median_of_the_days_before_the_window(self) -> None:
        standing = indicator("s", Category.POLITICAL, 3, age_days=80, ongoing=True)
        reconfirmed = [
            indicator(f"r{n}", Category.POLITICAL, 1, age_days=n, event="s")
            for n in range(0, 80, 20)
        ]
        pic = evaluate_threat([replace(standing, event="s"), *reconfirmed], NOW, P)
        assert pic.baseline.days == P.baseline_window_days
        assert pic.baseline.threat_index == pytest.approx(t_of(indicator(severity=3)), abs=1e-6)
        assert evaluate_threat([indicator()], NOW, P).baseline.threat_index is None


def test_a_named_ongoing_de_escalation_reported_once_is_not_ended_by_itself() -> None:
    fighting = indicator("f", severity=5, age_days=20, ongoing=True, event="")
    truce = indicator("t", severity=3, age_days=10, ongoing=True, event="truce", de_escalation=True)
    pic = evaluate_threat([fighting, truce], NOW, P)
    row = {c.id: c for c in pic.contributions}["t"]
    assert (row.status, row.weight) == (ONGOING, -3)


def test_a_stale_condition_no_longer_counts_for_a_count_trigger() -> None:
    order = indicator("o", Category.PEER_ACTION, 5, age_days=200, ongoing=True, event="")
    units = evaluate_threat([order], NOW, P).in_force[Category.PEER_ACTION]
    (unit,) = units
    assert unit.last_in_force == ago(200) + timedelta(days=P.ongoing_full_days)
