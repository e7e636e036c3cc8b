"""The staff check-ins' section of the morning brief (readiness/briefs/hooks.py): per post,
each check-in that started or was answered in the brief's window, counted in people (a group
row answers for its headcount). Counts only: the brief names nobody."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from readiness.posts.models import Post

from .models import Answer, Checkin


def results_since(
    *, posts: QuerySet[Post], since: dt.datetime, until: dt.datetime
) -> dict[int, list[tuple[Any, ...]]]:
    """{post id: [(started_at, asked, safe, need help, left, not answered)]}, newest first:
    one query whatever the number of posts and check-ins."""

    def people(answer: str) -> Any:
        return Coalesce(
            Sum(
                "requests__headcount",
                filter=Q(requests__answer__answer=answer, requests__answer__answered_at__lt=until),
            ),
            0,
        )

    rows = (
        Checkin.objects.filter(post__in=posts, started_at__lt=until)
        .filter(
            Q(started_at__gte=since)
            | Q(
                requests__answer__answered_at__gte=since,
                requests__answer__answered_at__lt=until,
            )
        )
        .order_by()
        .values("pk")
        .distinct()
    )
    counted = (
        Checkin.objects.filter(pk__in=rows)
        .annotate(
            asked=Coalesce(Sum("requests__headcount"), 0),
            safe=people(Answer.SAFE),
            help=people(Answer.NEED_HELP),
            left=people(Answer.LEFT),
        )
        .order_by("-started_at")
        .values_list("post_id", "started_at", "asked", "safe", "help", "left")
    )
    out: dict[int, list[tuple[Any, ...]]] = {}
    for post_id, started_at, asked, safe, need_help, left in counted:
        unanswered = max(0, asked - safe - need_help - left)
        out.setdefault(post_id, []).append((started_at, asked, safe, need_help, left, unanswered))
    return out
