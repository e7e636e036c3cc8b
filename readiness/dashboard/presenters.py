"""From the engine's stored explanation (``Assessment.to_dict()``, see
readiness/engine/assessment.py) to what the pages show, in the active language.

The explanation is the contract: nothing here recomputes a figure the engine decided. The
gauge sentence in English is the engine's own ``verdict_text``; in another language it is
said again from the same structured figures (levels, routes, margins), because the engine
speaks English only.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readiness.engine import contributions_from_dict
from readiness.posts.models import ExitRoute, RouteMode, RouteStatus

from . import details
from .vocabulary import (
    DEADLINES,
    GROUPS,
    HORIZON_SOURCES,
    PREPAREDNESS_CHECKS,
    REASON_KINDS,
    VERDICT_HINTS,
    VERDICT_MARKS,
    VERDICT_WORDS,
    shipped,
)

MINUS = "\u2212"  # a true minus sign, as wide as the plus

# --- Numbers as a duty officer says them (readiness/engine/wording.py, localised) ---------


def number(value: float | None, decimals: int = 1) -> str:
    """At most `decimals` decimals, trailing zeros dropped, in the active locale: '47.3',
    '47,3', '55', '1,912' / '1 912'. Called thousands of times on the overview, so it
    formats with Python and asks the locale only for its separators."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    decimal, thousands = _separators()
    if decimal != "." or thousands != ",":
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return text


def _separators() -> tuple[str, str]:
    fixed = getattr(_LOCAL, "separators", None)
    if fixed is not None:
        return fixed  # type: ignore[no-any-return]
    language = translation.get_language() or "en"
    cached = _SEPARATORS.get(language)
    if cached is None:
        cached = (
            str(formats.get_format("DECIMAL_SEPARATOR")),
            str(formats.get_format("THOUSAND_SEPARATOR")),
        )
        _SEPARATORS[language] = cached
    return cached


_SEPARATORS: dict[str, tuple[str, str]] = {}
_LOCAL = threading.local()


@contextmanager
def same_locale() -> Iterator[None]:
    """Within this block the active language does not change: number() looks up its
    separators once instead of asking for the language at every call (the overview
    formats a thousand figures)."""
    previous = getattr(_LOCAL, "separators", None)
    _LOCAL.separators = None
    _LOCAL.separators = _separators()
    try:
        yield
    finally:
        _LOCAL.separators = previous


def days(value: float | None) -> str:
    """'6 days', '1.5 days', '1 day'; whole days from 10 on."""
    if value is None:
        return "—"
    if math.isinf(value):
        return _("never") if value > 0 else _("no time")
    v = abs(value)
    whole_days = v >= 10 or round(v, 1) == round(v)
    text = number(v, 0 if v >= 10 else 1)
    # ngettext wants a count: the whole number when there is one, else a plural.
    count = round(v) if whole_days else 2
    return ngettext("%(n)s day", "%(n)s days", count) % {"n": text}


def people(value: float | None) -> str:
    """'2,025 people', '1 person'."""
    if value is None:
        return "—"
    n = round(value)
    return ngettext("%(n)s person", "%(n)s people", n) % {"n": number(n, 0)}


def whole(value: float | None) -> str:
    if value is None:
        return "∞"
    return number(round(value), 0)


def join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the active language."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def margin_text(margin: float | None, deadline: str | None = None) -> str:
    """A margin for a table cell: '6 days left', '28 days overdue', 'no means left'."""
    if deadline == "no_means" or (margin is not None and margin == -math.inf):
        return _("no means left")
    if margin is None:
        return _("no deadline")
    if margin < 0:
        return _("%(days)s overdue") % {"days": days(-margin)}
    return _("%(days)s left") % {"days": days(margin)}


def age_text(then: dt.datetime | None, now: dt.datetime) -> str:
    """'just now', '12 minutes ago', '3 hours ago', '2 days ago'."""
    if then is None:
        return _("never")
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(n)s minute ago", "%(n)s minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)s hour ago", "%(n)s hours ago", hours) % {"n": hours}
    days_ago = hours // 24
    return ngettext("%(n)s day ago", "%(n)s days ago", days_ago) % {"n": days_ago}


def signed(value: float | None) -> str:
    if value is None:
        return ""
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"{MINUS}{text}" if value < 0 else text)


def deadline_text(kind: str) -> str:
    return str(DEADLINES.get(kind, kind))


def shipped_short(name: str, limit: int = 24) -> str:
    """A level name for a chart axis: translated if shipped, cut to fit."""
    text = shipped(name)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def gauge_badge(verdict: str) -> SafeString:
    """The gauge as a badge: colour, mark and word (never colour alone)."""
    language = translation.get_language() or "en"
    badge = _BADGES.get((language, verdict))
    if badge is None:
        badge = format_html(
            '<span class="gauge gauge-{}"><span aria-hidden="true">{}</span> {}</span>',
            verdict,
            VERDICT_MARKS.get(verdict, ""),
            verdict_word(verdict),
        )
        _BADGES[(language, verdict)] = badge
    return badge


_BADGES: dict[tuple[str, str], SafeString] = {}


def verdict_word(verdict: str) -> str:
    return str(VERDICT_WORDS.get(verdict, verdict))


def mode_name(mode: str) -> str:
    try:
        return str(RouteMode(mode).label).lower()
    except ValueError:
        return mode.replace("_", " ")


def status_name(status: str) -> str:
    try:
        return str(RouteStatus(status).label)
    except ValueError:
        return status


def route_label(route: ExitRoute) -> str:
    return _("%(mode)s: %(from)s → %(to)s") % {
        "mode": RouteMode(route.mode).label if route.mode in RouteMode.values else route.mode,
        "from": route.from_place,
        "to": route.to_place,
    }


def parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# --- The gauge ----------------------------------------------------------------------------


@dataclass(slots=True)
class Gauge:
    verdict: str
    word: str
    mark: str
    hint: str
    sentence: str
    engine_sentence: str  # the engine's own words (English)
    current_name: str
    recommended_name: str
    current_level: int
    recommended_level: int
    threat_index: float
    trend_per_day: float
    margin: str
    margin_level: str
    preparedness: float
    evaluated_at: dt.datetime


class _Sayer:
    """Says the engine's verdict sentence again in the active language, clause by clause
    as readiness.engine.recommend.verdict_sentence builds it."""

    def __init__(
        self, exp: Mapping[str, Any], route_names: Mapping[str, str], level_names: Mapping[int, str]
    ) -> None:
        self.exp = exp
        self.levels = {lv["rank"]: lv for lv in exp.get("levels", [])}
        self.routes = list(exp.get("routes", []))
        self.route_names = route_names
        self.level_names = level_names

    def name(self, rank: int | None) -> str:
        if rank is None:
            return ""
        level = self.levels.get(rank)
        raw = self.level_names.get(rank) or (level["name"] if level else str(rank))
        return shipped(raw)

    def route_name(self, route: Mapping[str, Any]) -> str:
        return self.route_names.get(route["key"]) or route.get("name") or route["key"]

    @staticmethod
    def horizon(route: Mapping[str, Any]) -> float:
        h = route.get("horizon_days")
        return math.inf if h is None else h

    def usable(self, level: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        keys = set(level.get("usable_routes", []))
        return [
            r for r in self.routes if r["key"] in keys and (r["effective_seats_per_day"] or 0) > 0
        ]

    def means(self, level: Mapping[str, Any]) -> str:
        modes = sorted({mode_name(r["mode"]) for r in self.usable(level)})
        return _("seats on %(modes)s") % {"modes": join(modes)} if modes else _("no seats")

    def closing(self, level: Mapping[str, Any]) -> str:
        finite = [r for r in self.usable(level) if not math.isinf(self.horizon(r))]
        if not finite:
            return _("no usable route is expected to close")
        last = max(finite, key=self.horizon)
        if last["horizon_days"] <= 0:
            return _("%(route)s is already expected to be unusable") % {
                "route": self.route_name(last)
            }
        if len(finite) == 1:
            return _("%(route)s is expected to close in %(days)s") % {
                "route": self.route_name(last),
                "days": days(last["horizon_days"]),
            }
        return _("the last of them, %(route)s, is expected to close in %(days)s") % {
            "route": self.route_name(last),
            "days": days(last["horizon_days"]),
        }

    def deadline_clause(self, level: Mapping[str, Any]) -> str:
        clearance = level.get("clearance_days")
        return _("%(means)s clear the remaining %(people)s %(when)s, and %(closing)s") % {
            "means": self.means(level),
            "people": people(level["load"]),
            "when": _("in %(days)s") % {"days": days(clearance)}
            if clearance is not None
            else _("only in part"),
            "closing": self.closing(level),
        }

    def late_clause(self, level: Mapping[str, Any]) -> str:
        if level.get("deadline") == "no_means" or level.get("margin_days") is None:
            return _(
                "no route usable at this level has seats left for the remaining %(people)s"
            ) % {"people": people(level["load"])}
        return _(
            "it was due %(days)s ago; %(means)s can carry only %(seats)s of the remaining "
            "%(people)s before %(closing)s"
        ) % {
            "days": days(-level["margin_days"]),
            "means": self.means(level),
            "seats": whole(level.get("seats_before_close")),
            "people": people(level["load"]),
            "closing": self.closing(level),
        }

    def means_left(self, level: Mapping[str, Any]) -> str:
        usable = set(level.get("usable_routes", []))
        items = []
        for r in self.routes:
            seats = r.get("effective_seats_per_day") or 0
            if seats <= 0 or self.horizon(r) <= r.get("lead_time_days", 0):
                continue
            what = _("%(seats)s seats/day") % {"seats": number(seats)}
            if r.get("lead_time_days", 0) > 0:
                what += ", " + _("after %(days)s' notice") % {"days": days(r["lead_time_days"])}
            if not math.isinf(self.horizon(r)):
                what += ", " + _("until it closes in %(days)s") % {"days": days(self.horizon(r))}
            if r["key"] not in usable:
                what += ", " + _("from level %(rank)s, %(name)s") % {
                    "rank": r["usable_from"],
                    "name": self.name(r["usable_from"]),
                }
            items.append(f"{self.route_name(r)} ({what})")
        return "; ".join(items) if items else _("none: no route has seats left")

    def no_deadline(self, level: Mapping[str, Any]) -> str:
        kind = level.get("deadline")
        if kind == "nobody":
            return _("nobody new has to leave at it, so there is no deadline")
        if kind == "no_route":
            return _("no exit route usable at it is recorded, so no deadline can be computed")
        return _("no usable route is expected to close, so there is no deadline")

    def watch_clause(self, level: Mapping[str, Any]) -> str:
        m = level.get("margin_days")
        name = self.name(level["rank"])
        if level.get("deadline") == "no_means":
            return _("%(level)s has no means left: %(clause)s") % {
                "level": name,
                "clause": self.late_clause(level),
            }
        if m is not None and m < 0:
            return _("%(level)s is overdue: %(clause)s") % {
                "level": name,
                "clause": self.late_clause(level),
            }
        return _("%(level)s is due within %(days)s: %(clause)s") % {
            "level": name,
            "days": days(m),
            "clause": self.deadline_clause(level),
        }

    def sentence(self) -> str:
        exp = self.exp
        verdict = exp.get("verdict")
        current = self.levels.get(exp.get("current_level"))
        recommended = self.levels.get(exp.get("recommended_level"))
        tight_rank = exp.get("next_level_margin_rank")
        tight = self.levels.get(tight_rank) if tight_rank is not None else None
        if current is None or recommended is None:
            return exp.get("verdict_text", "")
        rec = self.name(recommended["rank"])
        cur = self.name(current["rank"])
        if verdict == "late" and recommended["rank"] <= current["rank"]:
            return _(
                "%(level)s is late: the people already called cannot all leave in time; "
                "%(clause)s. Means left: %(means)s."
            ) % {
                "level": cur,
                "clause": self.late_clause(current),
                "means": self.means_left(current),
            }
        if verdict == "late":
            return _("%(level)s is late: %(clause)s. Means left: %(means)s.") % {
                "level": rec,
                "clause": self.late_clause(recommended),
                "means": self.means_left(recommended),
            }
        if verdict == "act_now":
            if (
                recommended.get("deadline") == "deadline"
                and recommended.get("margin_days") is not None
            ):
                return _("%(level)s is due within %(days)s: %(clause)s.") % {
                    "level": rec,
                    "days": days(recommended["margin_days"]),
                    "clause": self.deadline_clause(recommended),
                }
            return _("%(level)s is recommended now; %(why)s.") % {
                "level": rec,
                "why": self.no_deadline(recommended),
            }
        if verdict == "watch" and tight is not None:
            return _("%(level)s is right for now, but %(clause)s.") % {
                "level": cur,
                "clause": self.watch_clause(tight),
            }
        if verdict in {"on_time", "watch"}:
            if tight is None or tight.get("margin_days") is None:
                return _("%(level)s matches the situation; no deadline lies ahead.") % {
                    "level": cur
                }
            m = tight["margin_days"]
            distance = (
                _("%(days)s away") % {"days": days(m)}
                if m >= 0
                else _("%(days)s overdue") % {"days": days(-m)}
            )
            return _(
                "%(level)s matches the situation; the nearest deadline ahead, for %(next)s, is "
                "%(distance)s."
            ) % {"level": cur, "next": self.name(tight["rank"]), "distance": distance}
        watch = (exp.get("params") or {}).get("watch_window_days")
        return _(
            "%(level)s is above what the situation calls for (%(recommended)s); no deadline "
            "falls within the watch window of %(days)s."
        ) % {"level": cur, "recommended": rec, "days": days(watch)}


def gauge_sentence(
    exp: Mapping[str, Any],
    *,
    route_names: Mapping[str, str] | None = None,
    level_names: Mapping[int, str] | None = None,
) -> str:
    """The verdict in words: the engine's sentence in English, said again otherwise."""
    text = exp.get("verdict_text", "")
    if (translation.get_language() or "en").startswith("en") and text:
        return text
    try:
        return _Sayer(exp, route_names or {}, level_names or {}).sentence()
    except (KeyError, TypeError, ValueError):
        # An explanation from an older engine: its own words are better than nothing.
        return text


def gauge(
    *,
    assessment: Any,
    level_names: Mapping[int, str],
    route_names: Mapping[str, str],
) -> Gauge:
    exp = assessment.explanation
    rank = exp.get("next_level_margin_rank")
    level = next((lv for lv in exp.get("levels", []) if lv["rank"] == rank), None)
    return Gauge(
        verdict=assessment.verdict,
        word=verdict_word(assessment.verdict),
        mark=VERDICT_MARKS.get(assessment.verdict, ""),
        hint=str(VERDICT_HINTS.get(assessment.verdict, "")),
        sentence=gauge_sentence(exp, route_names=route_names, level_names=level_names),
        engine_sentence=exp.get("verdict_text", ""),
        current_name=shipped(level_names.get(assessment.current_level, "")),
        recommended_name=shipped(level_names.get(assessment.recommended_level, "")),
        current_level=assessment.current_level,
        recommended_level=assessment.recommended_level,
        threat_index=assessment.threat_index,
        trend_per_day=assessment.trend_per_day,
        margin=margin_text(
            assessment.next_level_margin_days, level.get("deadline") if level else None
        ),
        margin_level=shipped(level_names.get(rank, "")) if rank is not None else "",
        preparedness=assessment.preparedness,
        evaluated_at=assessment.evaluated_at,
    )


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
    categories: list[tuple[str, float, int]]  # (label, index, indicators weighing)
    warnings: list[str]
    evidence_ids: set[int]


def shown_shortfall(level: Mapping[str, Any]) -> int:
    """The people of a level who cannot leave even starting now, as the page can redo it:
    the load shown minus the seats shown (both whole), not the unrounded difference
    (1,912 - 1,755 is 157 on screen even when the engine's figures are 156.6 apart)."""
    seats = level.get("seats_before_close")
    if seats is None:  # a usable route is not expected to close
        return 0
    return max(0, round(level.get("load", 0) or 0) - round(seats))


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
    category_labels: Mapping[str, str],
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
                latest_start_text=formats.date_format(local_latest, "j M H:i")
                if local_latest
                else "",
                quorum_text=_("quorum %(q)s") % {"q": quorum} if quorum > 1 else "",
                held_text=_("held until %(until)s")
                % {"until": formats.date_format(timezone.localtime(held), "j M")}
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
                horizon_source=str(HORIZON_SOURCES.get(r.get("horizon_source", ""), "")),
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
    current = exp.get("current_level", 0)
    recommended = exp.get("recommended_level", 0)
    if recommended > current:
        return recommended
    if exp.get("next_level_margin_rank") is not None:
        return exp["next_level_margin_rank"]
    ranks = [lv["rank"] for lv in exp.get("levels", []) if lv["rank"] > current and lv["load"] > 0]
    return min(ranks) if ranks else None
