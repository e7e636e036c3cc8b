"""How numbers read in the engine's sentences: rounded the way a duty officer says them."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any


def days(value: float) -> str:
    """'6 days', '1.5 days', '1 day'; whole days from 10 on."""
    if math.isinf(value):
        return "never" if value > 0 else "no time"
    v = abs(value)
    text = f"{v:.0f}" if v >= 10 else f"{v:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def people(value: float) -> str:
    """'2,025 people', '1 person' (expected numbers rounded to the nearest person)."""
    n = round(value)
    return "1 person" if n == 1 else f"{n:,} people"


def number(value: float) -> str:
    """A plain figure with at most one decimal: '55', '47.3'."""
    if math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return f"{value:.1f}".removesuffix(".0")


def seats(value: float) -> str:
    """'80 seats/day'."""
    return f"{number(value)} seats/day"


def mode(value: str) -> str:
    """'commercial_air' -> 'commercial air'."""
    return str(value).replace("_", " ")


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- Detail sentences as data ------------------------------------------------------------
# A trigger's and a preparedness check's detail is stored twice: as English text, and as a
# code with the facts it states (``detail_code``, ``detail_facts``), from which the
# dashboards say the same sentence in the officer's language. DETAILS is the English of
# each code; the engine writes every such detail through it, so the two cannot drift.


def _routes(f: Mapping[str, Any]) -> str:
    return f"route {f['route']}" if f.get("route") else f"{mode(f['mode'])} routes"


def _index(f: Mapping[str, Any]) -> str:
    label = f"{mode(f['category'])} index" if f.get("category") else "threat index"
    sign = ">=" if f["met"] else "<"
    return f"{label} {number(f['value'])} {sign} {number(f['threshold'])}"


def _count(f: Mapping[str, Any]) -> str:
    what = mode(f["category"]) if f.get("category") else "any"
    return (
        f"{f['found']} {what} indicator(s) of severity >= {f['min_severity']} in the last "
        f"{days(f['within_days'])}, {f['needed']} needed"
    )


def _alarm(f: Mapping[str, Any]) -> str:
    return f"; alarm under {days(f['below'])}"


def _warden_coverage(f: Mapping[str, Any]) -> str:
    missing = list(f.get("missing") or [])
    text = f"{f['covered']} of {f['zones']} zones have a warden"
    return text + (f"; none in {join(missing)}" if missing else "")


DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    # Triggers.
    "index": _index,
    "count": _count,
    "route_missing": lambda f: f"no {_routes(f)} recorded",
    "route_closed": lambda f: f"{f['closed']} of {f['total']} {_routes(f)} closed",
    "route_seats": lambda f: (
        f"{_routes(f)}: {seats(f['seats'])} {'<' if f['met'] else '>='} {number(f['below'])}"
    ),
    "margin_no_level": lambda f: f"no level {f['rank']}",
    "margin_no_deadline": lambda f: f"level {f['rank']} has no deadline",
    "margin_no_means": lambda f: f"level {f['rank']}: no means left to move its people" + _alarm(f),
    "margin_overdue": lambda f: f"level {f['rank']} was due {days(f['days'])} ago" + _alarm(f),
    "margin_due": lambda f: f"level {f['rank']} is due within {days(f['days'])}" + _alarm(f),
    "manual_set": lambda f: str(f["reason"]),
    "manual_unset": lambda f: "not set",
    # Preparedness checks.
    "staff_confirmed": lambda f: (
        f"{f['confirmed']} of {f['total']} staff confirmed in the last {days(f['days'])}"
    ),
    "staff_contactable": lambda f: f"{f['contactable']} of {f['total']} staff contactable",
    "no_staff": lambda f: "no staff on the roster",
    "warden_coverage": _warden_coverage,
    "no_zones": lambda f: "no zones recorded",
    "assembly_points": lambda f: (
        f"{f['with_point']} of {f['zones']} zones have an assembly point; capacity "
        f"{f['capacity']:,} for {people(f['people'])}"
    ),
    "routes_verified": lambda f: (
        f"{f['verified']} of {f['total']} routes verified in the last {f['hours']:g} hours"
    ),
    "no_routes": lambda f: "no exit route recorded",
    "checklist": lambda f: (
        f"{f['done']} of {f['total']} actions of level {f['rank']} ({f['level_name']}) "
        "pre-positioned"
    ),
    "no_higher_level": lambda f: "no higher level to prepare",
}


def detail(code: str, facts: Mapping[str, Any]) -> str:
    """The English detail sentence of ``code`` stating ``facts``."""
    return DETAILS[code](facts)
