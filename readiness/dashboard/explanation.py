"""The post page's explanation block, from the engine's stored explanation
(``Assessment.to_dict()``, see readiness/engine/assessment.py), in the active language:
the levels table with each level's triggers and their evidence, the routes, the
preparedness checks, the reasons and the warnings.

The explanation is the contract: nothing here recomputes a figure the engine decided, and
no sentence is written here: readiness.wording says the engine's codes and figures (the
gauge's sentence, each detail and reason) in the active language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.engine import contributions_from_dict
from readiness.wording import details, numbers
from readiness.wording.numbers import (
    days,
    join,
    margin_text,
    mode_name,
    number,
    parse_time,
    people,
    status_name,
    whole,
)
from readiness.wording.vocabulary import (
    DEADLINES,
    GROUPS,
    HORIZON_SOURCES,
    PREPAREDNESS_CHECKS,
    REASON_KINDS,
    shipped,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- The explanation ----------------------------------------------------------------------

# A threat-index trigger rests on every weighing indicator; the heaviest few say enough
# (the timeline lists them all with their weight).
EVIDENCE_SHOWN = 5


@dataclass(slots=True)
class EvidenceRow:
    id: int
    observed_at: dt.datetime | None
    label: str  # "31 Oct · Peer action · severity 5 · A1 — The United States orders ..."
    weight: str  # "weight 2.4, 16 %"


@dataclass(slots=True)
class TriggerRow:
    name: str
    kind: str
    met: bool
    enabled: bool
    detail: str
    evidence: list[EvidenceRow]
    evidence_omitted: int


@dataclass(slots=True)
class LevelRow:
    rank: int
    name: str
    leaves: str
    load: float
    load_text: str
    clearance: str
    margin: str
    deadline: str
    latest_start_at: dt.datetime | None
    shortfall: float
    triggers_met: int
    triggers_enabled: int
    quorum: int
    indicated: bool
    held_until: dt.datetime | None
    is_current: bool
    is_recommended: bool
    triggers: list[TriggerRow] = field(default_factory=list)
    # Ready-made words: the table is rendered for every level.
    load_number: str = ""
    shortfall_text: str = ""
    latest_start_iso: str = ""
    latest_start_text: str = ""
    quorum_text: str = ""
    held_text: str = ""
    met_text: str = ""


@dataclass(slots=True)
class RouteRow:
    key: str
    name: str
    mode: str
    status: str
    status_label: str
    seats_per_day: int
    effective_seats_per_day: float
    lead_time: str
    closes_at_threat: float | None
    horizon: str
    horizon_source: str
    seats_before_close: str
    usable_from: str


@dataclass(slots=True)
class CheckRow:
    name: str
    passed: bool
    value: float
    weight: float
    detail: str


@dataclass(slots=True)
class Explanation:
    reasons: list[tuple[str, str]]  # (kind label, text)
    levels: list[LevelRow]  # highest rank first
    routes: list[RouteRow]
    checks: list[CheckRow]
    categories: list[tuple[StrOrPromise, float, int]]  # (label, index, indicators weighing)
    warnings: list[str]
    evidence_ids: set[int]


def shown_shortfall(level: Mapping[str, Any]) -> int:
    """The people of a level who cannot leave even starting now, as the page can redo it:
    the load shown minus the seats shown (both whole), not the unrounded difference
    (1,912 - 1,755 is 157 on screen even when the engine's figures are 156.6 apart)."""
    seats: float | None = level.get("seats_before_close")
    if seats is None:  # a usable route is not expected to close
        return 0
    load: float = level.get("load", 0) or 0
    return max(0, round(load) - round(seats))


def evidence_ids(exp: Mapping[str, Any]) -> set[int]:
    """The indicators listed behind the met triggers, to load their text in one query."""
    ids: set[int] = set()
    for trigger in exp.get("triggers", []):
        if trigger.get("met") and trigger.get("kind") not in ("threat_index", "route"):
            keys = [str(item) for item in trigger.get("evidence", []) if str(item).isdigit()]
            ids.update(int(key) for key in keys[:EVIDENCE_SHOWN])
    return ids


def explanation(
    *,
    exp: Mapping[str, Any],
    level_names: Mapping[int, str],
    route_names: Mapping[str, str],
    indicators: Mapping[int, Any],
    category_labels: Mapping[str, StrOrPromise],
) -> Explanation:
    contributions = {c["id"]: c for c in contributions_from_dict(exp)}
    current = exp.get("current_level")
    recommended = exp.get("recommended_level")

    def name(rank: int) -> str:
        return shipped(level_names.get(rank, str(rank)))

    severity_word, weight_word = _("severity"), _("weight")
    removed = _("indicator %(id)s (removed since)")

    def evidence_row(key: str) -> EvidenceRow:
        indicator = indicators.get(int(key))
        c = contributions.get(key)
        weight = f"{weight_word} {number(c['weight'])}, {round(100 * c['share'])} %" if c else ""
        if indicator is None:
            return EvidenceRow(int(key), None, removed % {"id": key}, weight)
        observed = indicator.observed_at
        text = indicator.text if len(indicator.text) <= 140 else indicator.text[:139] + "…"
        label = (
            f"{category_labels.get(indicator.category, indicator.category)} · {severity_word} "
            f"{indicator.severity} · {indicator.reliability}{indicator.credibility} — {text}"
        )
        return EvidenceRow(int(key), observed, label, weight)

    by_level: dict[int, list[TriggerRow]] = {}
    for t in exp.get("triggers", []):
        met = bool(t.get("met"))
        keys = [str(item) for item in t.get("evidence", []) if str(item).isdigit()]
        # A threat-index trigger rests on every weighing indicator: the category bars and
        # the timeline (with each weight) say it better than the same list at every level.
        listed = met and t.get("kind") not in ("threat_index", "route")
        shown = keys[:EVIDENCE_SHOWN] if listed else []
        omitted = (t.get("evidence_omitted", 0) + len(keys) - len(shown)) if listed else 0
        by_level.setdefault(t["level"], []).append(
            TriggerRow(
                name=shipped(t["name"]),
                kind=t["kind"],
                met=met,
                enabled=bool(t.get("enabled", True)),
                detail=details.detail(t, enabled=bool(t.get("enabled", True))),
                evidence=[evidence_row(key) for key in shown],
                evidence_omitted=omitted,
            )
        )

    levels = []
    for lv in sorted(exp.get("levels", []), key=lambda lv: -lv["rank"]):
        margin = lv.get("margin_days")
        latest = parse_time(lv.get("latest_start_at"))
        held = parse_time(lv.get("held_until"))
        shortfall = shown_shortfall(lv)
        quorum = lv.get("quorum", 1)
        local_latest = timezone.localtime(latest) if latest else None
        levels.append(
            LevelRow(
                rank=lv["rank"],
                name=name(lv["rank"]),
                leaves=join([str(GROUPS.get(g, g)) for g in lv.get("leaves", [])]) or "—",
                load=lv.get("load", 0),
                load_text=people(lv.get("load", 0)),
                clearance=(
                    days(lv["clearance_days"])
                    if lv.get("clearance_days") is not None
                    else _("cannot all leave")
                ),
                margin=margin_text(margin, lv.get("deadline")),
                deadline=str(DEADLINES.get(lv.get("deadline", ""), lv.get("deadline", ""))),
                latest_start_at=latest,
                shortfall=shortfall,
                triggers_met=lv.get("triggers_met", 0),
                triggers_enabled=lv.get("triggers_enabled", 0),
                quorum=quorum,
                indicated=bool(lv.get("indicated_by_triggers")),
                held_until=held,
                is_current=lv["rank"] == current,
                is_recommended=lv["rank"] == recommended,
                triggers=by_level.get(lv["rank"], []),
                load_number=number(lv.get("load", 0), 0),
                shortfall_text=_("%(n)s cannot leave") % {"n": number(shortfall, 0)}
                if shortfall > 0
                else "",
                latest_start_iso=latest.isoformat() if latest else "",
                latest_start_text=numbers.date_format(local_latest, "j M H:i")
                if local_latest
                else "",
                quorum_text=_("quorum %(q)s") % {"q": quorum} if quorum > 1 else "",
                held_text=_("held until %(until)s")
                % {"until": numbers.date_format(timezone.localtime(held), "j M")}
                if held
                else "",
                met_text=_("%(met)s of %(n)s met")
                % {"met": lv.get("triggers_met", 0), "n": lv.get("triggers_enabled", 0)},
            )
        )

    routes = []
    for r in exp.get("routes", []):
        horizon = r.get("horizon_days")
        routes.append(
            RouteRow(
                key=r["key"],
                name=route_names.get(r["key"]) or r.get("name") or r["key"],
                mode=mode_name(r["mode"]),
                status=r["status"],
                status_label=status_name(r["status"]),
                seats_per_day=r.get("seats_per_day", 0),
                effective_seats_per_day=r.get("effective_seats_per_day", 0),
                lead_time=days(r.get("lead_time_days", 0)),
                closes_at_threat=r.get("closes_at_threat"),
                horizon=_("never") if horizon is None else days(horizon),
                # "never" already says it is not expected to close: no second note.
                horizon_source=""
                if horizon is None
                else str(HORIZON_SOURCES.get(r.get("horizon_source", ""), "")),
                seats_before_close=whole(r.get("seats_before_close")),
                usable_from=f"{r.get('usable_from')} · {name(r.get('usable_from', 0))}",
            )
        )

    prep = exp.get("preparedness") or {}
    checks = [
        CheckRow(
            name=str(PREPAREDNESS_CHECKS.get(c["name"], c["name"])),
            passed=bool(c.get("passed")),
            value=c.get("value", 0),
            weight=c.get("weight", 0),
            detail=details.detail(c),
        )
        for c in prep.get("checks", [])
    ]
    categories = [
        (category_labels.get(c["category"], c["category"]), c["index"], c["indicators"])
        for c in exp.get("categories", [])
        if c.get("indicators")
    ]
    categories.sort(key=lambda c: -c[1])
    return Explanation(
        reasons=[
            (str(REASON_KINDS.get(r["kind"], r["kind"])), details.detail(r))
            for r in exp.get("reasons", [])
        ],
        levels=levels,
        routes=routes,
        checks=checks,
        categories=categories,
        warnings=[details.detail(w) for w in exp["warning_details"]]
        if "warning_details" in exp
        else list(exp.get("warnings", [])),
        evidence_ids=evidence_ids(exp),
    )


def focus_rank(exp: Mapping[str, Any]) -> int | None:
    """The level the capacity chart shows: the recommended one when it is above the
    current level, else the level with the tightest margin ahead, else the next one up."""
    current: int = exp.get("current_level", 0)
    recommended: int = exp.get("recommended_level", 0)
    if recommended > current:
        return recommended
    tightest: int | None = exp.get("next_level_margin_rank")
    if tightest is not None:
        return tightest
    ranks = [lv["rank"] for lv in exp.get("levels", []) if lv["rank"] > current and lv["load"] > 0]
    return min(ranks) if ranks else None
