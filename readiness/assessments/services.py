"""Scoring posts: load the engine's inputs, run it, store the assessment."""

from __future__ import annotations

from django.db import transaction


def post_rescore_enqueue(*, post_id: int) -> None:
    """Ask for a re-score of a post once the current transaction commits."""
    from .tasks import rescore_post

    transaction.on_commit(lambda: rescore_post.delay(post_id))
