"""Evaluating each level's tripwires, and whether the level is indicated (its quorum met)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .params import Params
from .routes import RouteOut
from .threat import InForce, ThreatPicture, threat_index
from .vocabulary import Category, LevelSpec, RouteStatus, TriggerKind, TriggerSpec

# Index triggers can rest on hundreds of indicators; the evidence lists the heaviest ones
# (the contributions table has them all).
EVIDENCE_LIMIT = 25


@dataclass(frozen=True, slots=True)
class TriggerOut:
    level: int
    level_name: str
    name: str
    kind: TriggerKind
    enabled: bool
    met: bool
    observed: float | None  # the value compared (index, count, seats/day, margin days)
    threshold: float | None
    comparison: str  # how observed is compared with threshold: ">=", "<", "all closed", ...
    evidence: tuple[str, ...]  # indicator ids or route keys
    evidence_omitted: int  # further indicators behind an index, not listed
    detail_code: str  # the sentence as data (readiness.wording says it)...
    detail_facts: Mapping[str, Any]  # ...and the facts it states


@dataclass(frozen=True, slots=True)
class LevelTriggers:
    rank: int
    enabled: int  # how many enabled triggers the level has
    met: int
    quorum: int
    indicated: bool  # met >= quorum (and at least one enabled trigger)


@dataclass(frozen=True, slots=True)
class TriggerContext:
    """What the tripwires look at, computed once per assessment."""

    now: datetime
    threat: ThreatPicture
    routes: Sequence[RouteOut]
    margins: Mapping[int, float | None]  # rank -> margin days (None: no deadline)
    params: Params
    # Index triggers of levels above this rank read the index above the post's baseline:
    # escalation needs a rise above the post's own normal; at or below it, the index
    # itself says whether the level still stands. None: every level reads the index.
    current_level: int | None = None


def evaluate_ladder(
    ladder: Sequence[LevelSpec], ctx: TriggerContext
) -> tuple[tuple[TriggerOut, ...], tuple[LevelTriggers, ...]]:
    """For each level: each trigger's verdict, and indicated = (#met >= quorum)."""
    heaviest = _heaviest_by_category(ctx.threat)
    outs: list[TriggerOut] = []
    levels: list[LevelTriggers] = []
    for level in sorted(ladder, key=lambda lv: lv.rank):
        enabled = met = 0
        for spec in level.triggers:
            out = evaluate_trigger(spec, level, ctx, heaviest)
            outs.append(out)
            enabled += out.enabled
            met += out.met
        levels.append(
            LevelTriggers(
                rank=level.rank,
                enabled=enabled,
                met=met,
                quorum=level.quorum,
                indicated=enabled > 0 and met >= level.quorum,
            )
        )
    return tuple(outs), tuple(levels)


def _heaviest_by_category(threat: ThreatPicture) -> dict[Category | None, list[str]]:
    """The ids of the EVIDENCE_LIMIT heaviest indicators per category (key None: any)."""
    # Contributions come heaviest first, so the walk stops once every list is full.
    out: dict[Category | None, list[str]] = {None: []}
    wanted: dict[Category | None, int] = {
        c.category: min(c.indicators, EVIDENCE_LIMIT) for c in threat.categories
    }
    wanted[None] = min(sum(c.indicators for c in threat.categories), EVIDENCE_LIMIT)
    open_lists = sum(1 for v in wanted.values() if v > 0)
    for c in threat.contributions:
        if c.weight <= 0 or open_lists == 0:
            break
        for key in (None, c.category):
            ids = out.setdefault(key, [])
            if len(ids) < wanted[key]:
                ids.append(c.id)
                if len(ids) == wanted[key]:
                    open_lists -= 1
    return out


class _Verdict(NamedTuple):
    met: bool
    observed: float | None
    threshold: float | None
    comparison: str
    evidence: Sequence[str]
    code: str  # the detail sentence as data and its facts
    facts: Mapping[str, Any]
    omitted: int = 0


def evaluate_trigger(
    spec: TriggerSpec,
    level: LevelSpec,
    ctx: TriggerContext,
    heaviest: Mapping[Category | None, list[str]] | None = None,
) -> TriggerOut:
    """met per kind: index >= x; count >= n; routes closed or seats < x; margin < x; active."""
    if heaviest is None:
        heaviest = _heaviest_by_category(ctx.threat)
    kind = TriggerKind(spec.kind)
    if kind is TriggerKind.THREAT_INDEX or kind is TriggerKind.CATEGORY_INDEX:
        v = _index_trigger(spec, kind, ctx, heaviest, above=_above_baseline(level, ctx))
    elif kind is TriggerKind.INDICATOR_COUNT:
        v = _count_trigger(spec, ctx)
    elif kind is TriggerKind.ROUTE:
        v = _route_trigger(spec, ctx)
    elif kind is TriggerKind.CLEARANCE_MARGIN:
        v = _margin_trigger(spec, ctx)
    else:
        # Manual: an officer's call, with its reason.
        v = (
            _Verdict(spec.active, None, None, "set", (), "manual_set", {"reason": spec.reason})
            if spec.active
            else _Verdict(False, None, None, "set", (), "manual_unset", {})
        )
    return TriggerOut(
        level=level.rank,
        level_name=level.name,
        name=spec.name or str(kind).replace("_", " "),
        kind=kind,
        enabled=spec.enabled,
        met=v.met and spec.enabled,
        observed=v.observed,
        threshold=v.threshold,
        comparison=v.comparison,
        evidence=tuple(v.evidence),
        evidence_omitted=v.omitted,
        detail_code=v.code,
        detail_facts=v.facts,
    )


def _above_baseline(level: LevelSpec, ctx: TriggerContext) -> bool:
    """Whether this level's index triggers read the index above the post's baseline."""
    return (
        ctx.current_level is not None
        and level.rank > ctx.current_level
        and ctx.threat.baseline.threat_index is not None
    )


def _index_trigger(
    spec: TriggerSpec,
    kind: TriggerKind,
    ctx: TriggerContext,
    heaviest: Mapping[Category | None, list[str]],
    *,
    above: bool = False,
) -> _Verdict:
    """met = index >= threshold (above: the index of the weight above the post's baseline);
    evidence: the heaviest indicators behind it."""
    assert spec.threshold is not None  # validate_ladder guarantees it
    if kind is TriggerKind.THREAT_INDEX:
        value, weight = ctx.threat.threat_index, ctx.threat.total_weight
        shown = heaviest.get(None, [])
        weighing = sum(c.indicators for c in ctx.threat.categories)
        cat = None
    else:
        assert spec.category is not None
        cat = Category(spec.category)
        index = next(c for c in ctx.threat.categories if c.category == cat)
        value, weight, weighing = index.index, index.weight, index.indicators
        shown = heaviest.get(cat, [])
    category = cat.value if cat is not None else None
    if above:
        base = ctx.threat.baseline
        compared = base.above(weight, cat, ctx.params.saturation)
        met = compared >= spec.threshold
        normal = threat_index(
            base.weight if cat is None else base.category_weight.get(cat, 0.0),
            ctx.params.saturation,
        )
        facts = {
            "category": category,
            "value": compared,
            "index": value,
            "baseline": normal,
            "threshold": spec.threshold,
            "met": met,
        }
        return _Verdict(
            met, compared, spec.threshold, ">=", shown, "index_above", facts, weighing - len(shown)
        )
    met = value >= spec.threshold
    facts = {"category": category, "value": value, "threshold": spec.threshold, "met": met}
    return _Verdict(met, value, spec.threshold, ">=", shown, "index", facts, weighing - len(shown))


def _count_trigger(spec: TriggerSpec, ctx: TriggerContext) -> _Verdict:
    """met = #(category, severity >= s, R*K >= c, in force within d days) >= count, and, when
    the trigger names a second category, #(with_category, severity >= s2, ...) >= 1."""
    assert spec.count is not None and spec.min_severity is not None
    assert spec.within_days is not None
    category = Category(spec.category) if spec.category is not None else None
    found = _pieces(ctx, category, spec.min_severity, spec.within_days)
    facts: dict[str, Any] = {
        "found": len(found),
        "category": category.value if category is not None else None,
        "min_severity": spec.min_severity,
        "within_days": spec.within_days,
        "needed": spec.count,
    }
    met = len(found) >= spec.count
    if spec.with_category is None or spec.with_min_severity is None:
        return _Verdict(met, len(found), spec.count, ">=", found, "count", facts)
    # Two streams that meet: what happens (a grave incident) and what well-informed others
    # do about it (a government pulling its people out). docs/engine.md, "Converging
    # evidence": a shock that no government acts on does not meet it.
    also = Category(spec.with_category)
    with_found = _pieces(ctx, also, spec.with_min_severity, spec.within_days)
    facts |= {
        "with_found": len(with_found),
        "with_category": also.value,
        "with_min_severity": spec.with_min_severity,
    }
    met = met and bool(with_found)
    evidence = found + [i for i in with_found if i not in found]
    return _Verdict(met, len(found), spec.count, ">=", evidence, "count_with", facts)


def _pieces(
    ctx: TriggerContext, category: Category | None, min_severity: int, within_days: float
) -> list[str]:
    """The pieces of evidence of `category` (None: any) a count trigger counts."""
    pool: Sequence[InForce] = (
        ctx.threat.in_force.get(category, ())
        if category is not None
        else [i for group in ctx.threat.in_force.values() for i in group]
    )
    return count_indicators(
        pool,
        ctx.now,
        category=category,
        min_severity=min_severity,
        within_days=within_days,
        min_confidence=ctx.params.count_min_confidence,
    )


def count_indicators(
    in_force: Sequence[InForce],
    now: datetime,
    *,
    category: Category | None,
    min_severity: int,
    within_days: float,
    min_confidence: float,
) -> list[str]:
    """ids with category match, one report of severity >= s and R*K >= c (the same report),
    last in force >= now - d days."""
    since = now - timedelta(days=within_days)
    return [
        i.id
        for i in in_force
        if (category is None or i.category == category)
        and i.last_in_force >= since
        and (
            any(sv >= min_severity and cf >= min_confidence for sv, cf in i.graded)
            if i.graded
            else i.severity >= min_severity and i.confidence >= min_confidence
        )
    ]


def _route_trigger(spec: TriggerSpec, ctx: TriggerContext) -> _Verdict:
    """met = every chosen route closed, or their recorded seats/day < below_seats."""
    if spec.route is not None:
        chosen = [r for r in ctx.routes if r.key == spec.route]
        what: dict[str, Any] = {"route": spec.route, "mode": None}
    else:
        assert spec.mode is not None
        chosen = [r for r in ctx.routes if r.mode == spec.mode]
        what = {"route": None, "mode": str(spec.mode)}
    keys = [r.key for r in chosen]
    # The seats the officer recorded (0 when closed), not the status-discounted capacity:
    # a route marked degraded usually already carries its reduced seat count, and a
    # tripwire should read the figure people see on the route's form.
    seats = sum(0 if r.status == RouteStatus.CLOSED else r.seats_per_day for r in chosen)
    if not chosen:
        # A post that never had such a route cannot lose it; the clearance margins already
        # say whether the routes it does have are enough.
        return _Verdict(False, None, spec.below_seats, "<", (), "route_missing", what)
    if spec.below_seats is None:
        closed = sum(r.status == RouteStatus.CLOSED for r in chosen)
        facts = {**what, "closed": closed, "total": len(chosen)}
        return _Verdict(
            closed == len(chosen), seats, None, "all closed", keys, "route_closed", facts
        )
    met = seats < spec.below_seats
    facts = {**what, "seats": seats, "below": spec.below_seats, "met": met}
    return _Verdict(met, seats, spec.below_seats, "<", keys, "route_seats", facts)


def _margin_trigger(spec: TriggerSpec, ctx: TriggerContext) -> _Verdict:
    """met = margin(margin_level) < below_days; no deadline: not met; no means: met."""
    assert spec.margin_level is not None and spec.below_days is not None
    rank, below = spec.margin_level, spec.below_days
    if rank not in ctx.margins:
        return _Verdict(False, None, below, "<", (), "margin_no_level", {"rank": rank})
    margin = ctx.margins[rank]
    if margin is None:
        return _Verdict(False, None, below, "<", (), "margin_no_deadline", {"rank": rank})
    facts: dict[str, Any] = {"rank": rank, "below": below}
    if margin == -math.inf:
        code = "margin_no_means"
    elif margin < 0:
        code, facts["days"] = "margin_overdue", -margin
    else:
        code, facts["days"] = "margin_due", margin
    return _Verdict(margin < below, margin, below, "<", (), code, facts)
