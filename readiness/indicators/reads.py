"""What a feed allowed to read (``Feed.can_read``) gets over the API: each of its posts with
the headline of its newest assessment, read from the post's newest-assessment pointer and
the assessment's stored summary (readiness.assessments.summary), never its explanation.
One query, whatever the number of posts."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from readiness.posts.models import AlertLevel, Post

from .models import Feed
from .schema import AssessmentOut, PostAssessment, PostOut, Reason

_POST_FIELDS = ("code", "name", "country", "city", "region", "level", "rescore_error")
_ASSESSMENT_FIELDS = (
    "id",
    "evaluated_at",
    "current_level",
    "recommended_level",
    "verdict",
    "threat_index",
    "trend_per_day",
    "next_level_margin_days",
    "preparedness",
    "summary",
)


def _level_name(rank: str) -> Subquery:
    return Subquery(
        AlertLevel.objects.filter(post=OuterRef("pk"), rank=OuterRef(rank))
        .order_by()
        .values("name")[:1]
    )


def feed_readable_posts(*, feed: Feed, code: str | None = None) -> list[PostAssessment]:
    """The feed's posts (or the one of that code, if it is one of them), by code, each with
    its newest assessment or None before the first."""
    posts = Post.objects.filter(feeds=feed)
    if code is not None:
        posts = posts.filter(code=code)
    rows = (
        posts.annotate(
            level_name=_level_name("level"),
            recommended_name=_level_name("newest_assessment__recommended_level"),
        )
        .order_by("code")
        .values_list(
            *_POST_FIELDS,
            "level_name",
            "recommended_name",
            *(f"newest_assessment__{name}" for name in _ASSESSMENT_FIELDS),
        )
    )
    width = len(_POST_FIELDS)
    found = []
    for values in rows:
        post = dict(zip(_POST_FIELDS, values[:width], strict=True))
        level_name, recommended_name = values[width], values[width + 1]
        figures = dict(zip(_ASSESSMENT_FIELDS, values[width + 2 :], strict=True))
        found.append(
            PostAssessment(
                post=PostOut(
                    code=post["code"],
                    name=post["name"],
                    country=post["country"],
                    city=post["city"],
                    region=post["region"],
                    level=post["level"],
                    level_name=level_name or "",
                    rescore_failing=bool(post["rescore_error"]),
                ),
                assessment=None
                if figures["id"] is None
                else _assessment(figures, recommended_name or ""),
            )
        )
    return found


def _assessment(figures: dict[str, Any], recommended_name: str) -> AssessmentOut:
    summary = figures["summary"] or {}
    return AssessmentOut(
        id=figures["id"],
        evaluated_at=figures["evaluated_at"],
        current_level=figures["current_level"],
        recommended_level=figures["recommended_level"],
        recommended_level_name=recommended_name,
        verdict=figures["verdict"],
        threat_index=figures["threat_index"],
        trend_per_day=figures["trend_per_day"],
        margin_days=figures["next_level_margin_days"],
        margin_level=summary.get("margin_rank"),
        preparedness=figures["preparedness"],
        reasons=[
            Reason(kind=str(kind or ""), level=level, code=code)
            for kind, level, code in summary.get("reasons") or ()
        ],
        trend=list(summary.get("trend") or ()),
    )
