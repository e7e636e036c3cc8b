"""Reads on posts and their ladders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from readiness.engine.vocabulary import LevelSpec, TriggerSpec

from .models import ActionItem, AlertLevel, Post, Trigger


def _specs(levels: QuerySet[AlertLevel]) -> dict[int | None, tuple[LevelSpec, ...]]:
    """The one place a ladder becomes the engine's LevelSpecs: three queries for the
    ladders of any number of posts (or the template's, under None)."""
    rows = list(levels.order_by("rank"))
    level_ids = [level.pk for level in rows]
    actions: dict[int, list[str]] = defaultdict(list)
    for level_id, text in (
        ActionItem.objects.filter(level_id__in=level_ids)
        .order_by("order", "id")
        .values_list("level_id", "text")
    ):
        actions[level_id].append(text)
    triggers: dict[int, list[TriggerSpec]] = defaultdict(list)
    for trigger in (
        Trigger.objects.filter(level_id__in=level_ids).select_related("route").order_by("id")
    ):
        triggers[trigger.level_id].append(trigger.to_spec())
    ladders: dict[int | None, list[LevelSpec]] = defaultdict(list)
    for level in rows:
        ladders[level.post_id].append(
            LevelSpec(
                rank=level.rank,
                name=level.name,
                leaves=level.leaves,
                quorum=level.quorum,
                actions=tuple(actions[level.pk]),
                triggers=tuple(triggers[level.pk]),
            )
        )
    return {post_id: tuple(specs) for post_id, specs in ladders.items()}


def ladder_specs_of(*, post_ids: Iterable[int]) -> dict[int, tuple[LevelSpec, ...]]:
    """Each post's ladder as the engine reads it (posts without levels are left out)."""
    found = _specs(AlertLevel.objects.filter(post_id__in=list(post_ids)))
    return {post_id: specs for post_id, specs in found.items() if post_id is not None}


def ladder_specs(*, post: Post | None) -> tuple[LevelSpec, ...]:
    """One post's ladder, or the template's (``post=None``)."""
    return _specs(AlertLevel.objects.filter(post=post)).get(post.pk if post else None, ())
