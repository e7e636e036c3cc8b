"""The small summary stored beside an assessment's explanation: what the overview and the
daily brief read for every post, so that they never load the explanation itself (tens of
kilobytes with its indicator table).

It is derived from the explanation once, when the assessment is stored, and never edited
(an assessment is immutable). Migration assessments/0007 wrote it for older assessments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The summary's version, raised when it gains something readers use.
SUMMARY_FORMAT = 1


def summary_of(explanation: Mapping[str, Any]) -> dict[str, Any]:
    """{"format", "trend": the daily threat index of the trend window, oldest first;
    "margin_rank": whose margin the headline margin is; "reasons": [kind, level, code] of
    each reason for the recommendation, highest level first}."""
    points = (explanation.get("trend") or {}).get("points") or ()
    return {
        "format": SUMMARY_FORMAT,
        "trend": [p["threat_index"] for p in points if p.get("threat_index") is not None],
        "margin_rank": explanation.get("next_level_margin_rank"),
        "reasons": [
            [r.get("kind"), r.get("level"), r.get("detail_code")]
            for r in explanation.get("reasons") or ()
        ],
    }
