"""The engine's detail sentences (a trigger's, a preparedness check's, the reasons for the
recommendation, the configuration warnings) in the officer's language.

The engine stores each detail as a code with the facts it states (``detail_code``,
``detail_facts``, readiness/engine/detail.py); SAY has the sentence of each code, through
gettext (the English is the message id), with numbers in the active locale. An
explanation stored before the codes existed (format 1), or a code this version does not
know, shows the English text it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import numbers as p  # numbers and words in the active locale
from .vocabulary import shipped


def _category(value: str | None) -> str:
    names = {
        "incident": pgettext("category, in a sentence", "incident"),
        "threat_to_foreigners": pgettext("category, in a sentence", "threat to foreigners"),
        "supply": pgettext("category, in a sentence", "supply"),
        "transport": pgettext("category, in a sentence", "transport"),
        "political": pgettext("category, in a sentence", "political"),
        "peer_action": pgettext("category, in a sentence", "peer action"),
        "health": pgettext("category, in a sentence", "health"),
        "hazard": pgettext("category, in a sentence", "hazard"),
    }
    return names.get(value or "", (value or "").replace("_", " "))


def _routes(f: Mapping[str, Any]) -> str:
    if f.get("route"):
        return _("route %(key)s") % {"key": f["route"]}
    return _("%(mode)s routes") % {"mode": p.mode_name(f["mode"])}


def _sign(met: bool, *, below: bool = False) -> str:
    at_least = pgettext("comparison", ">=")
    return ("<" if met else at_least) if below else (at_least if met else "<")


def _index(f: Mapping[str, Any]) -> str:
    label = (
        _("%(category)s index") % {"category": _category(f["category"])}
        if f.get("category")
        else _("threat index")
    )
    return f"{label} {p.number(f['value'])} {_sign(f['met'])} {p.number(f['threshold'])}"


def _count(f: Mapping[str, Any]) -> str:
    what = _category(f["category"]) if f.get("category") else _("any")
    return ngettext(
        "%(n)s %(what)s indicator(s) of severity >= %(severity)s in the last %(days)s, "
        "%(needed)s needed",
        "%(n)s %(what)s indicator(s) of severity >= %(severity)s in the last %(days)s, "
        "%(needed)s needed",
        f["found"],
    ) % {
        "n": f["found"],
        "what": what,
        "severity": f["min_severity"],
        "days": p.days(f["within_days"]),
        "needed": f["needed"],
    }


def _count_with(f: Mapping[str, Any]) -> str:
    return _count(f) + ngettext(
        "; and %(n)s %(what)s indicator of severity >= %(severity)s in the same days, 1 needed",
        "; and %(n)s %(what)s indicators of severity >= %(severity)s in the same days, 1 needed",
        f["with_found"],
    ) % {
        "n": f["with_found"],
        "what": _category(f["with_category"]),
        "severity": f["with_min_severity"],
    }


def _alarm(f: Mapping[str, Any]) -> str:
    return _("; alarm under %(days)s") % {"days": p.days(f["below"])}


def _seats(value: float) -> str:
    return _("%(n)s seats/day") % {"n": p.number(value)}


def _warden_coverage(f: Mapping[str, Any]) -> str:
    text = _("%(covered)s of %(zones)s zones have a warden") % {
        "covered": f["covered"],
        "zones": f["zones"],
    }
    missing = list(f.get("missing") or [])
    return text + (_("; none in %(zones)s") % {"zones": p.join(missing)} if missing else "")


def _reason_trigger(f: Mapping[str, Any]) -> str:
    why = pgettext("list separator", "; ").join(
        f"{shipped(t['name'])} ({detail(t)})" for t in f["triggers"]
    )
    return _("%(level)s: %(why)s") % {"level": shipped(f["level_name"]), "why": why}


def _when(value: Any, fmt: str) -> str:
    moment = p.parse_time(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    return formats.date_format(timezone.localtime(moment), fmt)


def _due(f: Mapping[str, Any]) -> str:
    due = f["due"]
    if due == "no_deadline":
        return _("has no deadline")
    if due == "no_means":
        return _("has no means left")
    if due == "overdue":
        return _("was due %(days)s ago") % {"days": p.days(f["days"])}
    return _("is due within %(days)s") % {"days": p.days(f["days"])}


def _reason_time(f: Mapping[str, Any]) -> str:
    head = _(
        "%(level)s (%(people)s expected to have left by then) %(due)s, within the safety "
        "buffer of %(buffer)s"
    ) % {
        "level": shipped(f["level_name"]),
        "people": p.people(f["people"]),
        "due": _due(f),
        "buffer": p.days(f["buffer"]),
    }
    if f.get("target_name") is None:
        return head + _("; no higher level moves anyone")
    return head + _("; %(level)s is the next step that moves people") % {
        "level": shipped(f["target_name"])
    }


def _reason_means(f: Mapping[str, Any]) -> str:
    why = (
        _("none has seats left")
        if f["due"] == "no_means"
        else _("overdue by %(days)s") % {"days": p.days(f["days"])}
    )
    head = _(
        "The %(people)s already called at %(level)s cannot all leave by the means usable "
        "there (%(why)s)"
    ) % {"people": p.people(f["people"]), "level": shipped(f["level_name"]), "why": why}
    if f.get("target_name") is None:
        return head + _("; no higher level brings means that could carry them")
    return head + _("; only the means of %(level)s can still carry them, and %(level)s %(due)s") % {
        "level": shipped(f["target_name"]),
        "due": _due({"due": f["target_due"], "days": f["target_days"]}),
    }


def _index_above(f: Mapping[str, Any]) -> str:
    label = (
        _("%(category)s index") % {"category": _category(f["category"])}
        if f.get("category")
        else _("threat index")
    )
    return _(
        "%(label)s %(index)s, %(value)s above the post's normal of %(baseline)s: "
        "%(value)s %(sign)s %(threshold)s"
    ) % {
        "label": label,
        "index": p.number(f["index"]),
        "value": p.number(f["value"]),
        "baseline": p.number(f["baseline"]),
        "sign": _sign(f["met"]),
        "threshold": p.number(f["threshold"]),
    }


SAY: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "index": _index,
    "index_above": _index_above,
    "count": _count,
    "count_with": _count_with,
    "route_missing": lambda f: _("no %(routes)s recorded") % {"routes": _routes(f)},
    "route_closed": lambda f: (
        _("%(closed)s of %(total)s %(routes)s closed")
        % {"closed": f["closed"], "total": f["total"], "routes": _routes(f)}
    ),
    "route_seats": lambda f: (
        _("%(routes)s: %(seats)s")
        % {
            "routes": _routes(f),
            "seats": f"{_seats(f['seats'])} {_sign(f['met'], below=True)} {p.number(f['below'])}",
        }
    ),
    "margin_no_level": lambda f: _("no level %(rank)s") % {"rank": f["rank"]},
    "margin_no_deadline": lambda f: _("level %(rank)s has no deadline") % {"rank": f["rank"]},
    "margin_no_means": lambda f: (
        _("level %(rank)s: no means left to move its people") % {"rank": f["rank"]} + _alarm(f)
    ),
    "margin_overdue": lambda f: (
        _("level %(rank)s was due %(days)s ago") % {"rank": f["rank"], "days": p.days(f["days"])}
        + _alarm(f)
    ),
    "margin_due": lambda f: (
        _("level %(rank)s is due within %(days)s") % {"rank": f["rank"], "days": p.days(f["days"])}
        + _alarm(f)
    ),
    "manual_set": lambda f: str(f["reason"]),  # the officer's own words
    "manual_unset": lambda f: _("not set"),
    "staff_confirmed": lambda f: (
        _("%(confirmed)s of %(total)s staff confirmed in the last %(days)s")
        % {"confirmed": f["confirmed"], "total": f["total"], "days": p.days(f["days"])}
    ),
    "staff_contactable": lambda f: (
        _("%(contactable)s of %(total)s staff contactable")
        % {"contactable": f["contactable"], "total": f["total"]}
    ),
    "no_staff": lambda f: _("no staff on the roster"),
    "warden_coverage": _warden_coverage,
    "no_zones": lambda f: _("no zones recorded"),
    "assembly_points": lambda f: (
        _(
            "%(with_point)s of %(zones)s zones have an assembly point; capacity %(capacity)s "
            "for %(people)s"
        )
        % {
            "with_point": f["with_point"],
            "zones": f["zones"],
            "capacity": p.number(f["capacity"], 0),
            "people": p.people(f["people"]),
        }
    ),
    "routes_verified": lambda f: (
        _("%(verified)s of %(total)s routes verified in the last %(hours)s hours")
        % {"verified": f["verified"], "total": f["total"], "hours": p.number(f["hours"])}
    ),
    "no_routes": lambda f: _("no exit route recorded"),
    "checklist": lambda f: (
        _("%(done)s of %(total)s actions of level %(rank)s (%(name)s) pre-positioned")
        % {
            "done": f["done"],
            "total": f["total"],
            "rank": f["rank"],
            "name": shipped(f["level_name"]),
        }
    ),
    "no_higher_level": lambda f: _("no higher level to prepare"),
    "reason_trigger": _reason_trigger,
    "reason_hold": lambda f: (
        _("%(level)s held until %(until)s: it was last indicated on %(last)s")
        % {
            "level": shipped(f["level_name"]),
            "until": _when(f["held_until"], "DATETIME_FORMAT"),
            "last": _when(f["last"], "DATE_FORMAT"),
        }
    ),
    "reason_time": _reason_time,
    "reason_means": _reason_means,
    "reason_baseline": lambda f: (
        _(
            "No trigger is met and no deadline falls within the safety buffer of %(buffer)s: "
            "%(level)s"
        )
        % {"buffer": p.days(f["buffer"]), "level": shipped(f["level_name"])}
    ),
    "no_route_at_all": lambda f: _("No exit route is recorded: no deadline can be computed."),
    "no_route_at_levels": lambda f: (
        _("No exit route usable at level(s) %(ranks)s is recorded: no deadline there.")
        % {"ranks": ", ".join(str(r) for r in f["ranks"])}
    ),
    "trigger_route_unknown": lambda f: (
        _(
            "Level %(rank)s trigger '%(name)s' watches route %(route)s, which is not recorded: it "
            "can never be met."
        )
        % {"rank": f["rank"], "name": shipped(f["name"]), "route": f["route"]}
    ),
    "quorum_unreachable": lambda f: (
        _(
            "Level %(rank)s needs %(quorum)s triggers but has %(enabled)s enabled: it can never "
            "be indicated."
        )
        % {"rank": f["rank"], "quorum": f["quorum"], "enabled": f["enabled"]}
    ),
}


def detail(stored: Mapping[str, Any], *, enabled: bool = True) -> str:
    """A stored detail (of a trigger, a check, a reason or a warning) in the active
    language. A reason keeps its English under ``text``."""
    english = str(stored.get("detail", stored.get("text", "")))
    say = SAY.get(stored.get("detail_code") or "")
    facts = stored.get("detail_facts")
    if say is None or not isinstance(facts, Mapping):
        return english
    try:
        text = say(facts)
    except (KeyError, TypeError, ValueError):  # facts from another version of the engine
        return english
    return text if enabled else _("disabled; %(detail)s") % {"detail": text}
