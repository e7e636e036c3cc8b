"""The engine's detail sentences (a trigger's, a preparedness check's) in the officer's
language.

The engine stores each detail as English text and as a code with the facts it states
(``detail_code``, ``detail_facts``; the English of each code is
``readiness.engine.wording.DETAILS``). Here each code has its sentence again, through
gettext, with numbers in the active locale. In English the two read the same (tested);
an explanation stored before the codes existed, or a code this version does not know,
shows its English text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import presenters as p  # numbers and words in the active locale
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
    return ("<" if met else ">=") if below else (">=" if met else "<")


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


SAY: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "index": _index,
    "count": _count,
    "route_missing": lambda f: _("no %(routes)s recorded") % {"routes": _routes(f)},
    "route_closed": lambda f: (
        _("%(closed)s of %(total)s %(routes)s closed")
        % {"closed": f["closed"], "total": f["total"], "routes": _routes(f)}
    ),
    "route_seats": lambda f: (
        f"{_routes(f)}: {_seats(f['seats'])} {_sign(f['met'], below=True)} {p.number(f['below'])}"
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
}


def detail(stored: Mapping[str, Any], *, enabled: bool = True) -> str:
    """A stored trigger's or check's detail in the active language."""
    english = str(stored.get("detail", ""))
    say = SAY.get(stored.get("detail_code") or "")
    facts = stored.get("detail_facts")
    if say is None or not isinstance(facts, Mapping):
        return english
    try:
        text = say(facts)
    except (KeyError, TypeError, ValueError):  # facts from another version of the engine
        return english
    return text if enabled else _("disabled; %(detail)s") % {"detail": text}
