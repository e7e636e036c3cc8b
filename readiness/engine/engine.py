"""assess(): the ten steps of DESIGN.md in order, each figure kept for the explanation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from .assessment import Assessment, LevelOut
from .detail import Detail, said
from .inputs import Inputs
from .population import level_loads, load_rows
from .preparedness import evaluate_preparedness
from .recommend import (
    MeansShortfall,
    deadline_margins,
    recommend,
    timing_verdict,
)
from .routes import (
    DEADLINE,
    NO_MEANS,
    NO_ROUTE,
    Flow,
    RouteOut,
    capacity_from,
    clearance_days,
    describe_routes,
    latest_start,
)
from .threat import evaluate_threat
from .triggers import LevelTriggers, TriggerContext, evaluate_ladder
from .vocabulary import LevelSpec, TriggerKind


def assess(inputs: Inputs) -> Assessment:
    """Weights -> T and trend -> route horizons -> loads, clearance, margins -> triggers ->
    recommended level (max of indicated, held, time) -> verdict -> preparedness."""
    p = inputs.params
    now = inputs.now
    ladder = tuple(sorted(inputs.ladder, key=lambda lv: lv.rank))
    top = ladder[-1].rank
    current = inputs.current_level

    # Steps 1-3.
    threat = evaluate_threat(inputs.indicators, now, p)
    slope = threat.trend.slope_per_day

    # Steps 4-7. Horizons extrapolate the trend only when the rise is sustained, and
    # measure the drift from the post's own baseline; a route seen open lately is open.
    routes = describe_routes(
        inputs.routes,
        threat.threat_index,
        threat.trend.forecast_slope_per_day,
        top,
        p,
        now=now,
        baseline=threat.baseline.threat_index,
    )
    loads = level_loads(inputs.population, ladder, p)
    timing = []
    for level, load in zip(ladder, loads, strict=True):
        usable = [r for r in routes if r.usable_from <= level.rank]
        flows = [
            Flow(r.key, r.effective_seats_per_day, r.lead_time_days, r.horizon_days) for r in usable
        ]
        margin, deadline = latest_start(load.load, flows)
        seats = capacity_from(0.0, flows)
        timing.append((usable, clearance_days(load.load, flows), margin, deadline, seats))
    margins = {lv.rank: t[2] for lv, t in zip(ladder, timing, strict=True)}

    # Step 8: tripwires, then the recommendation.
    trigger_outs, level_triggers = evaluate_ladder(
        ladder,
        TriggerContext(
            now=now,
            threat=threat,
            routes=routes,
            margins=margins,
            params=p,
            current_level=current,
        ),
    )
    indicated = frozenset(lt.rank for lt in level_triggers if lt.indicated)
    means = _means_shortfall(ladder, current, loads[current].load, timing[current], routes)

    # recommend() reads these drafts (margins, loads); the hold state it returns completes them.
    levels_draft = [
        LevelOut(
            rank=level.rank,
            name=level.name,
            moves_people=level.moves_people,
            leaves=tuple(sorted(load.new_groups)),
            load=load.load,
            load_by_group=load.by_group,
            usable_routes=tuple(r.key for r in usable),
            clearance_days=clearance,
            margin_days=margin,
            deadline=deadline,
            latest_start_at=now + timedelta(days=margin)
            if margin is not None and margin != float("-inf")
            else None,
            seats_before_close=seats,
            shortfall=max(0.0, load.load - seats),
            triggers_enabled=lt.enabled,
            triggers_met=lt.met,
            quorum=lt.quorum,
            indicated_by_triggers=lt.indicated,
            last_indicated_at=None,
            held_until=None,
        )
        for level, load, (usable, clearance, margin, deadline, seats), lt in zip(
            ladder, loads, timing, level_triggers, strict=True
        )
    ]
    rec = recommend(
        ladder,
        levels_draft,
        trigger_outs,
        indicated,
        current,
        inputs.last_indicated,
        now,
        p.hold_days,
        p.safety_buffer_days,
        indicated_since=inputs.indicated_since,
        hold_min_days=p.hold_min_days,
        hold_per_day=p.hold_per_day_indicated,
        means=means,
    )
    levels = tuple(
        _with_hold(lv, rec.held.get(lv.rank), rec.last_indicated.get(lv.rank))
        for lv in levels_draft
    )

    # Step 9.
    own = levels[current]
    verdict = timing_verdict(
        current,
        rec.level,
        margins,
        p.watch_window_days,
        deadline_margins(ladder, margins),
        called_margin=own.margin_days if own.deadline in (DEADLINE, NO_MEANS) else None,
    )

    warnings = _warnings(inputs, levels, level_triggers)

    # Step 10: ready for the level the post must carry out next.
    target = rec.level if rec.level > current else (current + 1 if current < top else None)
    preparedness = evaluate_preparedness(
        inputs.readiness, inputs.routes, ladder, target, loads[-1].load, now, p
    )

    return Assessment(
        at=now,
        current_level=current,
        recommended_level=rec.level,
        verdict=verdict.verdict,
        next_level_margin_days=verdict.next_margin_days,
        next_level_margin_rank=verdict.next_margin_rank,
        threat_index=threat.threat_index,
        total_weight=threat.total_weight,
        trend_per_day=slope,
        categories=threat.categories,
        indicators=threat.contributions,
        trend=threat.trend,
        triggers=trigger_outs,
        routes=routes,
        levels=levels,
        reasons=rec.reasons,
        preparedness_score=preparedness.score,
        preparedness=preparedness,
        last_indicated=rec.last_indicated,
        indicated_since=rec.indicated_since,
        baseline=threat.baseline,
        load_rows=load_rows(inputs.population, ladder, p),
        warning_details=warnings,
        params=p,
    )


def _means_shortfall(
    ladder: tuple[LevelSpec, ...],
    current: int,
    called: float,
    timing: tuple[list[RouteOut], float | None, float | None, str, float],
    routes: tuple[RouteOut, ...],
) -> MeansShortfall | None:
    """When the people already called (the current level's load) cannot all leave by the
    means usable at the current level before those close: the lowest level above whose
    routes still carry them in time (its own deadline is then the decision's), or None
    when no level's means can. No shortfall: None."""
    _usable, _clearance, margin, deadline, _seats = timing
    if called <= 0 or deadline not in (DEADLINE, NO_MEANS) or margin is None or margin >= 0:
        return None
    have = {r.key for r in _usable}
    for level in ladder:
        if level.rank <= current:
            continue
        usable = [r for r in routes if r.usable_from <= level.rank]
        if {r.key for r in usable} <= have:
            continue
        flows = [
            Flow(r.key, r.effective_seats_per_day, r.lead_time_days, r.horizon_days) for r in usable
        ]
        m, _kind = latest_start(called, flows)
        if m is None or m >= 0:
            return MeansShortfall(called, margin, level.rank)
    return MeansShortfall(called, margin, None)


def _with_hold(level: LevelOut, held_until: datetime | None, last: datetime | None) -> LevelOut:
    """The draft level completed with its hold state (held_until = last + hold)."""
    return replace(level, held_until=held_until, last_indicated_at=last)


def _warnings(
    inputs: Inputs, levels: tuple[LevelOut, ...], level_triggers: tuple[LevelTriggers, ...]
) -> tuple[Detail, ...]:
    """Configuration gaps that make part of the answer blind; each says what to fix."""
    out = []
    if not inputs.routes and any(lv.load > 0 for lv in levels):
        out.append(said("no_route_at_all"))
    else:
        blind = [lv.rank for lv in levels if lv.deadline == NO_ROUTE]
        if blind:
            out.append(said("no_route_at_levels", ranks=blind))
    keys = {r.key for r in inputs.routes}
    for level in inputs.ladder:
        for t in level.triggers:
            if t.enabled and t.kind == TriggerKind.ROUTE and t.route not in (None, *keys):
                out.append(
                    said("trigger_route_unknown", rank=level.rank, name=t.name, route=t.route)
                )
    for lt in level_triggers:
        if 0 < lt.enabled < lt.quorum:
            out.append(
                said("quorum_unreachable", rank=lt.rank, quorum=lt.quorum, enabled=lt.enabled)
            )
    return tuple(out)
