"""The shipped defaults on Bamako and on posts they were never fitted to.

Bamako: the engine must advise leaving and reduce the presence no later than Paris did, and
not by crying wolf (no level 3 off the blockade alone, no evacuation while the articles say
emergency measures were not justified). The exercise files (a quiet post, a chronic crisis,
a coastal coup) leave out `ladder` and `triggers`, so the shipped ones apply. Assertions are
orders, windows and invariants read from the files and the parameters, not tuned numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from readiness.engine import DEFAULT_LADDER, DEFAULT_PARAMS, Assessment, RouteIn, assess
from readiness.engine.vocabulary import Category, Reliability, RouteMode, RouteStatus, TriggerKind
from readiness.scenarios.replay import Replay, replay
from readiness.scenarios.schema import load_scenario_file
from readiness.scenarios.specs import Scenario
from tests.engine.builders import BAMAKO as BAMAKO_POPULATION
from tests.engine.builders import indicator, inputs, route
from tests.saying import said

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ALL_FILES = sorted(SEEDS.glob("*.yaml"))
NEW_POSTS = ("exercise-quiet-post", "exercise-chronic-insecurity", "exercise-coastal-coup")

MOVERS = [level.rank for level in DEFAULT_LADDER if level.moves_people]
FIRST_MOVER = min(MOVERS)  # Citizens advised to leave
TOP = max(level.rank for level in DEFAULT_LADDER)  # Evacuation
HOLD_DAYS = int(DEFAULT_PARAMS.hold_days)


def _replay(name: str, **kwargs: bool) -> Replay:
    return replay(load_scenario_file(SEEDS / f"{name}.yaml"), **kwargs)


@pytest.fixture(scope="module")
def bamako() -> Replay:
    return _replay("bamako-2025")


@pytest.fixture(scope="module")
def quiet() -> Replay:
    return _replay("exercise-quiet-post")


@pytest.fixture(scope="module")
def chronic() -> Replay:
    return _replay("exercise-chronic-insecurity")


@pytest.fixture(scope="module")
def coup() -> Replay:
    return _replay("exercise-coastal-coup")


def _local_day(scenario: Scenario, entry_at: datetime) -> date:
    return entry_at.astimezone(scenario.post.zone).date()


def _decisions(scenario: Scenario) -> list[tuple[date, int]]:
    return [(_local_day(scenario, e.at), e.decision.level) for e in scenario.timeline if e.decision]


# Every file ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW_POSTS)
def test_new_posts_leave_out_the_ladder_and_triggers(name: str) -> None:
    path = SEEDS / f"{name}.yaml"
    keys = {line.split(":")[0] for line in path.read_text(encoding="utf-8").splitlines()}

    assert not {"ladder", "triggers"} & keys
    scenario = load_scenario_file(path)
    assert scenario.ladder_is_default and scenario.triggers_are_default


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_invariants_on_every_shipped_scenario(path: Path) -> None:
    result = replay(load_scenario_file(path))

    for day in result.days:
        a = day.assessment
        assert 0 <= a.threat_index <= 100
        indicated = [lv.rank for lv in a.levels if lv.indicated_by_triggers]
        assert a.recommended_level >= max(indicated, default=0)
        own = a.levels[a.current_level].margin_days
        called_overdue = own is not None and own < 0 and a.levels[a.current_level].load > 0
        if a.verdict == "late":
            # Late: the level asked for is overdue, or the people already called cannot
            # all leave by the current level's means.
            margin = a.levels[a.recommended_level].margin_days
            overdue = a.recommended_level > a.current_level and margin is not None and margin < 0
            assert overdue or called_overdue
        if called_overdue:
            assert a.verdict in ("late", "act_now")
        # The time rule only ever asks for a step that moves people.
        assert all(r.level in MOVERS for r in a.reasons if r.kind == "time")


# Bamako ----------------------------------------------------------------------------------


def test_bamako_decisions_are_the_articles_dates(bamako: Replay) -> None:
    assert _decisions(bamako.scenario) == [(date(2025, 11, 7), 3), (date(2025, 11, 20), 4)]


def test_bamako_citizens_advised_to_leave_no_later_than_7_november(bamako: Replay) -> None:
    first = bamako.first_day_at_or_above(3)

    assert first is not None and first <= date(2025, 11, 7)


def test_bamako_reduced_presence_no_later_than_20_november(bamako: Replay) -> None:
    first = bamako.first_day_at_or_above(4)

    assert first is not None and first <= date(2025, 11, 20)


def test_bamako_steps_come_in_order_and_each_ahead_of_paris(bamako: Replay) -> None:
    first3, first4 = bamako.first_day_at_or_above(3), bamako.first_day_at_or_above(4)

    assert first3 is not None and first4 is not None and first3 <= first4
    for outcome in bamako.decisions:
        assert outcome.lead_days is not None and outcome.lead_days >= 0
        # The advice, once given, is not withdrawn before Paris acts on it.
        assert outcome.sustained_from == outcome.first_day


def test_bamako_the_blockade_alone_does_not_send_citizens_home(bamako: Replay) -> None:
    scenario = bamako.scenario
    blockade = next(
        e for e in scenario.timeline if e.indicator and e.indicator.key == "fuel-blockade"
    )
    first_peer = next(
        e for e in scenario.timeline if e.indicator and e.indicator.category is Category.PEER_ACTION
    )
    start, end = _local_day(scenario, blockade.at), _local_day(scenario, first_peer.at)

    between = [d for d in bamako.days if start <= d.date < end]
    assert between and max(d.recommended_level for d in between) < FIRST_MOVER
    assert all(d.verdict in ("on_time", "watch") for d in between)


def test_bamako_no_shelter_or_evacuation(bamako: Replay) -> None:
    # "The situation does not currently justify emergency measures": nothing above the
    # highest level Paris decided, and nothing pushes a post at that level further.
    highest = max(level for _, level in _decisions(bamako.scenario))
    last_decision = max(when for when, _ in _decisions(bamako.scenario))

    assert max(d.recommended_level for d in bamako.days) <= highest
    after = [d for d in bamako.days if d.date >= last_decision]
    assert all(d.verdict not in ("act_now", "late") for d in after)
    assert not any(r.kind == "time" for d in after for r in d.assessment.reasons)


def test_bamako_the_standing_level_is_not_too_early(bamako: Replay) -> None:
    first_decision = min(when for when, _ in _decisions(bamako.scenario))

    before = [d for d in bamako.days if d.date < first_decision]
    assert all(d.verdict != "too_early" for d in before)
    assert all(d.recommended_level >= bamako.scenario.post.level for d in before)


def test_bamako_without_the_standing_decision_level_2_reads_too_early() -> None:
    # What the engine sees when nobody records why the post sits at level 2 (open point d).
    result = _replay("bamako-2025", standing=False)

    assert result.days[0].verdict == "too_early"


# A quiet post ----------------------------------------------------------------------------


def test_quiet_post_stays_normal_and_on_time(quiet: Replay) -> None:
    assert {(d.recommended_level, d.verdict) for d in quiet.days} == {(0, "on_time")}
    assert not any(r.kind == "time" for d in quiet.days for r in d.assessment.reasons)


def test_quiet_post_stays_clear_of_every_threat_index_tripwire(quiet: Replay) -> None:
    lowest = min(
        t.threshold
        for level in DEFAULT_LADDER
        for t in level.triggers
        if t.kind == TriggerKind.THREAT_INDEX and t.threshold is not None
    )

    assert max(d.threat_index for d in quiet.days) < lowest


# A chronic crisis ------------------------------------------------------------------------


def test_chronic_post_never_advises_anyone_to_leave(chronic: Replay) -> None:
    assert max(d.recommended_level for d in chronic.days) < FIRST_MOVER
    assert all(d.verdict in ("on_time", "watch") for d in chronic.days)


def test_chronic_post_keeps_its_standing_level(chronic: Replay) -> None:
    assert all(d.recommended_level == chronic.scenario.post.level for d in chronic.days)


# A coup in a coastal capital -------------------------------------------------------------


def _coup_day(coup: Replay) -> date:
    first_grave = next(
        e for e in coup.scenario.timeline if e.indicator and e.indicator.severity == 5
    )
    return _local_day(coup.scenario, first_grave.at)


def test_coup_nobody_is_told_to_leave_before_the_coup(coup: Replay) -> None:
    before = [d for d in coup.days if d.date < _coup_day(coup)]

    assert before and max(d.recommended_level for d in before) < FIRST_MOVER


def test_coup_shelter_at_least_on_the_day_of_the_coup(coup: Replay) -> None:
    shelter_day, shelter = _decisions(coup.scenario)[0]

    assert shelter_day == _coup_day(coup)
    assert coup.day(shelter_day).recommended_level >= shelter


def test_coup_evacuation_after_the_airport_closes_and_no_later_than_decided(
    coup: Replay,
) -> None:
    scenario = coup.scenario
    commercial = {r.key for r in scenario.routes if r.mode is RouteMode.COMMERCIAL_AIR}
    closed: set[str] = set()
    all_closed_on = None
    for entry in scenario.timeline:
        if entry.route and entry.route.key in commercial:
            if entry.route.status is RouteStatus.CLOSED:
                closed.add(entry.route.key)
            if closed == commercial:
                all_closed_on = _local_day(scenario, entry.at)
                break
    evacuation_day = next(when for when, level in _decisions(scenario) if level == TOP)

    first = coup.first_day_at_or_above(TOP)
    assert all_closed_on is not None and first is not None
    assert all_closed_on <= first <= evacuation_day


def test_coup_the_step_down_is_followed_within_the_hold(coup: Replay) -> None:
    step_down = next(o for o in coup.decisions if not o.escalation)

    # Since reports of one shock count once (an ongoing "fighting" condition logged beside
    # the attack reports of the same days counts as a repeat), the evacuated post reads
    # as calmer a week before the ministry stepped down: the engine may lead by a week,
    # and must not lag beyond the hold.
    assert step_down.lead_days is not None and -HOLD_DAYS <= step_down.lead_days <= 7


# Engine rules the calibration relies on --------------------------------------------------

B2 = {"reliability": Reliability.B, "credibility": 2}


def test_a_single_shock_is_not_extrapolated_into_a_closing_route() -> None:
    blockade = indicator(
        "blockade", Category.SUPPLY, 4, **B2, age_days=3, ongoing=True
    )  # a condition that began three days ago
    a = assess(inputs(indicators=(blockade,), routes=(route(closes_at_threat=85),)))

    assert a.trend_per_day > 0  # the reported trend still shows the jump
    assert a.trend.forecast_slope_per_day == 0
    assert a.routes[0].horizon_source == "level"


def test_a_rise_in_both_weeks_is_extrapolated() -> None:
    events = tuple(
        indicator(f"attack-{age}", Category.INCIDENT, 4, **B2, age_days=age)
        for age in (1, 4, 7, 10, 13)
    )
    a = assess(inputs(indicators=events, routes=(route(closes_at_threat=85),)))

    assert a.trend.sustained
    # The rise counts as far as both halves rise: the smallest of the three slopes.
    t = a.trend
    expected = min(
        t.underlying_slope_per_day, t.older_half_slope_per_day, t.newer_half_slope_per_day
    )
    assert t.forecast_slope_per_day == expected > 0
    air = a.routes[0]
    assert air.trend_estimate_days is not None and air.level_estimate_days is not None
    assert air.horizon_days == min(air.trend_estimate_days, air.level_estimate_days)


def _at_reduced_presence(*routes: RouteIn) -> Assessment:
    # A high threat that arrived yesterday (no baseline yet): the commercial route is
    # expected to close before the people already called at reduced presence can all fly
    # out.
    conditions = tuple(
        indicator(f"c{n}", Category.SUPPLY, 5, age_days=1, ongoing=True) for n in range(3)
    )
    return assess(
        inputs(
            current_level=4,
            indicators=conditions,
            routes=(route(closes_at_threat=85), *routes),
            population=BAMAKO_POPULATION,
        )
    )


def test_when_only_evacuation_means_can_carry_the_people_called_it_asks_for_them() -> None:
    """Issue 8: people already called who cannot all leave by commercial means before those
    close: the answer says so and asks for the level whose means still can, with that
    level's own deadline; it never says on time."""
    a = _at_reduced_presence(route("mil", RouteMode.MILITARY_AIR, seats=300, lead_time_hours=72))

    margin = a.levels[4].margin_days
    assert margin is not None and margin < 0  # the people called at 4 cannot all fly out
    assert a.recommended_level == TOP
    assert [r.kind for r in a.reasons if r.level == TOP] == ["means"]
    own = a.levels[TOP].margin_days
    assert own is not None
    assert a.verdict == ("late" if own < 0 else "act_now")
    means = [said(r) for r in a.reasons if r.kind == "means"]
    assert means and "already called" in means[0] and "cannot all leave" in means[0]


def test_evacuation_itself_under_pressure_still_asks_for_it() -> None:
    a = _at_reduced_presence()  # no military route: evacuation's own deadline has passed

    assert a.recommended_level >= 4
    assert a.verdict == "late"
