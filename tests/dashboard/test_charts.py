"""Chart geometry: labelled axes, the latest responsible moment where the falling curve
meets the load, the actual level from the decision log."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from readiness.dashboard import charts

NOW = dt.datetime(2025, 11, 19, 12, tzinfo=dt.UTC)


def exp(margin, *, horizon=10.0, load=400.0):  # type: ignore[no-untyped-def]
    return {
        "levels": [
            {
                "rank": 3,
                "load": load,
                "margin_days": margin,
                "clearance_days": 5.0,
                "deadline": "deadline",
                "usable_routes": ["air"],
                "seats_before_close": 800.0,
            }
        ],
        "routes": [
            {
                "key": "air",
                "effective_seats_per_day": 80.0,
                "lead_time_days": 0.0,
                "horizon_days": horizon,
            }
        ],
    }


def test_the_lrm_is_marked_where_it_falls():  # type: ignore[no-untyped-def]
    # 80 seats/day until day 10: 400 people must start by day 5.
    chart = charts.capacity_chart(exp=exp(5.0), rank=3, level_name="3 · Citizens")
    assert chart.lrm_x is not None
    first, last = chart.x_ticks[0], chart.x_ticks[-1]
    per_day = (float(last.pos) - float(first.pos)) / float(last.label)
    days_at_lrm = (float(chart.lrm_x) - float(first.pos)) / per_day
    assert 4.5 < days_at_lrm < 5.5
    assert chart.remaining and chart.cumulative
    assert chart.y_ticks[0].label == "0"


def test_a_passed_lrm_is_said_in_words():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        chart = charts.capacity_chart(exp=exp(-3.0), rank=3, level_name="3")
    assert chart.lrm_x is None and "passed 3 days ago" in chart.lrm_label


def test_a_route_that_never_closes_has_no_falling_curve():  # type: ignore[no-untyped-def]
    chart = charts.capacity_chart(exp=exp(None, horizon=None), rank=3, level_name="3")
    assert chart.remaining == "" and chart.lrm_x is None


def test_the_actual_level_steps_at_each_decision():  # type: ignore[no-untyped-def]
    decisions = [
        SimpleNamespace(decided_at=NOW - dt.timedelta(days=12), from_level=2, to_level=3),
        SimpleNamespace(decided_at=NOW - dt.timedelta(days=2), from_level=3, to_level=4),
    ]
    history = [(NOW - dt.timedelta(days=1), 70.0, 3, 4, "late"), (NOW, 75.0, 4, 4, "watch")]
    points = [
        {"at": (NOW - dt.timedelta(days=d)).isoformat(), "threat_index": 60 + d}
        for d in range(14, -1, -1)
    ]
    chart = charts.history_chart(
        now=NOW,
        days=30,
        trend_points=points,
        history=history,
        decisions=decisions,
        current_level=4,
        level_names={r: f"L{r}" for r in range(7)},
        tz=dt.UTC,
    )
    ys = {float(p.split(",")[1]) for p in chart.actual_line.split()}
    assert len(ys) == 3  # levels 2, 3 and 4
    assert chart.threat_line and len(chart.threat_dots) == 2
    assert [t.label for t in chart.level_ticks][:2] == ["0 L0", "1 L1"]
    assert chart.x_ticks and not chart.empty


def test_a_sparkline_names_its_figures():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        line = charts.sparkline([30.0, 35.5, 41.2])
        assert line is not None
        svg = render_to_string("dashboard/charts/sparkline.html", {"s": line})
    assert (
        'role="img"' in svg
        and 'aria-label="Threat index over the last 2 days, from 30 to 41.2"' in svg
    )
    assert len(line.points.split()) == 3 and (line.last_x, line.last_y) == ("96.0", "6.4")
    assert charts.sparkline([50.0]) is None
