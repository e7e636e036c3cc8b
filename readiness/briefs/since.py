"""What changed between two times, for the morning brief's "since the last brief": one
query per kind of change over every visible post, read as values (hundreds of posts: no
model instances), grouped by post. A fixed number of queries whatever the number of posts.

Each function takes the visible posts as a queryset (a subquery, not a list of ids) and
the window (``since`` excluded, ``until`` included)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from readiness.assessments.models import Decision, DecisionOrigin, RecommendationChange
from readiness.indicators.models import Indicator
from readiness.posts.models import ActionItem, AlertLevel, ExitRoute, Post
from readiness.rosters.models import StaffMember

from . import hooks
from .models import IssuedBrief

# Without any issued brief, "since the last brief" covers this many hours.
FIRST_WINDOW_HOURS = 24
# A post's new indicators in the brief: the most severe first, at most this many (the
# rest are counted).
INDICATORS_PER_POST = 10


@dataclass(frozen=True, slots=True)
class BriefWindow:
    since: dt.datetime
    until: dt.datetime
    last: IssuedBrief | None  # the brief the window starts at (None: the first 24 hours)
    issued: IssuedBrief | None = None  # the brief shown as issued (its own window)


def newest_issued() -> IssuedBrief | None:
    """The newest issued brief: one query."""
    return IssuedBrief.objects.order_by("-issued_at", "-id").first()


def window_now(*, now: dt.datetime | None = None) -> BriefWindow:
    """From the newest issued brief (or the last 24 hours) to now."""
    now = now or timezone.now()
    last = newest_issued()
    since = last.issued_at if last else now - dt.timedelta(hours=FIRST_WINDOW_HOURS)
    return BriefWindow(since=min(since, now), until=now, last=last)


def window_of(brief: IssuedBrief) -> BriefWindow:
    """The window an issued brief covered, to print it again as it was issued (the
    brief before it is read for its author: one query)."""
    before = (
        IssuedBrief.objects.filter(issued_at__lte=brief.covers_since)
        .exclude(pk=brief.pk)
        .order_by("-issued_at", "-id")
        .first()
    )
    return BriefWindow(since=brief.covers_since, until=brief.issued_at, last=before, issued=brief)


def _level_name(post: str, rank: str) -> Subquery:
    return Subquery(
        AlertLevel.objects.filter(post=OuterRef(post), rank=OuterRef(rank))
        .order_by()
        .values("name")[:1]
    )


def _grouped(rows: Any) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row["post_id"]].append(row)
    return dict(out)


def recommendation_changes(
    *, posts: QuerySet[Post], window: BriefWindow
) -> dict[int, list[dict[str, Any]]]:
    """Each change of a post's recommended level or verdict in the window, oldest first,
    with the levels' names."""
    rows = (
        RecommendationChange.objects.filter(
            post__in=posts, created_at__gt=window.since, created_at__lte=window.until
        )
        .annotate(
            from_name=_level_name("post_id", "from_level"),
            to_name=_level_name("post_id", "to_level"),
        )
        .order_by("post_id", "created_at", "id")
        .values(
            "post_id",
            "created_at",
            "from_level",
            "to_level",
            "from_verdict",
            "to_verdict",
            "from_name",
            "to_name",
        )
    )
    return _grouped(rows)


def decisions(
    *, posts: QuerySet[Post], window: BriefWindow
) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The decisions taken in the window (by post, newest first), and every legacy decision
    recorded without an assessment whenever it was taken (flagged until reviewed)."""
    in_window = Q(decided_at__gt=window.since, decided_at__lte=window.until)
    legacy = Q(origin=DecisionOrigin.LEGACY, assessment__isnull=True)
    rows = (
        Decision.objects.filter(post__in=posts)
        .filter(in_window | legacy)
        .annotate(
            from_name=_level_name("post_id", "from_level"),
            to_name=_level_name("post_id", "to_level"),
        )
        .order_by("-decided_at", "-id")
        .values(
            "id",
            "post_id",
            "post__code",
            "decided_at",
            "from_level",
            "to_level",
            "from_name",
            "to_name",
            "rationale",
            "origin",
            "assessment_id",
            "decided_by_name",
            "decided_by__username",
            "decided_by__first_name",
            "decided_by__last_name",
            recommended=F("assessment__recommended_level"),
        )
    )
    recent: dict[int, list[dict[str, Any]]] = defaultdict(list)
    unchecked = []
    for found in rows:
        row: dict[str, Any] = dict(found)  # the flags below are added to the read values
        row["unchecked"] = row["assessment_id"] is None and row["origin"] == DecisionOrigin.LEGACY
        row["against"] = row["recommended"] is not None and row["recommended"] != row["to_level"]
        if row["unchecked"]:
            unchecked.append(row)
        if window.since < row["decided_at"] <= window.until:
            recent[row["post_id"]].append(row)
    return dict(recent), unchecked


def route_changes(*, posts: QuerySet[Post], window: BriefWindow) -> dict[int, list[dict[str, Any]]]:
    """The routes whose status at the window's end differs from their status at its start,
    from the routes' history (each save keeps a row): the routes touched in the window
    only. A route without a history row before the window (created in it, or loaded in
    bulk) has an empty ``was``."""
    history = ExitRoute.history.model
    before = history.objects.filter(id=OuterRef("pk"), history_date__lte=window.since).order_by(
        "-history_date", "-history_id"
    )
    at_end = history.objects.filter(id=OuterRef("pk"), history_date__lte=window.until).order_by(
        "-history_date", "-history_id"
    )
    touched = history.objects.filter(
        id=OuterRef("pk"), history_date__gt=window.since, history_date__lte=window.until
    )
    rows = (
        ExitRoute.objects.filter(post__in=posts)
        .filter(Exists(touched))
        .annotate(
            was=Subquery(before.values("status")[:1]),
            became=Subquery(at_end.values("status")[:1]),
            checked_at=Subquery(at_end.values("verified_at")[:1]),
        )
        .order_by("post_id", "key")
        .values("post_id", "key", "mode", "from_place", "to_place", "was", "became", "checked_at")
    )
    return _grouped(row for row in rows if row["was"] != row["became"])


def serious_indicators(
    *, posts: QuerySet[Post], window: BriefWindow, min_severity: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """The indicators recorded in the window at or above the severity
    (settings.BRIEF_MIN_SEVERITY), most severe and newest first, at most
    INDICATORS_PER_POST a post; each row carries its post's total (``total``)."""
    severity = min_severity or settings.BRIEF_MIN_SEVERITY
    rows = (
        Indicator.objects.filter(
            post__in=posts,
            recorded_at__gt=window.since,
            recorded_at__lte=window.until,
            severity__gte=severity,
        )
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("post_id")],
                order_by=[F("severity").desc(), F("observed_at").desc()],
            ),
            total=Window(Count("id"), partition_by=[F("post_id")]),
        )
        .filter(place__lte=INDICATORS_PER_POST)
        .order_by("post_id", "place")
        .values(
            "post_id",
            "id",
            "category",
            "severity",
            "text",
            "observed_at",
            "withdrawn_at",
            "total",
        )
    )
    return _grouped(rows)


def people_in_country(*, posts: QuerySet[Post]) -> dict[int, tuple[int, int]]:
    """Per post, the staff still in the country (head counts) and their dependants."""
    return {
        row["post_id"]: (row["people"] or 0, row["dependants"] or 0)
        for row in StaffMember.objects.filter(post__in=posts, present=True)
        .order_by()
        .values("post_id")
        .annotate(people=Sum("headcount"), dependants=Sum("dependants"))
    }


def open_items(*, posts: QuerySet[Post]) -> dict[int, list[dict[str, Any]]]:
    """The checklist lines not yet ticked of each post's current level and the next one."""
    level = F("level__post__level")
    rows = (
        ActionItem.objects.filter(level__post__in=posts, ready_at__isnull=True)
        .filter(Q(level__rank=level) | Q(level__rank=level + 1))
        .order_by("level__post_id", "level__rank", "order", "id")
        .values("id", "text", post_id=F("level__post_id"), rank=F("level__rank"))
    )
    return _grouped(rows)


@dataclass(slots=True)
class SinceRows:
    """Everything "since the last brief" shows, by post id."""

    window: BriefWindow
    changes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    decisions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    routes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    indicators: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    people: dict[int, tuple[int, int]] = field(default_factory=dict)
    items: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Sections other apps add (readiness/briefs/hooks.py), by key, then by post id.
    extra: dict[str, dict[int, list[Any]]] = field(default_factory=dict)


def since_rows(*, posts: QuerySet[Post], window: BriefWindow) -> SinceRows:
    """Every kind of change of the visible posts in the window: seven queries, plus one
    per section another app registered."""
    recent, unchecked = decisions(posts=posts, window=window)
    return SinceRows(
        window=window,
        changes=recommendation_changes(posts=posts, window=window),
        decisions=recent,
        unchecked=unchecked,
        routes=route_changes(posts=posts, window=window),
        indicators=serious_indicators(posts=posts, window=window),
        people=people_in_country(posts=posts),
        items=open_items(posts=posts),
        extra={
            section.key: section.read(posts=posts, since=window.since, until=window.until)
            for section in hooks.sections()
        },
    )
