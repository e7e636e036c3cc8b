"""The replay as a picture: threat index, recommended vs actual level, and the margin.

Plain SVG written by hand (no plotting library): three panels on one time axis, a verdict
strip, and a dashed marker for each recorded decision. Pure Python; open the file in any
browser, or convert it (``rsvg-convert``, ``chromium --headless --screenshot``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

from readiness.engine.vocabulary import LevelSpec

from .replay import Replay, ReplayDay

WIDTH = 1200
LEFT = 190  # room for the level names
RIGHT = 40
TOP = 100
PANEL_GAP = 46
THREAT_H = 190
LEVEL_H = 210
STRIP_H = 14
MARGIN_H = 190
BOTTOM = 96

# Margins outside this range are drawn at its edge (an arrow says they go further).
MARGIN_MIN = -30.0
MARGIN_MAX = 90.0

INK = "#222222"
GRID = "#d9d9d9"
MUTED = "#6b6b6b"
THREAT = "#1f5aa6"
ACTUAL = "#222222"
RECOMMENDED = "#d9480f"
MARGIN = "#6741d9"
DECISION = "#2b8a3e"
VERDICT_COLOURS = {
    "late": "#c92a2a",
    "act_now": "#f08c00",
    "watch": "#fcc419",
    "on_time": "#69db7c",
    "too_early": "#74c0fc",
}
VERDICT_WORDS = {
    "late": "late",
    "act_now": "act now",
    "watch": "watch",
    "on_time": "on time",
    "too_early": "too early",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class _Axis:
    """Maps days to x: day i of the replay is drawn at the middle of its column."""

    first: date
    days: int
    left: float
    right: float

    def x(self, when: date) -> float:
        step = (self.right - self.left) / max(self.days, 1)
        return self.left + step * ((when - self.first).days + 0.5)

    def edge(self, when: date) -> float:
        """The left edge of a day's column (for step lines and the verdict strip)."""
        step = (self.right - self.left) / max(self.days, 1)
        return self.left + step * (when - self.first).days


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _text(x: float, y: float, body: str, **attrs: str | float) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}"{extra}>{escape(body)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, **attrs: str | float) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}"{extra}/>'


def _polyline(points: Sequence[tuple[float, float]], **attrs: str | float) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    return f'<polyline fill="none" points="{coords}"{extra}/>'


def _ticks(first: date, last: date) -> list[date]:
    """First of each month for long replays, every seventh day for short ones."""
    span = (last - first).days
    if span > 70:
        ticks = []
        month = date(first.year, first.month, 1)
        while month <= last:
            if month >= first:
                ticks.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return ticks
    return [first + timedelta(days=n) for n in range(0, span + 1, 7)]


def _tick_label(when: date, long_span: bool) -> str:
    if long_span:
        return (
            f"{MONTHS[when.month - 1]} {when.year}" if when.month == 1 else MONTHS[when.month - 1]
        )
    return f"{when.day} {MONTHS[when.month - 1]}"


def replay_svg(result: Replay) -> str:
    """The whole figure as an SVG document."""
    days = result.days
    scenario = result.scenario
    ladder = sorted(scenario.ladder, key=lambda lv: lv.rank)
    top_rank = ladder[-1].rank
    first, last = days[0].date, days[-1].date
    axis = _Axis(first, len(days), LEFT, WIDTH - RIGHT)
    long_span = (last - first).days > 70

    threat_top = TOP
    level_top = threat_top + THREAT_H + PANEL_GAP
    strip_top = level_top + LEVEL_H + 10
    margin_top = strip_top + STRIP_H + PANEL_GAP
    height = margin_top + MARGIN_H + BOTTOM
    bottom = margin_top + MARGIN_H

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="12" fill="{INK}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(LEFT, 28, f"Replay: {scenario.title}", font_size=18, font_weight="bold"),
        _text(
            LEFT,
            50,
            f"{scenario.post.name} ({scenario.post.code}), {first.isoformat()} to "
            f"{last.isoformat()}: the engine run at the end of each day "
            f"({scenario.post.timezone}) on what was known by then",
            fill=MUTED,
        ),
    ]

    # Month (or week) grid across all panels, labelled under the last one.
    for tick in _ticks(first, last):
        x = axis.edge(tick)
        out.append(_line(x, threat_top, x, bottom, stroke=GRID))
        out.append(_text(x, bottom + 18, _tick_label(tick, long_span), text_anchor="middle"))
    out.append(_text((LEFT + WIDTH - RIGHT) / 2, bottom + 40, "Date", text_anchor="middle"))

    out += _threat_panel(days, axis, threat_top)
    out += _level_panel(days, axis, level_top, ladder, top_rank)
    out += _verdict_strip(days, axis, strip_top)
    out += _margin_panel(result, axis, margin_top)
    out += _decisions(result, axis, threat_top, bottom)
    out += _legend(height - 30)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _frame(top: float, height: float, title: str, y_label: str) -> list[str]:
    return [
        f'<rect x="{LEFT}" y="{top}" width="{WIDTH - RIGHT - LEFT}" height="{height}" '
        f'fill="none" stroke="{MUTED}"/>',
        _text(LEFT, top - 8, title, font_weight="bold", font_size=13),
        _text(
            22,
            top + height / 2,
            y_label,
            transform=f"rotate(-90 22 {_fmt(top + height / 2)})",
            text_anchor="middle",
            fill=MUTED,
        ),
    ]


def _threat_panel(days: Sequence[ReplayDay], axis: _Axis, top: float) -> list[str]:
    def y(t: float) -> float:
        return top + THREAT_H * (1 - t / 100)

    out = _frame(top, THREAT_H, "Threat index", "Threat index (0-100)")
    for t in (0, 20, 40, 60, 80, 100):
        out.append(_line(LEFT, y(t), WIDTH - RIGHT, y(t), stroke=GRID))
        out.append(_text(LEFT - 8, y(t) + 4, str(t), text_anchor="end"))
    points = [(axis.x(d.date), y(d.threat_index)) for d in days]
    out.append(_polyline(points, stroke=THREAT, stroke_width=2))
    return out


def _level_panel(
    days: Sequence[ReplayDay], axis: _Axis, top: float, ladder: Sequence[LevelSpec], top_rank: int
) -> list[str]:
    def y(rank: float) -> float:
        return top + LEVEL_H * (1 - (rank + 0.5) / (top_rank + 1))

    out = _frame(top, LEVEL_H, "Alert level: recommended by the engine vs actual", "")
    for level in ladder:
        out.append(_line(LEFT, y(level.rank), WIDTH - RIGHT, y(level.rank), stroke=GRID))
        out.append(
            _text(LEFT - 8, y(level.rank) + 4, f"{level.rank} {level.name}", text_anchor="end")
        )

    def steps(values: Sequence[int], offset: float) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for d, v in zip(days, values, strict=True):
            x0 = axis.edge(d.date)
            x1 = axis.edge(d.date + timedelta(days=1))
            points += [(x0, y(v) + offset), (x1, y(v) + offset)]
        return points

    out.append(_polyline(steps([d.current_level for d in days], 2), stroke=ACTUAL, stroke_width=3))
    out.append(
        _polyline(
            steps([d.recommended_level for d in days], -2),
            stroke=RECOMMENDED,
            stroke_width=2.5,
            stroke_dasharray="7 3",
        )
    )
    return out


def _verdict_strip(days: Sequence[ReplayDay], axis: _Axis, top: float) -> list[str]:
    out = [_text(LEFT - 8, top + STRIP_H - 3, "Verdict", text_anchor="end", fill=MUTED)]
    for d in days:
        x0 = axis.edge(d.date)
        x1 = axis.edge(d.date + timedelta(days=1))
        colour = VERDICT_COLOURS.get(d.verdict, GRID)
        out.append(
            f'<rect x="{_fmt(x0)}" y="{top}" width="{_fmt(x1 - x0 + 1)}" '
            f'height="{STRIP_H}" fill="{colour}"><title>{d.date.isoformat()}: '
            f"{escape(VERDICT_WORDS.get(d.verdict, d.verdict))}</title></rect>"
        )
    return out


def _margin_panel(result: Replay, axis: _Axis, top: float) -> list[str]:
    days = result.days
    span = MARGIN_MAX - MARGIN_MIN

    def y(m: float) -> float:
        m = min(MARGIN_MAX, max(MARGIN_MIN, m))
        return top + MARGIN_H * (MARGIN_MAX - m) / span

    out = _frame(
        top,
        MARGIN_H,
        "Margin to the next level's deadline (days; blank: no deadline ahead)",
        "Margin (days)",
    )
    p = result.params
    for grid in range(int(MARGIN_MIN), int(MARGIN_MAX) + 1, 30):
        out.append(_line(LEFT, y(grid), WIDTH - RIGHT, y(grid), stroke=GRID))
        out.append(_text(LEFT - 8, y(grid) + 4, str(grid), text_anchor="end"))
    out.append(_line(LEFT, y(0), WIDTH - RIGHT, y(0), stroke=INK, stroke_width=1.2))
    for value, label in (
        (p.safety_buffer_days, f"safety buffer {p.safety_buffer_days:g} d"),
        (p.watch_window_days, f"watch window {p.watch_window_days:g} d"),
    ):
        out.append(
            _line(LEFT, y(value), WIDTH - RIGHT, y(value), stroke=MUTED, stroke_dasharray="4 4")
        )
        out.append(_text(WIDTH - RIGHT - 4, y(value) - 4, label, text_anchor="end", fill=MUTED))
    out.append(
        _text(
            LEFT + 6,
            top + MARGIN_H - 6,
            f"beyond {MARGIN_MIN:g} or {MARGIN_MAX:g} days: drawn at the edge",
            fill=MUTED,
        )
    )

    # One polyline per run of days with a finite margin; "no means left" as a cross.
    run: list[tuple[float, float]] = []
    runs: list[list[tuple[float, float]]] = []
    crosses: list[float] = []
    for d in days:
        m = d.next_level_margin_days
        if m is None or math.isinf(m):
            if run:
                runs.append(run)
                run = []
            if m is not None:
                crosses.append(axis.x(d.date))
            continue
        run.append((axis.x(d.date), y(m)))
    if run:
        runs.append(run)
    for points in runs:
        if len(points) == 1:
            x, yy = points[0]
            out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(yy)}" r="2.5" fill="{MARGIN}"/>')
        else:
            out.append(_polyline(points, stroke=MARGIN, stroke_width=2))
    for x in crosses:
        yy = top + MARGIN_H - 12
        out.append(_line(x - 4, yy - 4, x + 4, yy + 4, stroke=VERDICT_COLOURS["late"]))
        out.append(_line(x - 4, yy + 4, x + 4, yy - 4, stroke=VERDICT_COLOURS["late"]))
    if crosses:
        out.append(
            _text(
                WIDTH - RIGHT - 4,
                top + MARGIN_H - 20,
                "x: no means left",
                text_anchor="end",
                fill=VERDICT_COLOURS["late"],
            )
        )
    return out


def _decisions(result: Replay, axis: _Axis, top: float, bottom: float) -> list[str]:
    out = []
    for n, outcome in enumerate(result.decisions):
        x = axis.x(outcome.date)
        out.append(
            _line(x, top - 20, x, bottom, stroke=DECISION, stroke_width=1.5, stroke_dasharray="5 4")
        )
        label = (
            f"decision: level {outcome.level}, {outcome.date.day} {MONTHS[outcome.date.month - 1]}"
        )
        # Above the first panel, staggered so that two close decisions do not overlap.
        out.append(_text(x + 4, top - 8 - 14 * (n % 2), label, fill=DECISION, font_weight="bold"))
    return out


def _legend(y: float) -> list[str]:
    out = []
    x: float = LEFT
    items = [
        ("line", THREAT, "threat index", ""),
        ("line", ACTUAL, "actual level (the file's decisions)", ""),
        ("line", RECOMMENDED, "recommended level", "7 3"),
        ("line", MARGIN, "margin", ""),
        ("line", DECISION, "decision", "5 4"),
    ]
    for _kind, colour, label, dash in items:
        attrs: dict[str, str | float] = {"stroke": colour, "stroke_width": 3}
        if dash:
            attrs["stroke_dasharray"] = dash
        out.append(_line(x, y - 4, x + 22, y - 4, **attrs))
        out.append(_text(x + 28, y, label))
        x += 40 + 6.6 * len(label)
    y += 20
    x = LEFT
    out.append(_text(x, y, "Verdict:", fill=MUTED))
    x += 60
    for verdict, colour in VERDICT_COLOURS.items():
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y - 10)}" width="14" height="12" fill="{colour}"/>'
        )
        out.append(_text(x + 20, y, VERDICT_WORDS[verdict]))
        x += 36 + 6.6 * len(VERDICT_WORDS[verdict])
    return out
