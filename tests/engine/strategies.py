"""Hypothesis strategies for engine inputs around the fixed clock."""

from __future__ import annotations

from hypothesis import strategies as st

from readiness.engine import IndicatorIn, Population, RouteIn
from readiness.engine.vocabulary import Category, Reliability, RouteMode, RouteStatus

from .builders import ago


@st.composite
def indicators(draw: st.DrawFn, known: bool = False, settled: bool = False) -> IndicatorIn:
    """known: observed and recorded before NOW; settled: every ongoing one has ended."""
    n = draw(st.integers(0, 10_000))
    age = draw(st.floats(0 if known else -5, 60))
    ongoing = draw(st.booleans())
    ended = None
    if ongoing and (settled or draw(st.booleans())):
        ended = ago(draw(st.floats(0, max(age, 0.0))) if settled else draw(st.floats(-5, 60)))
    expires = draw(st.none() | st.floats(-10, 90).map(ago))
    recorded = draw(st.none() | st.floats(0 if known else -3, 60).map(ago))
    return IndicatorIn(
        id=f"i{n}",
        category=draw(st.sampled_from(list(Category))),
        severity=draw(st.integers(1, 5)),
        reliability=draw(st.sampled_from(list(Reliability))),
        credibility=draw(st.integers(1, 6)),
        observed_at=ago(age),
        expires_at=expires,
        ongoing=ongoing,
        ended_at=ended,
        recorded_at=recorded,
        # A few reports of shared events and a few de-escalations, as officers log them.
        event=draw(st.sampled_from(["", "", "", "e1", "e2"])),
        de_escalation=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
    )


def unique(items: list[IndicatorIn]) -> list[IndicatorIn]:
    return list({i.id: i for i in items}.values())


@st.composite
def routes(draw: st.DrawFn, statuses: list[RouteStatus] | None = None) -> RouteIn:
    n = draw(st.integers(0, 10_000))
    return RouteIn(
        key=f"r{n}",
        mode=draw(st.sampled_from(list(RouteMode))),
        status=draw(st.sampled_from(statuses or list(RouteStatus))),
        seats_per_day=draw(st.integers(0, 400)),
        lead_time_hours=draw(st.floats(0, 96)),
        closes_at_threat=draw(st.none() | st.floats(1, 100)),
        usable_from=draw(st.none() | st.integers(0, 6)),
    )


def unique_routes(items: list[RouteIn]) -> list[RouteIn]:
    return list({r.key: r for r in items}.values())


populations = st.builds(
    lambda reg, dual_share, *rest: Population(reg, int(reg * dual_share), *rest),
    st.integers(0, 20_000),
    st.floats(0, 1),
    st.integers(0, 2_000),
    st.integers(0, 50),
    st.integers(0, 80),
    st.integers(0, 80),
    st.integers(0, 100),
)
