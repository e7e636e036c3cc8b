"""What the re-scoring tells other apps, without knowing them (notifications listens).

Both are sent inside the transaction that records the fact; a receiver that queues work
does it with ``transaction.on_commit``. Receivers must not raise: the re-score's own work
comes first. Neither signal is the only path: the rows they announce
(``RecommendationChange.processed_at IS NULL``, ``Post.rescore_error``) are swept too.
"""

from __future__ import annotations

from django.dispatch import Signal

# Recommendation changes were stored; kwargs: change_ids (list[int]).
recommendation_changed = Signal()
# A post's re-scoring failed and was recorded on the post; kwargs: post_id (int).
rescore_failed = Signal()
