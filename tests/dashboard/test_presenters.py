"""From the stored explanation to words: the gauge sentence in English is the engine's own,
in French it is said again from the same figures, for every verdict."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from readiness.dashboard import presenters

ROUTES = [
    {
        "key": "air",
        "name": "Commercial air: Airport → Paris",
        "mode": "commercial_air",
        "status": "open",
        "effective_seats_per_day": 80.0,
        "lead_time_days": 0.0,
        "horizon_days": 9.0,
        "usable_from": 0,
    },
    {
        "key": "mil",
        "name": "Military air: Airport → France",
        "mode": "military_air",
        "status": "unknown",
        "effective_seats_per_day": 50.0,
        "lead_time_days": 3.0,
        "horizon_days": None,
        "usable_from": 2,
    },
]


def level(rank, *, load=0.0, margin=None, deadline="nobody", clearance=0.0):  # type: ignore[no-untyped-def]
    return {
        "rank": rank,
        "name": ["Normal", "Heightened vigilance", "Evacuation"][rank],
        "load": load,
        "margin_days": margin,
        "deadline": deadline,
        "clearance_days": clearance,
        "usable_routes": ["air"] if rank < 2 else ["air", "mil"],
        "seats_before_close": 720.0,
    }


def explanation(verdict, current, recommended, tight, levels):  # type: ignore[no-untyped-def]
    return {
        "verdict": verdict,
        "verdict_text": f"The engine says {verdict}.",
        "current_level": current,
        "recommended_level": recommended,
        "next_level_margin_rank": tight,
        "levels": levels,
        "routes": ROUTES,
        "params": {"watch_window_days": 14.0},
    }


CASES = {
    "late": explanation(
        "late",
        0,
        1,
        1,
        [level(0), level(1, load=900, margin=-3, deadline="deadline", clearance=None), level(2)],
    ),
    "late_no_means": explanation(
        "late",
        0,
        1,
        1,
        [level(0), level(1, load=900, deadline="no_means", clearance=None), level(2)],
    ),
    "act_now": explanation(
        "act_now",
        0,
        1,
        1,
        [level(0), level(1, load=400, margin=4, deadline="deadline", clearance=5), level(2)],
    ),
    "act_now_no_deadline": explanation("act_now", 0, 1, None, [level(0), level(1), level(2)]),
    "watch": explanation(
        "watch",
        1,
        1,
        2,
        [level(0), level(1), level(2, load=900, margin=6, deadline="deadline", clearance=8)],
    ),
    "on_time": explanation(
        "on_time",
        1,
        1,
        2,
        [level(0), level(1), level(2, load=900, margin=40, deadline="deadline", clearance=8)],
    ),
    "on_time_nothing_ahead": explanation("on_time", 1, 1, None, [level(0), level(1), level(2)]),
    "too_early": explanation("too_early", 2, 0, None, [level(0), level(1), level(2)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_english_is_the_engines_sentence(case):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        assert presenters.gauge_sentence(CASES[case]) == CASES[case]["verdict_text"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_french_says_it_again_from_the_figures(case):  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        text = presenters.gauge_sentence(CASES[case])
    assert text and text != CASES[case]["verdict_text"]
    assert "%(" not in text and not re.search(r"\b(days?|seats)\b", text), text
    assert text.startswith("Le niveau « "), text


def test_french_names_the_figures():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        late = presenters.gauge_sentence(CASES["late"])
        due = presenters.gauge_sentence(CASES["act_now"])
    assert "Vigilance renforcée" in late and "3 jours" in late and "900 personnes" in late
    assert "d'ici 4 jours" in due and "en 5 jours" in due and "9 jours" in due


def test_an_explanation_from_an_older_engine_falls_back_to_its_own_words():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        assert presenters.gauge_sentence({"verdict_text": "Old words"}) == "Old words"


def test_margins_in_words():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        assert presenters.margin_text(6.2) == "6.2 days left"
        assert presenters.margin_text(-28.2) == "28 days overdue"
        assert presenters.margin_text(None) == "no deadline"
        assert presenters.margin_text(float("-inf")) == "no means left"
        assert presenters.margin_text(None, "no_means") == "no means left"


def test_the_focus_of_the_capacity_chart():  # type: ignore[no-untyped-def]
    assert presenters.focus_rank(CASES["late"]) == 1
    assert presenters.focus_rank(CASES["watch"]) == 2


def test_the_gauge_badge_has_words_and_a_mark():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        badge = presenters.gauge_badge("act_now")
    assert "gauge-act_now" in badge and "Act now" in badge and 'aria-hidden="true"' in badge
