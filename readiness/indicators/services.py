"""Writes on indicators. Every write ends by asking for a re-score of the post."""

from __future__ import annotations

from .models import Indicator


def indicator_saved(*, indicator: Indicator) -> None:
    """Hook after an indicator is created or changed: re-score its post after commit."""
    from readiness.assessments.services import post_rescore_enqueue

    post_rescore_enqueue(post_id=indicator.post_id)
