"""The gauge: the verdict as a badge (colour, mark and word) and the page's gauge block
(verdict, levels, headline figures and the sentence), from a stored assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from readiness.wording.numbers import margin_text, verdict_word
from readiness.wording.verdict import verdict as verdict_sentence
from readiness.wording.vocabulary import VERDICT_HINTS, VERDICT_MARKS, shipped


def gauge_badge(verdict: str) -> SafeString:
    """The gauge as a badge: colour, mark and word (never colour alone)."""
    language = translation.get_language() or "en"
    badge = _BADGES.get((language, verdict))
    if badge is None:
        badge = format_html(
            '<span class="gauge gauge-{}"><span aria-hidden="true">{}</span> {}</span>',
            verdict,
            VERDICT_MARKS.get(verdict, ""),
            verdict_word(verdict),
        )
        _BADGES[(language, verdict)] = badge
    return badge


_BADGES: dict[tuple[str, str], SafeString] = {}


@dataclass(slots=True)
class Gauge:
    verdict: str
    word: str
    mark: str
    hint: str
    sentence: str
    current_name: str
    recommended_name: str
    current_level: int
    recommended_level: int
    threat_index: float
    trend_per_day: float
    margin: str
    margin_level: str
    preparedness: float
    evaluated_at: dt.datetime


def gauge(
    *,
    assessment: Any,
    level_names: Mapping[int, str],
    route_names: Mapping[str, str],
) -> Gauge:
    exp = assessment.explanation
    rank = exp.get("next_level_margin_rank")
    level = next((lv for lv in exp.get("levels", []) if lv["rank"] == rank), None)
    return Gauge(
        verdict=assessment.verdict,
        word=verdict_word(assessment.verdict),
        mark=VERDICT_MARKS.get(assessment.verdict, ""),
        hint=str(VERDICT_HINTS.get(assessment.verdict, "")),
        sentence=verdict_sentence(exp, route_names=route_names, level_names=level_names),
        current_name=shipped(level_names.get(assessment.current_level, "")),
        recommended_name=shipped(level_names.get(assessment.recommended_level, "")),
        current_level=assessment.current_level,
        recommended_level=assessment.recommended_level,
        threat_index=assessment.threat_index,
        trend_per_day=assessment.trend_per_day,
        margin=margin_text(
            assessment.next_level_margin_days, level.get("deadline") if level else None
        ),
        margin_level=shipped(level_names.get(rank, "")) if rank is not None else "",
        preparedness=assessment.preparedness,
        evaluated_at=assessment.evaluated_at,
    )
