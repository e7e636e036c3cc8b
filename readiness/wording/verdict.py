"""The verdict sentence: why the gauge reads as it does, with the figures behind it, said
from a stored explanation (``Assessment.to_dict()``) in the active language.

The engine stores no sentence; this is the only place the verdict is put in words (the
dashboards, the brief, the notifications and the command line all call ``verdict``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .details import detail
from .numbers import days, join, mode_name, number, people, whole
from .vocabulary import REASON_KINDS, shipped

# Reasons whose sentence does not name its kind: in the verdict, their kind leads them.
LED_BY_KIND = frozenset({"time", "means"})


class _Sayer:
    """Says the verdict of one stored explanation, clause by clause."""

    def __init__(
        self, exp: Mapping[str, Any], route_names: Mapping[str, str], level_names: Mapping[int, str]
    ) -> None:
        self.exp = exp
        self.levels = {lv["rank"]: lv for lv in exp.get("levels", [])}
        self.routes = list(exp.get("routes", []))
        self.route_names = route_names
        self.level_names = level_names

    def why(self, rank: int) -> list[str]:
        """The reasons for `rank` (or else the first reason), a sentence each; a time or
        means reason is led by its kind, as the page's tag leads it."""
        reasons = list(self.exp.get("reasons") or [])
        mine = [r for r in reasons if r.get("level") == rank] or reasons[:1]
        out = []
        for r in mine:
            text = detail(r).rstrip(".")
            if r.get("kind") in LED_BY_KIND:
                text = _("%(kind)s: %(reason)s") % {"kind": REASON_KINDS[r["kind"]], "reason": text}
            out.append(text + ".")
        return out

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
        separator = pgettext("list separator", "; ")  # French: a narrow no-break space first
        return separator.join(items) if items else _("none: no route has seats left")

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
            text: str = exp.get("verdict_text", "")
            return text
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
                head = _("%(level)s is due within %(days)s: %(clause)s.") % {
                    "level": rec,
                    "days": days(recommended["margin_days"]),
                    "clause": self.deadline_clause(recommended),
                }
            else:
                head = _("%(level)s is recommended now; %(why)s.") % {
                    "level": rec,
                    "why": self.no_deadline(recommended),
                }
            return " ".join([head, *self.why(recommended["rank"])])
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


def verdict(
    exp: Mapping[str, Any],
    *,
    route_names: Mapping[str, str] | None = None,
    level_names: Mapping[int, str] | None = None,
) -> str:
    """The verdict of a stored explanation in words. `route_names` and `level_names` give
    today's names (as the page shows them); without them, the names stored with it."""
    try:
        return _Sayer(exp, route_names or {}, level_names or {}).sentence()
    except (KeyError, TypeError, ValueError, IndexError):
        # An explanation from an older engine whose figures this version cannot read:
        # the English it stored (formats 1 to 3) is better than nothing.
        return str(exp.get("verdict_text", ""))
