"""Writes on posts and their ladders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.engine.defaults import DEFAULT_LADDER
from readiness.engine.vocabulary import LevelSpec, TriggerSpec

from . import limits
from .models import ActionItem, AlertLevel, ExitRoute, Post, Trigger


def _trigger_fields(spec: TriggerSpec, routes: dict[str, ExitRoute]) -> dict[str, object]:
    return {
        "name": spec.name or spec.kind.replace("_", " ").capitalize(),
        "kind": spec.kind.value,
        "enabled": spec.enabled,
        "category": spec.category.value if spec.category else "",
        "threshold": spec.threshold,
        "count": spec.count,
        "min_severity": spec.min_severity,
        "within_days": spec.within_days,
        "with_category": spec.with_category.value if spec.with_category else "",
        "with_min_severity": spec.with_min_severity,
        "route": routes[spec.route] if spec.route else None,
        "mode": spec.mode.value if spec.mode else "",
        "below_seats": spec.below_seats,
        "margin_level": spec.margin_level,
        "below_days": spec.below_days,
        "active": spec.active,
        "reason": spec.reason,
    }


@transaction.atomic
def ladder_install(
    *, post: Post | None, levels: Iterable[LevelSpec], routes: dict[str, ExitRoute] | None = None
) -> list[AlertLevel]:
    """Create the ladder rows (levels, checklists, triggers) of a post, or of the template
    when ``post`` is None. The post must not have a ladder yet."""
    created = []
    for spec in levels:
        level = AlertLevel(
            post=post,
            rank=spec.rank,
            name=spec.name,
            quorum=spec.quorum,
            **{field: group in spec.leaves for group, field in AlertLevel.GROUP_FIELDS.items()},
        )
        level.full_clean(validate_constraints=False)
        level.save()
        ActionItem.objects.bulk_create(
            ActionItem(level=level, order=i, text=text) for i, text in enumerate(spec.actions)
        )
        for trigger_spec in spec.triggers:
            trigger = Trigger(level=level, **_trigger_fields(trigger_spec, routes or {}))
            trigger.full_clean()
            trigger.save()
        created.append(level)
    return created


def template_ladder_ensure() -> bool:
    """Install the shipped default ladder as the template, unless a template exists.
    Returns whether it installed one. Idempotent: safe after every migrate or flush."""
    if AlertLevel.objects.filter(post__isnull=True).exists():
        return False
    ladder_install(post=None, levels=DEFAULT_LADDER)
    return True


def template_ladder_specs() -> tuple[LevelSpec, ...]:
    """The template ladder as engine specs (the shipped one until an administrator edits it)."""
    from .selectors import ladder_specs

    template_ladder_ensure()
    return ladder_specs(post=None)


@transaction.atomic
def post_create(
    *,
    code: str,
    name: str,
    country: str,
    city: str,
    timezone: str = "UTC",
    region: str = "",
    level: int = 0,
    levels: Iterable[LevelSpec] | None = None,
) -> Post:
    """Create a post with its own copy of the template ladder (or of ``levels``)."""
    post = Post(
        code=code,
        name=name,
        country=country,
        city=city,
        timezone=timezone,
        region=region,
        level=level,
    )
    post.full_clean()
    post.save()
    post_ladder_copy(post=post, levels=levels)
    return post


def post_ladder_copy(*, post: Post, levels: Iterable[LevelSpec] | None = None) -> None:
    """Give a post that has no ladder its own copy of the template (or of ``levels``)."""
    ladder_install(post=post, levels=levels if levels is not None else template_ladder_specs())
    post.full_clean()


def route_check(
    *,
    route: ExitRoute,
    status: str,
    seats_per_day: int | None = None,
    note: str = "",
    seats_confirmed: bool = False,
    user: User | AnonymousUser | None = None,
    at: dt.datetime | None = None,
) -> ExitRoute:
    """Mark a route verified now with its status (and seats/day when given). A note is
    appended to the route's notes with the date and who checked, so earlier notes stay.
    A figure far above the route's previous one (limits.route_seats_need_confirmation:
    a slipped zero) is refused unless ``seats_confirmed``; nothing is saved then."""
    if (
        seats_per_day is not None
        and not seats_confirmed
        and seats_per_day != route.seats_per_day
        # Above the ceiling no confirmation helps: full_clean below refuses it.
        and seats_per_day <= limits.ROUTE_SEATS_MAX
        and limits.route_seats_need_confirmation(route.seats_per_day, seats_per_day)
    ):
        if route.seats_per_day:
            message = _(
                "%(seats)s seats a day is more than %(factor)s times the %(previous)s recorded "
                "for this route. If the figure is right, tick “I confirm this figure”."
            ) % {
                "seats": seats_per_day,
                "factor": limits.ROUTE_SEATS_JUMP_FACTOR,
                "previous": route.seats_per_day,
            }
        else:
            message = _(
                "%(seats)s seats a day is a lot for a route that had none recorded. If the "
                "figure is right, tick “I confirm this figure”."
            ) % {"seats": seats_per_day}
        raise ValidationError({"seats_per_day": ValidationError(message, code="confirm")})
    at = at or timezone.now()
    route.status = status
    if seats_per_day is not None:
        route.seats_per_day = seats_per_day
    route.verified_at = at
    note = note.strip()
    if note:
        who = user.get_username() if user is not None and user.is_authenticated else ""
        stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        line = f"{stamp} {who}: {note}" if who else f"{stamp}: {note}"
        route.notes = f"{route.notes.rstrip()}\n{line}".strip()
    route.full_clean()
    route.save(update_fields=["status", "seats_per_day", "verified_at", "notes"])
    return route


def action_item_tick(
    *, item: ActionItem, ready: bool, user: User | AnonymousUser | None
) -> ActionItem:
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
