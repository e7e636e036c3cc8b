"""How numbers read in the engine's sentences: rounded the way a duty officer says them."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


def _index_above(f: Mapping[str, Any]) -> str:
    label = f"{mode(f['category'])} index" if f.get("category") else "threat index"
    sign = ">=" if f["met"] else "<"
    return (
        f"{label} {number(f['index'])}, {number(f['value'])} above the post's normal of "
        f"{number(f['baseline'])}: {number(f['value'])} {sign} {number(f['threshold'])}"
    )


def _count(f: Mapping[str, Any]) -> str:
    what = mode(f["category"]) if f.get("category") else "any"
    return (
        f"{f['found']} {what} indicator(s) of severity >= {f['min_severity']} in the last "
        f"{days(f['within_days'])}, {f['needed']} needed"
    )


def _count_with(f: Mapping[str, Any]) -> str:
    return (
        f"{_count(f)}; and {f['with_found']} {mode(f['with_category'])} "
        f"indicator{'' if f['with_found'] == 1 else 's'} of severity >= "
        f"{f['with_min_severity']} in the same days, 1 needed"
    )


def _alarm(f: Mapping[str, Any]) -> str:
    return f"; alarm under {days(f['below'])}"


def _warden_coverage(f: Mapping[str, Any]) -> str:
    missing = list(f.get("missing") or [])
    text = f"{f['covered']} of {f['zones']} zones have a warden"
    return text + (f"; none in {join(missing)}" if missing else "")


def _due(f: Mapping[str, Any]) -> str:
    due = f["due"]
    if due == "no_deadline":
        return "has no deadline"
    if due == "no_means":
        return "has no means left"
    if due == "overdue":
        return f"was due {days(f['days'])} ago"
    return f"is due within {days(f['days'])}"


def _time_reason(f: Mapping[str, Any]) -> str:
    """'Time: <level> (<load>) <due>, within the safety buffer; <target> moves people'."""
    head = (
        f"Time: {f['level_name']} ({people(f['people'])} expected to have left by "
        f"then) {_due(f)}, within the safety buffer of {days(f['buffer'])}"
    )
    if f.get("target_name") is None:
        return head + "; no higher level moves anyone"
    return head + f"; {f['target_name']} is the next step that moves people"


def _means_reason(f: Mapping[str, Any]) -> str:
    """'Means: the <n> already called at <level> cannot all leave by the means usable
    there (<why>); only the means of <target> can still carry them, and <target> <due>'."""
    why = "none has seats left" if f["due"] == "no_means" else f"overdue by {days(f['days'])}"
    head = (
        f"Means: the {people(f['people'])} already called at {f['level_name']} cannot all "
        f"leave by the means usable there ({why})"
    )
    if f.get("target_name") is None:
        return head + "; no higher level brings means that could carry them"
    due = _due({"due": f["target_due"], "days": f["target_days"]})
    return head + (
        f"; only the means of {f['target_name']} can still carry them, and {f['target_name']} {due}"
    )


DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    # Triggers.
    "index": _index,
    "index_above": _index_above,
    "count": _count,
    "count_with": _count_with,
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
    # Reasons for the recommendation.
    "reason_trigger": lambda f: (
        f"{f['level_name']}: " + "; ".join(f"{t['name']} ({t['detail']})" for t in f["triggers"])
    ),
    "reason_hold": lambda f: (
        f"{f['level_name']} held until {f['held_until']:%Y-%m-%d %H:%M %Z}".rstrip()
        + f": it was last indicated on {f['last']:%Y-%m-%d}"
    ),
    "reason_time": _time_reason,
    "reason_means": _means_reason,
    "reason_baseline": lambda f: (
        f"No trigger is met and no deadline falls within the safety buffer of "
        f"{days(f['buffer'])}: {f['level_name']}"
    ),
    # Configuration warnings.
    "no_route_at_all": lambda f: "No exit route is recorded: no deadline can be computed.",
    "no_route_at_levels": lambda f: (
        f"No exit route usable at level(s) {', '.join(str(r) for r in f['ranks'])} is "
        "recorded: no deadline there."
    ),
    "trigger_route_unknown": lambda f: (
        f"Level {f['rank']} trigger '{f['name']}' watches route {f['route']}, "
        "which is not recorded: it can never be met."
    ),
    "quorum_unreachable": lambda f: (
        f"Level {f['rank']} needs {f['quorum']} triggers but has {f['enabled']} enabled: "
        "it can never be indicated."
    ),
}


def detail(code: str, facts: Mapping[str, Any]) -> str:
    """The English detail sentence of ``code`` stating ``facts``."""
    return DETAILS[code](facts)


@dataclass(frozen=True, slots=True)
class Detail:
    """A sentence as English text and as data (a code of DETAILS and its facts)."""

    detail: str
    detail_code: str
    detail_facts: Mapping[str, Any]


def said(code: str, **facts: Any) -> Detail:
    return Detail(detail(code, facts), code, facts)
