"""Route checks: the post officer has verified an exit route and says how it stands."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import ExitRoute


def route_check(
    *,
    route: ExitRoute,
    status: str,
    seats_per_day: int | None = None,
    note: str = "",
    user: AbstractBaseUser | None = None,
    at: dt.datetime | None = None,
) -> ExitRoute:
    """Mark a route verified now with its status (and seats/day when given). A note is
    appended to the route's notes with the date and who checked, so earlier notes stay."""
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
