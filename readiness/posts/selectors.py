"""Reads on posts and their ladders."""

from __future__ import annotations

from django.db.models import Prefetch

from readiness.engine.vocabulary import LevelSpec

from .models import ActionItem, AlertLevel, Post, Trigger


def ladder_levels(*, post: Post | None) -> list[AlertLevel]:
    """A post's levels (or the template's) with checklists and triggers, in three queries."""
    return list(
        AlertLevel.objects.filter(post=post)
        .order_by("rank")
        .prefetch_related(
            Prefetch("actions", queryset=ActionItem.objects.order_by("order", "id")),
            Prefetch("triggers", queryset=Trigger.objects.select_related("route").order_by("id")),
        )
    )


def level_spec(level: AlertLevel) -> LevelSpec:
    return LevelSpec(
        rank=level.rank,
        name=level.name,
        leaves=level.leaves,
        quorum=level.quorum,
        actions=tuple(action.text for action in level.actions.all()),
        triggers=tuple(trigger.to_spec() for trigger in level.triggers.all()),
    )


def ladder_specs(*, post: Post | None) -> tuple[LevelSpec, ...]:
    return tuple(level_spec(level) for level in ladder_levels(post=post))
