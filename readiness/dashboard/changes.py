"""The "what changed since the last assessment" panel in the officer's language.

readiness.assessments.changes finds the changes (codes and rounded figures); here each one
becomes a row: what, before, now, and the difference of the two figures shown. Nothing is
rounded again: the figures arrive rounded, so the difference shown is the difference of
the figures shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from readiness.assessments.changes import Change
from readiness.wording import details
from readiness.wording import numbers as n
from readiness.wording.vocabulary import HORIZON_SOURCES, VERDICT_MARKS, shipped

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Rows shown at once; the others are one click away ("n smaller changes").
SHOWN = 8


@dataclass(slots=True)
class ChangeRow:
    code: str
    what: str
    before: str
    after: str
    difference: str  # of the two figures shown; "" when they are not numbers
    note: str = ""  # what the trigger measures now, what the indicator is


@dataclass(slots=True)
class ChangesPanel:
    previous_at: dt.datetime | None  # None: the post's first assessment
    clock: str  # when nothing was entered in between: what the clock did
    rows: list[ChangeRow]  # biggest first
    shown: int = SHOWN

    @property
    def first_rows(self) -> list[ChangeRow]:
        return self.rows[: self.shown]

    @property
    def more_rows(self) -> list[ChangeRow]:
        return self.rows[self.shown :]


def elapsed(minutes: int) -> str:
    """'less than a minute', '25 minutes', '5 hours', '3 days': the time between two
    assessments."""
    if minutes < 1:
        return _("less than a minute")
    if minutes < 90:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    if hours < 24:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    return n.days(round(minutes / 1440, 1))


def _signed(value: float | None, decimals: int = 1) -> str:
    """'+3.8', '-157' (with a true minus sign), '0': the difference of two figures shown."""
    if value is None:
        return ""
    text = n.number(abs(value), decimals)
    return f"+{text}" if value > 0 else (f"{n.MINUS}{text}" if value < 0 else text)


class _Rows:
    """Says each change; the level and route names in the active language."""

    def __init__(
        self,
        *,
        level_names: Mapping[int, str],
        route_names: Mapping[str, str],
        indicators: Mapping[int, Any],
        category_labels: Mapping[str, StrOrPromise],
    ) -> None:
        self.level_names = level_names
        self.route_names = route_names
        self.indicators = indicators
        self.category_labels = category_labels

    def level(self, rank: int | None, stored_name: str = "") -> str:
        if rank is None:
            return "—"
        return f"{rank} · {shipped(self.level_names.get(rank) or stored_name)}"

    def route(self, f: Mapping[str, Any]) -> str:
        return self.route_names.get(f["key"]) or f.get("name") or f["key"]

    def indicator(self, f: Mapping[str, Any]) -> str:
        """'#12 · Supply · severity 4 · B2 — The fuel blockade ...' (the text when known)."""
        key = str(f["id"])
        found = self.indicators.get(int(key)) if key.isdigit() else None
        category = self.category_labels.get(f.get("category", ""), f.get("category", ""))
        label = f"#{key} · {category} · {_('severity')} {f.get('severity')} · {f.get('grading')}"
        if f.get("de_escalation"):
            label += " · " + _("de-escalation")
        if found is not None:
            text = found.text if len(found.text) <= 140 else found.text[:139] + "…"
            label += f" — {text}"
        return label

    # --- one method per code -----------------------------------------------------------

    def current_level(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "current_level",
            _("Level of the post"),
            self.level(f["before"], f.get("before_name", "")),
            self.level(f["after"], f.get("after_name", "")),
            "",
        )

    def recommended_level(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "recommended_level",
            _("Recommended level"),
            self.level(f["before"], f.get("before_name", "")),
            self.level(f["after"], f.get("after_name", "")),
            "",
        )

    def verdict(self, f: Mapping[str, Any]) -> ChangeRow:
        def word(verdict: str) -> str:
            return f"{VERDICT_MARKS.get(verdict, '')} {n.verdict_word(verdict)}".strip()

        return ChangeRow("verdict", _("Gauge"), word(f["before"]), word(f["after"]), "")

    def _trigger(self, f: Mapping[str, Any], *, met: bool) -> ChangeRow:
        met_word, not_met_word = _("met"), _("not met")
        return ChangeRow(
            "trigger_met" if met else "trigger_unmet",
            _("Trigger “%(name)s” (level %(level)s)")
            % {"name": shipped(f["name"]), "level": self.level(f["rank"], f.get("level_name", ""))},
            not_met_word if met else met_word,
            met_word if met else not_met_word,
            "",
            details.detail(f, enabled=bool(f.get("enabled", True))),
        )

    def trigger_met(self, f: Mapping[str, Any]) -> ChangeRow:
        return self._trigger(f, met=True)

    def trigger_unmet(self, f: Mapping[str, Any]) -> ChangeRow:
        return self._trigger(f, met=False)

    def threat_index(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "threat_index",
            _("Threat index"),
            n.number(f["before"]),
            n.number(f["after"]),
            _signed(f["difference"]),
        )

    def trend(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "trend",
            _("Trend (points per day)"),
            n.signed(f["before"]),
            n.signed(f["after"]),
            _signed(f["difference"]),
        )

    def route_status(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "route_status",
            _("%(route)s: status") % {"route": self.route(f)},
            n.status_name(f["before"]),
            n.status_name(f["after"]),
            "",
        )

    def route_seats(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "route_seats",
            _("%(route)s: seats/day") % {"route": self.route(f)},
            n.number(f["before"], 0),
            n.number(f["after"], 0),
            _signed(f["difference"], 0),
        )

    def route_horizon(self, f: Mapping[str, Any]) -> ChangeRow:
        def horizon(days: float | None) -> str:
            return _("never") if days is None else n.days(days)

        def source(key: str) -> str:
            return str(HORIZON_SOURCES.get(key, key))

        was, now = f.get("before_source", ""), f.get("after_source", "")
        note = source(now) if was == now else f"{source(was)} → {source(now)}"
        return ChangeRow(
            "route_horizon",
            _("%(route)s: expected to close in") % {"route": self.route(f)},
            horizon(f["before"]),
            horizon(f["after"]),
            _signed(f.get("difference")),
            note,
        )

    def route_added(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "route_added",
            self.route(f),
            "—",
            _("recorded: %(status)s, %(seats)s seats/day")
            % {"status": n.status_name(f.get("status") or ""), "seats": f.get("seats_per_day")},
            "",
        )

    def route_removed(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow("route_removed", self.route(f), _("recorded"), _("removed"), "")

    def level_load(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "level_load",
            _("Load at %(level)s (people)")
            % {"level": self.level(f["rank"], f.get("level_name", ""))},
            n.number(f["before"], 0),
            n.number(f["after"], 0),
            _signed(f["difference"], 0),
        )

    def level_margin(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "level_margin",
            _("Margin of %(level)s") % {"level": self.level(f["rank"], f.get("level_name", ""))},
            n.margin_text(f["before"], f.get("before_deadline")),
            n.margin_text(f["after"], f.get("after_deadline")),
            _signed(f.get("difference")),
        )

    def indicator_new(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "indicator_new",
            _("New indicator"),
            "—",
            _("weight %(w)s") % {"w": n.number(f["weight"], 2)},
            "",
            self.indicator(f),
        )

    def indicator_expired(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "indicator_expired",
            _("Indicator expired"),
            _("weight %(w)s") % {"w": n.number(f["before"], 2)},
            _("expired"),
            "",
            self.indicator(f),
        )

    def indicator_ended(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "indicator_ended",
            _("Condition marked ended"),
            _("ongoing, weight %(w)s") % {"w": n.number(f["before"], 2)},
            _("ended, weight %(w)s") % {"w": n.number(f["after"], 2)},
            _signed(round(f["after"] - f["before"], 2), 2),
            self.indicator(f),
        )

    def indicator_removed(self, f: Mapping[str, Any]) -> ChangeRow:
        return ChangeRow(
            "indicator_removed",
            _("Indicator no longer counted"),
            _("weight %(w)s") % {"w": n.number(f["before"], 2)},
            pgettext("indicator", "removed"),
            "",
            self.indicator(f),
        )


def changes_panel(
    changes: Sequence[Change],
    *,
    previous_at: dt.datetime | None,
    level_names: Mapping[int, str],
    route_names: Mapping[str, str],
    indicators: Mapping[int, Any],
    category_labels: Mapping[str, StrOrPromise],
) -> ChangesPanel:
    """The panel: the clock's sentence when nothing was entered, then a row per change,
    biggest first. A code this version does not know is left out."""
    say = _Rows(
        level_names=level_names,
        route_names=route_names,
        indicators=indicators,
        category_labels=category_labels,
    )
    minutes: int | None = None
    rows = []
    for change in changes:
        if change.code == "clock":
            minutes = int(change.facts["minutes"])
            continue
        method: Callable[[Mapping[str, Any]], ChangeRow] | None = getattr(say, change.code, None)
        if method is None:
            continue
        try:
            rows.append(method(change.facts))
        except (KeyError, TypeError, ValueError):  # facts from another version
            continue
    clock = "" if minutes is None else clock_sentence(minutes, changed=bool(rows))
    return ChangesPanel(previous_at=previous_at, clock=clock, rows=rows)


def clock_sentence(minutes: int, *, changed: bool = True) -> str:
    """Nothing that weighs was entered between the two assessments: say what the clock did
    (or that nothing shown moved)."""
    if not changed:
        return _(
            "Nothing that weighs was entered in between (indicators, routes, roster, ladder "
            "and level are as they were), and in %(time)s no figure shown on this page moved."
        ) % {"time": elapsed(minutes)}
    return _(
        "Nothing that weighs was entered in between (indicators, routes, roster, ladder and "
        "level are as they were): what changed is the clock. In %(time)s the indicators aged, "
        "and every margin is now counted from %(time)s later; the figures below follow from "
        "that."
    ) % {"time": elapsed(minutes)}


def previous_time(at: dt.datetime | None) -> str:
    """The previous assessment's time as the panel's title says it (the post's local
    time is active)."""
    return n.date_format(timezone.localtime(at), "j M H:i") if at else ""
