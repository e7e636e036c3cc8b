"""Chart geometry for the server-rendered inline SVG (no library, no request elsewhere).

Each function turns figures into coordinates and labelled ticks; the templates under
templates/dashboard/charts/ draw them. Coordinates are in the SVG's own units (viewBox),
so the charts scale with the page.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from readiness.wording import numbers


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)


# The charts' text is drawn at this size in the SVG's units (dashboard.css), and a character
# takes about this much width: enough to leave room for the longest label.
FONT_UNITS = 13
CHAR_UNITS = 7.4


def label_width(labels: Sequence[str]) -> float:
    """About how wide the longest of ``labels`` is drawn, in the SVG's units."""
    return CHAR_UNITS * max((len(label) for label in labels), default=0)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power: float = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


# --- Sparkline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sparkline:
    """What templates/dashboard/charts/sparkline.html draws."""

    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    last_x: str
    last_y: str
    label: str  # the accessible name: the span and the first and last figures


def sparkline(values: Sequence[float], *, width: int = 96, height: int = 24) -> Sparkline | None:
    """A tiny line of the threat index (posts compare at a glance), with its first and last
    values in the accessible name; None under two points."""
    if len(values) < 2:
        return None
    step = width / (len(values) - 1)
    # Scaled to the post's own range (at least 20 points tall), so a trend shows; the
    # figures themselves are in the accessible name and beside the line.
    low, high = min(values), max(values)
    if high - low < 20:
        mid = (high + low) / 2
        low, high = max(0.0, mid - 10), min(100.0, mid + 10)
        if high - low < 20:
            low, high = (0.0, 20.0) if low == 0 else (80.0, 100.0)
    points = [
        (i * step, height - 2 - (height - 4) * (v - low) / (high - low))
        for i, v in enumerate(values)
    ]
    label = _("Threat index over the last %(n)s days, from %(first)s to %(last)s") % {
        "n": len(values) - 1,
        "first": numbers.number(values[0]),
        "last": numbers.number(values[-1]),
    }
    last_x, last_y = points[-1]
    return Sparkline(width, height, _path(points), _fmt(last_x), _fmt(last_y), label)


# --- Threat index and levels over time ------------------------------------------------------


@dataclass(slots=True)
class Tick:
    pos: str  # formatted for the SVG
    label: str
    anchor: str  # the label's text-anchor: "end" or "start" where centring would clip it

    def __init__(self, pos: float, label: str, anchor: str = "middle") -> None:
        self.pos = _fmt(pos)
        self.label = label
        self.anchor = anchor


@dataclass(slots=True)
class HistoryChart:
    width: int
    height: int
    left: float
    right: float
    threat_top: float
    threat_bottom: float
    level_top: float
    level_bottom: float
    threat_title_y: float  # each panel's title sits above it, level with the plot's left
    level_title_y: float
    threat_line: str  # polyline points
    threat_dots: list[tuple[str, str, str]]  # assessments: x, y, title
    actual_line: str
    recommended_line: str
    recommended_dots: list[tuple[str, str, str]]
    x_ticks: list[Tick]
    threat_ticks: list[Tick]
    level_ticks: list[Tick]
    summary: str
    empty: bool = False


def history_chart(
    *,
    now: dt.datetime,
    days: int,
    trend_points: Sequence[Mapping[str, Any]],
    history: Sequence[tuple[dt.datetime, float, int, int, str]],
    decisions: Sequence[Any],
    current_level: int,
    level_names: Mapping[int, str],
    tz: dt.tzinfo,
) -> HistoryChart:
    """Top panel: the threat index (the daily values of the newest assessment's trend, and
    each stored assessment as a dot). Bottom panel: the actual level (from the decision log)
    as a solid step line and the recommended level (from the assessments) dashed."""
    width, height = 720, 340
    labels = {
        rank: f"{rank} {numbers.shipped_short(name, 28)}" for rank, name in level_names.items()
    }
    # Room on the left for the longest level name (French ones are longer), no more.
    left = min(280.0, max(60.0, 16 + label_width(list(labels.values()))))
    right = width - 16.0
    threat_top, threat_bottom = 28.0, 160.0
    level_top, level_bottom = 200.0, 300.0
    start = now - dt.timedelta(days=days)
    span = (now - start).total_seconds()

    def x(at: dt.datetime) -> float:
        return left + (right - left) * max(0.0, (at - start).total_seconds()) / span

    def y_threat(v: float) -> float:
        return threat_bottom - (threat_bottom - threat_top) * v / 100

    top_rank = max(level_names) if level_names else 6

    def y_level(rank: float) -> float:
        return level_bottom - (level_bottom - level_top) * rank / max(1, top_rank)

    trend = sorted(
        (numbers.parse_time(p["at"]), p["threat_index"])
        for p in trend_points
        if p.get("at") and p.get("threat_index") is not None
    )
    series = [(at, v) for at, v in trend if at is not None and at >= start]
    in_window = [row for row in history if row[0] >= start]
    threat_line = _path([(x(at), y_threat(v)) for at, v in series])
    dots = [
        (
            _fmt(x(at)),
            _fmt(y_threat(v)),
            f"{numbers.date_format(at.astimezone(tz), 'j M H:i')}: {numbers.number(v)}",
        )
        for at, v, *_rest in in_window
    ]

    # Actual level: walk the decision log back from the current level.
    steps: list[tuple[dt.datetime, int]] = []
    level = current_level
    for decision in sorted(decisions, key=lambda d: d.decided_at, reverse=True):
        if decision.decided_at < start:
            level = decision.to_level
            break
        steps.append((decision.decided_at, decision.to_level))
        level = decision.from_level
    actual: list[tuple[float, float]] = [(x(start), y_level(level))]
    for at, to_level in sorted(steps):
        actual.append((x(at), y_level(level)))
        actual.append((x(at), y_level(to_level)))
        level = to_level
    actual.append((x(now), y_level(level)))

    recommended: list[tuple[float, float]] = []
    previous = None
    for at, _v, _cur, rec, _verdict in in_window:
        if previous is not None:
            recommended.append((x(at), y_level(previous)))
        recommended.append((x(at), y_level(rec)))
        previous = rec
    if recommended:
        recommended.append((x(now), recommended[-1][1]))
    rec_dots = [
        (
            _fmt(x(at)),
            _fmt(y_level(rec)),
            f"{numbers.date_format(at.astimezone(tz), 'j M H:i')}: {rec}",
        )
        for at, _v, _cur, rec, _verdict in in_window
    ]

    step_days = max(1, round(nice_step(days, 6)))
    x_ticks = []
    day = (now.astimezone(tz)).replace(hour=0, minute=0, second=0, microsecond=0)
    while day >= start:
        pos, label = x(day), numbers.date_format(day, "j M")
        # A date's label centred on a tick this close to an edge would run off the chart
        # (today's midnight sits at the right edge just after it).
        half = label_width([label]) / 2
        anchor = "end" if pos + half > width else "start" if pos - half < 0 else "middle"
        x_ticks.append(Tick(pos, label, anchor))
        day -= dt.timedelta(days=step_days)
    threat_ticks = [Tick(y_threat(v), str(v)) for v in range(0, 101, 25)]
    level_ticks = [Tick(y_level(rank), labels[rank]) for rank in sorted(labels)]
    first = series[0][1] if series else (in_window[0][1] if in_window else None)
    last = series[-1][1] if series else (in_window[-1][1] if in_window else None)
    summary = _(
        "Threat index over the last %(days)s days: from %(first)s to %(last)s. Actual level "
        "now %(current)s; recommended %(recommended)s."
    ) % {
        "days": days,
        "first": numbers.number(first),
        "last": numbers.number(last),
        "current": current_level,
        "recommended": in_window[-1][3] if in_window else "—",
    }
    return HistoryChart(
        width=width,
        height=height,
        left=left,
        right=right,
        threat_top=threat_top,
        threat_bottom=threat_bottom,
        level_top=level_top,
        level_bottom=level_bottom,
        threat_title_y=threat_top - 12,
        level_title_y=level_top - 16,
        threat_line=threat_line,
        threat_dots=dots,
        actual_line=_path(actual),
        recommended_line=_path(recommended),
        recommended_dots=rec_dots,
        x_ticks=x_ticks,
        threat_ticks=threat_ticks,
        level_ticks=level_ticks,
        summary=summary,
        empty=not series and not in_window,
    )


# --- Capacity against load ------------------------------------------------------------------


@dataclass(slots=True)
class CapacityChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    level_name: str
    load: float
    load_y: str
    load_text: str
    cumulative: str  # seats carried by day t, starting now
    remaining: str  # seats still to be had when starting on day s
    lrm_x: str | None  # latest responsible moment, when ahead
    lrm_label: str
    clearance_x: str | None
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    closes: list[Tick] = field(default_factory=list)  # route closures on the x axis
    lrm_left: bool = False  # the moment's label is written left of its line (near the end)
    summary: str = ""
    empty: bool = False

    @property
    def y_title_y(self) -> float:
        """The y axis's title (turned a quarter) is centred on the plot's height."""
        return round((self.top + self.bottom) / 2, 1)


def capacity_chart(*, exp: Mapping[str, Any], rank: int | None, level_name: str) -> CapacityChart:
    """For one level: the seats its usable routes carry from now on (rising), the seats
    still to be had if departures start on day s (falling), the load to move, and the
    latest responsible moment: the day the falling curve meets the load."""
    width, height = 720, 300
    left, right, top, bottom = 80.0, width - 20.0, 16.0, height - 46.0
    level = next((lv for lv in exp.get("levels", []) if lv["rank"] == rank), None)
    if level is None:
        return CapacityChart(
            width,
            height,
            left,
            right,
            top,
            bottom,
            level_name,
            0,
            _fmt(bottom),
            "",
            "",
            "",
            None,
            "",
            None,
            [],
            [],
            empty=True,
        )
    keys = set(level.get("usable_routes", []))
    flows: list[tuple[float, float, float]] = []  # (seats a day, lead, horizon) per route
    for r in exp.get("routes", []):
        rate = r.get("effective_seats_per_day") or 0
        if r["key"] in keys and rate > 0:
            horizon = r.get("horizon_days")
            flows.append(
                (rate, r.get("lead_time_days", 0), math.inf if horizon is None else horizon)
            )
    load = level.get("load", 0) or 0
    margin = level.get("margin_days")
    clearance = level.get("clearance_days")
    finite = [h for _r, _l, h in flows if not math.isinf(h)]
    horizon_end = max(finite, default=0.0)
    end = max(horizon_end, clearance or 0.0, margin or 0.0, 7.0) * 1.15
    end = max(7.0, min(end, 180.0))

    def carried(t: float) -> float:
        return sum(rate * max(0.0, min(t, h) - lead) for rate, lead, h in flows)

    def still(s: float) -> float:
        return sum(rate * max(0.0, min(h, end) - lead - s) for rate, lead, h in flows)

    breaks = sorted(
        {0.0, end, *(lead for _r, lead, _h in flows), *(min(h, end) for *_x, h in flows)}
    )
    breaks = [b for b in breaks if 0 <= b <= end]
    still_breaks = sorted({0.0, end, *(max(0.0, min(h, end) - lead) for _r, lead, h in flows)})
    still_breaks = [b for b in still_breaks if 0 <= b <= end]
    top_value = max(load, carried(end), still(0.0), 1.0) * 1.1
    y_step = nice_step(top_value, 5)
    top_value = math.ceil(top_value / y_step) * y_step

    def x(t: float) -> float:
        return left + (right - left) * t / end

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / top_value

    cumulative = _path([(x(t), y(carried(t))) for t in breaks])
    # With a route that never closes there is no latest moment: the falling curve is moot.
    never = any(math.isinf(h) for _r, _l, h in flows)
    remaining = "" if never else _path([(x(s), y(still(s))) for s in still_breaks])
    lrm_x = _fmt(x(margin)) if margin is not None and 0 <= margin <= end else None
    if margin is None:
        lrm_label = _("no latest responsible moment: %(why)s") % {
            "why": numbers.deadline_text(level.get("deadline", ""))
        }
    elif margin < 0:
        lrm_label = _("latest responsible moment passed %(days)s ago") % {
            "days": numbers.days(-margin)
        }
    else:
        lrm_label = _("latest responsible moment in %(days)s") % {"days": numbers.days(margin)}
    x_step = nice_step(end, 8)
    x_ticks = []
    t = 0.0
    while t <= end + 1e-9:
        x_ticks.append(Tick(x(t), numbers.number(t, 0 if x_step >= 1 else 1)))
        t += x_step
    y_ticks = []
    v = 0.0
    while v <= top_value + 1e-9:
        y_ticks.append(Tick(y(v), numbers.whole(v)))
        v += y_step
    closes = [Tick(x(h), numbers.days(h)) for h in sorted(set(finite)) if 0 < h <= end]
    summary = _(
        "%(level)s: %(people)s to move; the usable routes carry %(seats)s seats before they "
        "close; %(lrm)s."
    ) % {
        "level": level_name,
        "people": numbers.people(load),
        "seats": numbers.whole(level.get("seats_before_close")),
        "lrm": lrm_label,
    }
    return CapacityChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        level_name=level_name,
        load=load,
        load_y=_fmt(y(load)),
        load_text=numbers.people(load),
        cumulative=cumulative,
        remaining=remaining,
        lrm_x=lrm_x,
        lrm_label=lrm_label,
        clearance_x=_fmt(x(clearance)) if clearance is not None and 0 < clearance <= end else None,
        lrm_left=lrm_x is not None
        and x(margin or 0) + 4 + label_width([_("latest responsible moment")]) > right,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        closes=closes,
        summary=summary,
        empty=not flows and load <= 0,
    )
