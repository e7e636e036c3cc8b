"""Writes made from the dashboards that have no home in another app's services yet."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from readiness.posts.models import ActionItem


def action_item_tick(*, item: ActionItem, ready: bool, user: AbstractBaseUser | None) -> ActionItem:
    """Mark a checklist line pre-positioned (who and when) or clear it. Its history keeps
    every tick and untick."""
    if ready:
        if item.ready_at is None:
            item.ready_at = timezone.now()
            item.ready_by = user if user is not None and user.is_authenticated else None
    else:
        item.ready_at = None
        item.ready_by = None
    item.full_clean()
    item.save(update_fields=["ready_at", "ready_by"])
    return item
