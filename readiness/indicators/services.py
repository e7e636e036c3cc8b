"""Writes on indicators. Saving one queues a re-score of its post after commit
(readiness.assessments.apps), so callers only record."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from readiness.posts.models import Post

from .models import Indicator


def indicator_record(
    *,
    post: Post,
    category: str,
    severity: int,
    reliability: str,
    credibility: int,
    source: str,
    text: str,
    observed_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    ongoing: bool = False,
    ended_at: dt.datetime | None = None,
    external_id: str = "",
    user: AbstractBaseUser | None = None,
) -> Indicator:
    """Record one observation for a post. Raises ValidationError naming the field at fault
    (an observation in the future, an end before the start, a duplicate external id...)."""
    indicator = Indicator(
        post=post,
        category=category,
        severity=severity,
        reliability=reliability,
        credibility=credibility,
        source=source.strip(),
        text=text.strip(),
        observed_at=observed_at,
        expires_at=expires_at,
        ongoing=ongoing,
        ended_at=ended_at,
        external_id=external_id,
        recorded_at=timezone.now(),
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    indicator.full_clean()
    indicator.save()
    return indicator
