"""What changed between two assessments of a post, as codes and the facts they state.

Pure: reads two stored explanations (``Assessment.to_dict()``; of the older one, the parts
named in ``PARTS`` are enough) and returns the changes, biggest first. The dashboard says
each code in the officer's language (readiness/dashboard/changes.py).

Every figure is rounded once, here, to what the page shows: threat index and trend to a
tenth, people and seats to whole people, days as the page shows them (a tenth under 10
days, whole days from 10), weights to hundredths. Each difference is taken between the
rounded figures, so that a load shown as 1,912 then 1,755 changes by 157 on screen even
when the unrounded loads are 156.6 apart. A figure whose rounded value did not move is
not a change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from readiness.engine import contributions_from_dict

# The parts of an explanation that assessment_changes() reads: the older explanation can be
# loaded with these alone (not its trend, categories, reasons or preparedness).
PARTS = (
    "at", "current_level", "recommended_level", "verdict", "threat_index", "trend_per_day",
    "indicators", "routes", "levels", "triggers", "load_rows", "params",
)  # fmt: skip

# The indicator columns read here: a cached older explanation keeps only these.
INDICATOR_COLUMNS = (
    "id", "category", "severity", "reliability", "credibility", "weight", "status", "event",
    "de_escalation",
)  # fmt: skip

# The order of the panel (Change.size), biggest first: what the crisis meeting decides on,
# then the tripwires, then what was entered (indicators, route checks) by weight, then the
# figures that follow from them, each by how much it moved relative to its size (0 to
# 100): a margin from 74 to 15 days before a threat index from 66 to 80.
SIZE_CLOCK = 1000.0  # said first: it explains the figures below it
SIZE_CURRENT_LEVEL = 600.0
SIZE_RECOMMENDED_LEVEL = 500.0
SIZE_VERDICT = 400.0
SIZE_TRIGGER = 300.0  # plus the level's rank: a higher level's tripwire first
SIZE_ROUTE_STATUS = 250.0  # plus 50 when the route closed
SIZE_ENTERED = 200.0  # plus up to 50: an indicator by its share of the weight, seats by change
SIZE_DEADLINE_KIND = 150.0  # a margin appears, or no means are left
SIZE_FIGURE = 100.0  # times the relative change (0..1)

_NOT_WEIGHING = frozenset({"expired", "not_yet_known"})


@dataclass(frozen=True, slots=True)
class Change:
    code: str  # what changed: see the codes below (_CODE_ORDER)
    facts: Mapping[str, Any]  # the figures, already rounded as the page shows them
    size: float  # for the order, biggest first (the SIZE_ constants)


# Ties (equal sizes) in this order, then by level rank (highest first) or key.
_CODE_ORDER = (
    "clock", "current_level", "recommended_level", "verdict", "trigger_met", "trigger_unmet",
    "route_status", "route_added", "route_removed", "level_margin", "route_horizon",
    "threat_index", "level_load", "route_seats", "indicator_new", "indicator_ended",
    "indicator_expired", "indicator_removed", "trend",
)  # fmt: skip


# --- Rounding: once, as the page shows it -------------------------------------------------


def round_index(value: float) -> float:
    """Threat index, trend: a tenth."""
    return round(value, 1)


def round_people(value: float) -> int:
    """People and seats: whole."""
    return round(value)


def round_days(value: float | None) -> float | None:
    """As readiness.wording.numbers.days says them: a tenth under 10 days, whole days from 10 on.
    None (never, no deadline) and infinities stay as they are."""
    if value is None or math.isinf(value):
        return value
    return float(round(value)) if abs(value) >= 10 else round(value, 1)


def round_weight(value: float) -> float:
    """An indicator's weight: hundredths, as the indicator timeline shows it."""
    return round(value, 2)


def difference(before: float, after: float, decimals: int = 1) -> float:
    """after - before, both already rounded; rounded again only to drop float noise."""
    return round(after - before, decimals)


def _relative(before: float, after: float, floor: float = 1.0) -> float:
    """|after - before| over the larger of the two (at least `floor`), 0..1."""
    return min(1.0, abs(after - before) / max(abs(before), abs(after), floor))


# --- The changes --------------------------------------------------------------------------


def assessment_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Every change from the older explanation (`before`) to the newer (`after`), biggest
    first; with a `clock` change first when nothing that weighs was entered in between."""
    changes: list[Change] = []
    for part in (_levels_and_verdict, _triggers, _threat, _routes, _loads_and_margins):
        changes.extend(part(before, after))
    changes.extend(_indicators(before, after))
    clock = _clock(before, after)
    if clock is not None:
        changes.append(clock)
    order = {code: i for i, code in enumerate(_CODE_ORDER)}
    return sorted(
        changes,
        key=lambda c: (-c.size, order.get(c.code, len(order)), -c.facts.get("rank", 0)),
    )


def _level_name(exp: Mapping[str, Any], rank: int | None) -> str:
    for level in exp.get("levels") or ():
        if level.get("rank") == rank:
            return str(level.get("name", ""))
    return ""


def _levels_and_verdict(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    out = []
    for key, code, size in (
        ("current_level", "current_level", SIZE_CURRENT_LEVEL),
        ("recommended_level", "recommended_level", SIZE_RECOMMENDED_LEVEL),
    ):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and was != now:
            out.append(
                Change(
                    code,
                    {
                        "before": was,
                        "after": now,
                        "before_name": _level_name(before, was),
                        "after_name": _level_name(after, now),
                    },
                    size + abs(now - was),
                )
            )
    if before.get("verdict") and after.get("verdict") and before["verdict"] != after["verdict"]:
        out.append(
            Change(
                "verdict", {"before": before["verdict"], "after": after["verdict"]}, SIZE_VERDICT
            )
        )
    return out


def _trigger_key(t: Mapping[str, Any]) -> tuple[Any, ...]:
    return (t.get("level"), t.get("name"), t.get("kind"))


def _triggers(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Tripwires newly met, and those no longer met (the newer explanation's trigger, with
    its detail: what it measures now)."""
    was = {_trigger_key(t): bool(t.get("met")) for t in before.get("triggers") or ()}
    out = []
    for t in after.get("triggers") or ():
        key = _trigger_key(t)
        met = bool(t.get("met"))
        if met == was.get(key, False) or (not met and key not in was):
            continue
        out.append(
            Change(
                "trigger_met" if met else "trigger_unmet",
                {
                    "rank": t.get("level"),
                    "level_name": t.get("level_name") or _level_name(after, t.get("level")),
                    "name": t.get("name", ""),
                    "kind": t.get("kind", ""),
                    "enabled": t.get("enabled", True),
                    "detail": t.get("detail", ""),
                    "detail_code": t.get("detail_code", ""),
                    "detail_facts": t.get("detail_facts"),
                },
                SIZE_TRIGGER + (t.get("level") or 0),
            )
        )
    return out


# A threat index that moves by this many points is as big a change as a figure can be; the
# trend moves a little at every re-score, so a change of a few points a day is big for it.
THREAT_FULL_SCALE = 25.0
TREND_FULL_SCALE = 5.0


def _threat(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The threat index and the trend, each on its own scale (they are not sizes: a rise
    from 66 to 80 is big although it is a fifth of 80)."""
    out = []
    for key, code, full in (
        ("threat_index", "threat_index", THREAT_FULL_SCALE),
        ("trend_per_day", "trend", TREND_FULL_SCALE),
    ):
        if before.get(key) is None or after.get(key) is None:
            continue
        was, now = round_index(before[key]), round_index(after[key])
        if was != now:
            out.append(
                Change(
                    code,
                    {"before": was, "after": now, "difference": difference(was, now)},
                    SIZE_FIGURE * min(1.0, abs(now - was) / full),
                )
            )
    return out


def _horizon(route: Mapping[str, Any]) -> float | None:
    """Rounded days; None: not expected to close."""
    value = route.get("horizon_days")
    return None if value is None else round_days(value)


def _routes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Each route's status, seats/day and horizon (with how it was estimated)."""
    was = {r["key"]: r for r in before.get("routes") or ()}
    now = {r["key"]: r for r in after.get("routes") or ()}
    out = []
    for key, r in now.items():
        facts: dict[str, Any] = {"key": key, "name": r.get("name") or key}
        old = was.get(key)
        if old is None:
            out.append(
                Change(
                    "route_added",
                    {**facts, "status": r.get("status"), "seats_per_day": r.get("seats_per_day")},
                    SIZE_ENTERED,
                )
            )
            continue
        if old.get("status") != r.get("status"):
            out.append(
                Change(
                    "route_status",
                    {**facts, "before": old.get("status"), "after": r.get("status")},
                    SIZE_ROUTE_STATUS + (50.0 if r.get("status") == "closed" else 0.0),
                )
            )
        seats_was, seats_now = old.get("seats_per_day"), r.get("seats_per_day")
        if seats_was is not None and seats_now is not None and seats_was != seats_now:
            out.append(
                Change(
                    "route_seats",
                    {
                        **facts,
                        "before": seats_was,
                        "after": seats_now,
                        "difference": seats_now - seats_was,
                    },
                    SIZE_ENTERED + 50.0 * _relative(seats_was, seats_now),
                )
            )
        h_was, h_now = _horizon(old), _horizon(r)
        source_was, source_now = old.get("horizon_source", ""), r.get("horizon_source", "")
        if h_was != h_now or source_was != source_now:
            change, size = _days_change(h_was, h_now)
            out.append(
                Change(
                    "route_horizon",
                    {
                        **facts,
                        "before": h_was,
                        "after": h_now,
                        "difference": change,
                        "before_source": source_was,
                        "after_source": source_now,
                    },
                    size,
                )
            )
    for key, old in was.items():
        if key not in now:
            out.append(
                Change("route_removed", {"key": key, "name": old.get("name") or key}, SIZE_ENTERED)
            )
    return out


def _days_change(before: float | None, after: float | None) -> tuple[float | None, float]:
    """The difference between two rounded day counts, and its size for the order; no
    difference when either is None (never, no deadline): then it weighs as a full change."""
    if before is None or after is None:
        return None, SIZE_FIGURE
    return difference(before, after), SIZE_FIGURE * _relative(before, after)


def _moves_people(level: Mapping[str, Any]) -> bool:
    # A level that calls nobody new repeats the load and margin of the level below it.
    return bool(level.get("moves_people", bool(level.get("leaves"))))


def _margin(level: Mapping[str, Any]) -> float | None:
    value = level.get("margin_days")
    return None if value is None else round_days(value)


def _loads_and_margins(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Each level that moves people: its load (whole people) and its margin."""
    was = {lv["rank"]: lv for lv in before.get("levels") or ()}
    out = []
    for lv in after.get("levels") or ():
        old = was.get(lv["rank"])
        if old is None or not _moves_people(lv):
            continue
        facts = {"rank": lv["rank"], "level_name": lv.get("name", "")}
        load_was, load_now = round_people(old.get("load", 0)), round_people(lv.get("load", 0))
        if load_was != load_now:
            out.append(
                Change(
                    "level_load",
                    {
                        **facts,
                        "before": load_was,
                        "after": load_now,
                        "difference": load_now - load_was,
                    },
                    SIZE_FIGURE * _relative(load_was, load_now),
                )
            )
        m_was, m_now = _margin(old), _margin(lv)
        kind_was, kind_now = old.get("deadline", ""), lv.get("deadline", "")
        if m_was == m_now and kind_was == kind_now:
            continue
        change, size = _days_change(m_was, m_now)
        if kind_was != kind_now:  # a deadline appears or goes, or no means are left
            change, size = None, SIZE_DEADLINE_KIND
        out.append(
            Change(
                "level_margin",
                {
                    **facts,
                    "before": m_was,
                    "after": m_now,
                    "difference": change,
                    "before_deadline": kind_was,
                    "after_deadline": kind_now,
                },
                size,
            )
        )
    return out


def _contributions(exp: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if not exp.get("indicators"):
        return {}
    return {str(c["id"]): c for c in contributions_from_dict(exp)}


def _weighs(c: Mapping[str, Any] | None) -> bool:
    return c is not None and c.get("status") not in _NOT_WEIGHING


def _indicator_facts(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": c["id"],
        "category": c.get("category", ""),
        "severity": c.get("severity"),
        "grading": f"{c.get('reliability', '')}{c.get('credibility', '')}",
        "de_escalation": bool(c.get("de_escalation")),
    }


def _total(contributions: Iterable[Mapping[str, Any]]) -> float:
    return float(sum(abs(c.get("weight") or 0.0) for c in contributions if _weighs(c)))


def _indicators(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Indicators that weigh now and did not (new), and those that weighed and no longer
    do (expired, or gone from the explanation), and ongoing conditions marked ended."""
    was, now = _contributions(before), _contributions(after)
    total_was, total_now = _total(was.values()), _total(now.values())
    out = []
    for key, c in now.items():
        old = was.get(key)
        weight = round_weight(c.get("weight") or 0.0)
        if _weighs(c) and not _weighs(old) and (old is None or old.get("status") != "expired"):
            out.append(
                Change(
                    "indicator_new",
                    {**_indicator_facts(c), "weight": weight},
                    SIZE_ENTERED + 50.0 * min(1.0, abs(weight) / max(total_now, 1e-9)),
                )
            )
        elif old is not None and _weighs(old):
            old_weight = round_weight(old.get("weight") or 0.0)
            if c.get("status") == "expired":
                out.append(
                    Change(
                        "indicator_expired",
                        {**_indicator_facts(c), "before": old_weight},
                        SIZE_FIGURE * min(1.0, abs(old_weight) / max(total_was, 1e-9)),
                    )
                )
            elif old.get("status") == "ongoing" and c.get("status") == "ended":
                out.append(
                    Change(
                        "indicator_ended",
                        {**_indicator_facts(c), "before": old_weight, "after": weight},
                        SIZE_ENTERED + 50.0 * min(1.0, abs(old_weight) / max(total_was, 1e-9)),
                    )
                )
    for key, old in was.items():
        weight = round_weight(old.get("weight") or 0.0)
        if key not in now and _weighs(old) and weight != 0:
            out.append(
                Change(
                    "indicator_removed",
                    {**_indicator_facts(old), "before": weight},
                    SIZE_FIGURE * min(1.0, abs(weight) / max(total_was, 1e-9)),
                )
            )
    return out


# --- The clock ----------------------------------------------------------------------------


def _when(exp: Mapping[str, Any]) -> datetime | None:
    at = exp.get("at")
    if isinstance(at, datetime):
        return at
    return datetime.fromisoformat(at) if isinstance(at, str) else None


def _indicator_inputs(exp: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    """What was entered about each indicator that weighs (or weighed): an indicator that
    left the explanation weighing nothing left by the clock (past the relevance window)."""
    return {
        key: (
            c.get("category"),
            c.get("severity"),
            c.get("reliability"),
            c.get("credibility"),
            bool(c.get("de_escalation")),
            c.get("event") or "",
            c.get("status") == "ended",
        )
        for key, c in _contributions(exp).items()
        if round_weight(c.get("weight") or 0.0) != 0 or c.get("status") == "expired"
    }


def _route_inputs(exp: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        r["key"]: (
            r.get("status"),
            r.get("seats_per_day"),
            r.get("lead_time_days"),
            r.get("closes_at_threat"),
            r.get("usable_from"),
        )
        for r in exp.get("routes") or ()
    }


def _population(exp: Mapping[str, Any]) -> tuple[Any, ...]:
    rows = exp.get("load_rows")
    if rows is not None:
        return tuple((r.get("group"), r.get("part"), r.get("people")) for r in rows)
    return tuple(round(lv.get("load", 0), 6) for lv in exp.get("levels") or ())


def _ladder(exp: Mapping[str, Any]) -> tuple[Any, ...]:
    levels = tuple(
        (lv.get("rank"), lv.get("name"), tuple(lv.get("leaves") or ()), lv.get("quorum"))
        for lv in exp.get("levels") or ()
    )
    # A manual trigger's state is what an officer entered; another trigger's is measured.
    triggers = tuple(
        (
            *_trigger_key(t),
            t.get("enabled"),
            t.get("met") if t.get("kind") == "manual" else t.get("threshold"),
        )
        for t in exp.get("triggers") or ()
    )
    return levels, triggers


_SAME_INPUTS: tuple[Callable[[Mapping[str, Any]], Any], ...] = (
    lambda exp: exp.get("current_level"),
    _indicator_inputs,
    _route_inputs,
    _population,
    _ladder,
    lambda exp: exp.get("params"),
)


def same_inputs(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Nothing that weighs was entered between the two: the same level, indicators (their
    grading, category, event, end), routes (status, seats, notice, threshold), population,
    ladder and parameters, as far as the explanations show them."""
    return all(read(before) == read(after) for read in _SAME_INPUTS)


def _clock(before: Mapping[str, Any], after: Mapping[str, Any]) -> Change | None:
    """When nothing was entered, the change is the clock: indicators aged, deadlines came
    nearer by the time between the two."""
    then, now = _when(before), _when(after)
    if then is None or now is None or not same_inputs(before, after):
        return None
    return Change("clock", {"minutes": round((now - then).total_seconds() / 60)}, SIZE_CLOCK)
