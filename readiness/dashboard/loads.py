"""Each level's load, traced: who is counted, how many, how likely they are to leave, and
the seats of the routes usable at that level, so that a duty officer can redo the sum.

Read from the stored explanation: ``load_rows`` (each group's head count, propensity and
expected departures, with the lowest rank that calls it) and each level's routes. An
explanation stored before ``load_rows`` existed shows each group's expected departures
only (``levels[k].load_by_group``).

Rounding: expected departures are whole people, apportioned so that the rows add up to
the load shown in the levels table (the largest remainders get the spare units); shares
of seats add up to 100 % the same way; every difference is taken between figures shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from readiness.wording import numbers as n
from readiness.wording.vocabulary import GROUPS, shipped

_PARTS = {
    "single": lambda: _("single nationals (registered − dual)"),  # noqa: RUF001
    "dual": lambda: _("dual nationals"),
    "unregistered": lambda: _("unregistered (estimate)"),
}


def apportion(values: Sequence[float]) -> list[int]:
    """Whole numbers, each within 1 of its value, that add up to round(sum(values)): each
    value rounded down, then the units left over to the largest remainders (Hamilton)."""
    target = round(sum(values))
    floors = [math.floor(v) for v in values]
    left = target - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (floors[i] - values[i], i))
    for i in order[: max(0, left)]:
        floors[i] += 1
    return floors


def percent(value: float, decimals: int = 1) -> str:
    return f"{n.number(value, decimals)}\xa0%"


@dataclass(slots=True)
class GroupRow:
    label: str
    people: str  # head count still in place; "—" when the explanation does not say
    propensity: str  # "80 %"
    expected: str  # whole people, apportioned
    called_at: str  # "3 · Citizens advised to leave": the level that first calls them


@dataclass(slots=True)
class RouteRow:
    name: str
    status: str
    status_label: str
    why: str  # "not verified: trusted for half its seats"
    seats_per_day: str
    factor: str  # "x 0.5" (a multiplication sign)
    counted: str  # seats/day counted
    share: str  # of the seats/day counted at this level
    seats_before_close: str  # whole seats, apportioned; "∞" when it is not expected to close


@dataclass(slots=True)
class LevelTrace:
    rank: int
    name: str
    is_focus: bool
    detailed: bool  # head counts and propensities are known (load_rows)
    rows: list[GroupRow]
    people_total: str
    expected_total: str
    load: int  # the load as shown: the sum of the rows shown
    note: str  # how the unregistered are counted, or why only expected departures show
    routes: list[RouteRow] = field(default_factory=list)
    seats_per_day_total: str = ""
    counted_total: str = ""
    seats_total: str = ""  # "∞" when a usable route is not expected to close
    arithmetic: str = ""  # load - seats = who cannot leave (or seats - load = to spare)
    short: int = 0  # people who cannot leave, from the figures shown


def _why(status: str, factor: float) -> str:
    """Why a route's seats count in full, in half or not at all (the engine's status
    factor: open 1, degraded and unknown 0.5, closed 0 by default)."""
    share = {"share": percent(100 * factor)}
    half = math.isclose(factor, 0.5)
    if status == "unknown":
        return (
            _("not verified: trusted for half its seats")
            if half
            else _("not verified: trusted for %(share)s of its seats") % share
        )
    if status == "degraded":
        return _("degraded: half") if half else _("degraded: %(share)s of its seats") % share
    if status == "open":
        return _("open: all its seats count")
    if status == "closed":
        return _("closed: no seat counts")
    return ""


def _group_label(group: str, part: str) -> str:
    if part in _PARTS:
        return capfirst(_PARTS[part]())
    return capfirst(str(GROUPS.get(group, group.replace("_", " "))))


def level_traces(
    exp: Mapping[str, Any],
    *,
    level_names: Mapping[int, str],
    route_names: Mapping[str, str],
    focus_rank: int | None,
) -> list[LevelTrace]:
    """One trace per level that moves people (load above 0), lowest first."""
    rows = exp.get("load_rows")
    routes = {r["key"]: r for r in exp.get("routes") or ()}

    def name(rank: int | None) -> str:
        if rank is None:
            return ""
        level = next((lv for lv in exp.get("levels") or () if lv["rank"] == rank), None)
        stored = level.get("name", "") if level else ""
        return f"{rank} · {shipped(level_names.get(rank) or stored)}"

    out = []
    for level in sorted(exp.get("levels") or (), key=lambda lv: lv["rank"]):
        moves = level.get("moves_people", bool(level.get("leaves")))
        if not moves or (level.get("load") or 0) <= 0:
            continue
        rank = level["rank"]
        trace = _detailed(rows, rank, name) if rows is not None else _expected_only(level, name)
        trace.rank, trace.name, trace.is_focus = rank, name(rank), rank == focus_rank
        _add_routes(trace, level, routes, route_names)
        out.append(trace)
    return out


def _detailed(rows: Sequence[Mapping[str, Any]], rank: int, name: Any) -> LevelTrace:
    called = [r for r in rows if r.get("first_rank") is not None and r["first_rank"] <= rank]
    expected = apportion([r.get("expected", 0.0) for r in called])
    people = [r.get("people", 0.0) for r in called]
    out = [
        GroupRow(
            label=_group_label(r.get("group", ""), r.get("part", "")),
            people=n.number(r.get("people", 0.0), 0),
            propensity=percent(100 * r.get("propensity", 0.0)),
            expected=n.number(count, 0),
            called_at=name(r.get("first_rank")),
        )
        for r, count in zip(called, expected, strict=True)
    ]
    note = ""
    by_part = {r.get("part"): r for r in called if r.get("group") == "citizens"}
    registered = sum(by_part[k].get("people", 0.0) for k in ("single", "dual") if k in by_part)
    if "unregistered" in by_part and by_part["unregistered"].get("people"):
        dual = by_part["dual"].get("people", 0.0) if "dual" in by_part else 0.0
        note = _(
            "The unregistered are assumed to have the registered community's share of dual "
            "nationals (%(share)s), so %(propensity)s of them are expected to leave."
        ) % {
            "share": percent(100 * dual / registered) if registered else percent(0),
            "propensity": percent(100 * by_part["unregistered"].get("propensity", 0.0)),
        }
    return LevelTrace(
        rank=rank,
        name="",
        is_focus=False,
        detailed=True,
        rows=out,
        people_total=n.number(sum(round(v) for v in people), 0),
        expected_total=n.number(sum(expected), 0),
        load=sum(expected),
        note=note,
    )


def _expected_only(level: Mapping[str, Any], name: Any) -> LevelTrace:
    groups = list((level.get("load_by_group") or {}).items())
    expected = apportion([v for _g, v in groups])
    return LevelTrace(
        rank=level["rank"],
        name="",
        is_focus=False,
        detailed=False,
        rows=[
            GroupRow(
                label=_group_label(g, ""),
                people="—",
                propensity="—",
                expected=n.number(count, 0),
                called_at="",
            )
            for (g, _v), count in zip(groups, expected, strict=True)
        ],
        people_total="—",
        expected_total=n.number(sum(expected), 0),
        load=sum(expected),
        note=_(
            "This assessment was stored before head counts and propensities were kept: "
            "expected departures only. The next assessment shows the whole arithmetic."
        ),
    )


def _add_routes(
    trace: LevelTrace,
    level: Mapping[str, Any],
    routes: Mapping[str, Mapping[str, Any]],
    route_names: Mapping[str, str],
) -> None:
    usable = [routes[k] for k in level.get("usable_routes") or () if k in routes]
    if not usable:
        return
    counted = [r.get("effective_seats_per_day") or 0.0 for r in usable]
    total_counted = sum(counted)
    shares = apportion([100 * c / total_counted for c in counted]) if total_counted else []
    unbounded = any(r.get("seats_before_close") is None for r in usable)
    seats = [] if unbounded else apportion([r.get("seats_before_close") or 0.0 for r in usable])
    for i, r in enumerate(usable):
        factor = r.get("status_factor")
        if factor is None:  # an older explanation: seats counted over seats offered
            offered = r.get("seats_per_day") or 0
            factor = counted[i] / offered if offered else 0.0
        trace.routes.append(
            RouteRow(
                name=route_names.get(r["key"]) or r.get("name") or r["key"],
                status=r.get("status", ""),
                status_label=n.status_name(r.get("status", "")),
                why=_why(r.get("status", ""), factor),
                seats_per_day=n.number(r.get("seats_per_day") or 0, 0),
                factor=f"\u00d7 {n.number(factor, 2)}",
                counted=n.number(counted[i]),
                share=percent(shares[i], 0) if shares else "—",
                seats_before_close="∞"
                if r.get("seats_before_close") is None
                else n.number(seats[i] if seats else 0, 0),
            )
        )
    trace.seats_per_day_total = n.number(sum(r.get("seats_per_day") or 0 for r in usable), 0)
    trace.counted_total = n.number(total_counted)
    if unbounded:
        trace.seats_total = "∞"
        trace.arithmetic = _(
            "A route usable at this level is not expected to close: its seats are not cut "
            "short by a closure, and the clearance time says how long the %(load)s take."
        ) % {"load": n.people(trace.load)}
        return
    shown = sum(seats)
    trace.seats_total = n.number(shown, 0)
    if trace.load > shown:
        trace.short = trace.load - shown
        trace.arithmetic = _(
            "%(load)s to move − %(seats)s seats before the routes close = %(short)s who "  # noqa: RUF001
            "cannot leave by these means, even starting now."
        ) % {
            "load": n.number(trace.load, 0),
            "seats": n.number(shown, 0),
            "short": n.people(trace.short),
        }
    else:
        trace.arithmetic = _(
            "%(seats)s seats before the routes close − %(load)s to move = %(spare)s to spare "  # noqa: RUF001
            "if departures start now."
        ) % {
            "load": n.number(trace.load, 0),
            "seats": n.number(shown, 0),
            "spare": n.number(shown - trace.load, 0),
        }
