"""Issuing the brief: the one write of the briefs app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from readiness.posts import access

from .models import IssuedBrief
from .since import FIRST_WINDOW_HOURS


def author_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def brief_issue(*, user: Any, last_seen: int | None, now: dt.datetime | None = None) -> IssuedBrief:
    """Record that the brief was issued now by ``user``, under the configured marking
    (settings.BRIEF_CLASSIFICATION), covering the changes since the newest brief before
    it. ``last_seen``: the id of the newest issued brief the officer's page showed (None:
    none); when another brief was issued meanwhile, nothing is recorded (the officer
    would issue a brief they have not read)."""
    if not access.can_decide(user):
        raise PermissionDenied(_("Only duty officers of the crisis centre issue the brief."))
    now = now or timezone.now()
    with transaction.atomic():
        # One issuer at a time: a second officer's press waits, then sees the first brief.
        last = IssuedBrief.objects.select_for_update().order_by("-issued_at", "-id").first()
        if last is None and last_seen is not None:
            raise ValidationError(_("That brief is not known."), code="unknown")
        if last is not None and last.pk != last_seen:
            raise ValidationError(
                _(
                    "Another brief was issued at %(when)s UTC by %(who)s since this page "
                    "was opened. Read the brief again before issuing it."
                )
                % {
                    "when": formats.date_format(last.issued_at, "j M H:i"),
                    "who": last.issued_by_name,
                },
                code="stale",
            )
        since = last.issued_at if last else now - dt.timedelta(hours=FIRST_WINDOW_HOURS)
        brief = IssuedBrief(
            issued_at=now,
            issued_by=user,
            issued_by_name=author_name(user),
            classification=settings.BRIEF_CLASSIFICATION,
            covers_since=min(since, now),
            posts=access.posts_visible_to(user).count(),
        )
        brief.full_clean()
        brief.save()
    return brief
