"""Properties of the readiness engine on random posts (hypothesis): the threat index is
monotone in severity and falls with age; what the verdict sentence states is what the
tables hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.engine import DEFAULT_PARAMS, assess
from readiness.engine.routes import DEADLINE
from readiness.engine.threat import evaluate_threat
from readiness.wording import numbers

from ..saying import sentence
from .builders import NOW, inputs
from .strategies import indicators, unique
from .test_engine import any_inputs

FAST = settings(max_examples=60, deadline=None)

raising = st.lists(indicators(known=True).filter(lambda i: not i.de_escalation), max_size=12).map(
    unique
)


@FAST
@given(raising, st.data())
def test_threat_index_is_monotone_in_severity(items: list, data: st.DataObject) -> None:
    if not items:
        return
    k = data.draw(st.integers(0, len(items) - 1))
    if items[k].severity == 5:
        return
    bumped = [*items[:k], replace(items[k], severity=items[k].severity + 1), *items[k + 1 :]]
    before = evaluate_threat(items, NOW, DEFAULT_PARAMS)
    after = evaluate_threat(bumped, NOW, DEFAULT_PARAMS)
    assert after.total_weight >= before.total_weight - 1e-9


@FAST
@given(raising, st.floats(0.5, 40))
def test_threat_index_falls_with_age(items: list, days: float) -> None:
    """The same reports, all observed (and known) `days` earlier, never weigh more."""
    shift = timedelta(days=days)
    older = [
        replace(
            i,
            observed_at=i.observed_at - shift,
            recorded_at=None if i.recorded_at is None else i.recorded_at - shift,
            ended_at=None if i.ended_at is None else i.ended_at - shift,
            expires_at=None if i.expires_at is None else i.expires_at - shift,
        )
        for i in items
    ]
    before = evaluate_threat(items, NOW, DEFAULT_PARAMS)
    after = evaluate_threat(older, NOW, DEFAULT_PARAMS)
    assert after.total_weight <= before.total_weight + 1e-9


@FAST
@given(any_inputs())
def test_the_sentence_states_the_figures_of_the_tables(kwargs: dict[str, object]) -> None:
    a = assess(inputs(**kwargs))  # type: ignore[arg-type]
    text = sentence(a)
    rec = a.levels[a.recommended_level]
    if a.verdict == "act_now" and rec.deadline == DEADLINE and rec.margin_days is not None:
        assert f"due within {numbers.days(rec.margin_days)}" in text
        assert numbers.people(rec.load) in text
    late = a.verdict == "late" and a.recommended_level > a.current_level
    if late and rec.margin_days is not None and rec.margin_days != float("-inf"):
        assert f"was due {numbers.days(-rec.margin_days)} ago" in text
