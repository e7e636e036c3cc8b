"""The verdict sentence (readiness.wording.verdict), said from a stored explanation's
figures for every verdict: in English, in French, and for an older engine's explanation."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from readiness.dashboard import explanation as explained
from readiness.dashboard import gauge
from readiness.wording import numbers
from readiness.wording.verdict import verdict

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


ENGLISH = {
    "act_now": "Heightened vigilance is due within 4 days: seats on commercial air clear the remaining 400 people in 5 days, and Commercial air: Airport → Paris is expected to close in 9 days.",
    "act_now_no_deadline": "Heightened vigilance is recommended now; nobody new has to leave at it, so there is no deadline.",
    "late": "Heightened vigilance is late: it was due 3 days ago; seats on commercial air can carry only 720 of the remaining 900 people before Commercial air: Airport → Paris is expected to close in 9 days. Means left: Commercial air: Airport → Paris (80 seats/day, until it closes in 9 days); Military air: Airport → France (50 seats/day, after 3 days' notice, from level 2, Evacuation).",
    "late_no_means": "Heightened vigilance is late: no route usable at this level has seats left for the remaining 900 people. Means left: Commercial air: Airport → Paris (80 seats/day, until it closes in 9 days); Military air: Airport → France (50 seats/day, after 3 days' notice, from level 2, Evacuation).",
    "on_time": "Heightened vigilance matches the situation; the nearest deadline ahead, for Evacuation, is 40 days away.",
    "on_time_nothing_ahead": "Heightened vigilance matches the situation; no deadline lies ahead.",
    "too_early": "Evacuation is above what the situation calls for (Normal); no deadline falls within the watch window of 14 days.",
    "watch": "Heightened vigilance is right for now, but Evacuation is due within 6 days: seats on commercial air and military air clear the remaining 900 people in 8 days, and Commercial air: Airport → Paris is expected to close in 9 days.",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_in_english(case):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        assert verdict(CASES[case]) == ENGLISH[case]


@pytest.mark.parametrize("case", sorted(CASES))
def test_french_says_it_again_from_the_figures(case):  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        text = verdict(CASES[case])
    assert text and text != ENGLISH[case]
    assert "%(" not in text and not re.search(r"\b(days?|seats)\b", text), text
    assert text.startswith("Le niveau « "), text


def test_french_names_the_figures():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        late = verdict(CASES["late"])
        due = verdict(CASES["act_now"])
    assert "Vigilance renforcée" in late and "3 jours" in late and "900 personnes" in late
    assert "d'ici 4 jours" in due and "en 5 jours" in due and "9 jours" in due


def test_an_explanation_from_an_older_engine_falls_back_to_its_own_words():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        assert verdict({"verdict_text": "Old words"}) == "Old words"


def test_margins_in_words():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        assert numbers.margin_text(6.2) == "6.2 days left"
        assert numbers.margin_text(-28.2) == "28 days overdue"
        assert numbers.margin_text(None) == "no deadline"
        assert numbers.margin_text(float("-inf")) == "no means left"
        assert numbers.margin_text(None, "no_means") == "no means left"


def test_the_focus_of_the_capacity_chart():  # type: ignore[no-untyped-def]
    assert explained.focus_rank(CASES["late"]) == 1
    assert explained.focus_rank(CASES["watch"]) == 2


def test_the_gauge_badge_has_words_and_a_mark():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        badge = gauge.gauge_badge("act_now")
    assert "gauge-act_now" in badge and "Act now" in badge and 'aria-hidden="true"' in badge
