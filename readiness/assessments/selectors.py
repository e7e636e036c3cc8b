"""Reads for scoring: posts' data as the engine's plain inputs.

Loaded for a batch of posts at once, in a fixed number of queries whatever the number of
posts, indicators, staff or routes: the periodic job scores every post, and a single
post's re-score is a batch of one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import DateTimeField, Q, QuerySet, Sum

from readiness.engine import (
    IndicatorIn,
    Inputs,
    Readiness,
    RouteIn,
    StaffIn,
    last_indicated_from_dict,
)
from readiness.engine.inputs import StaffRow, population_of
from readiness.engine.params import DEFAULT_PARAMS, Params
from readiness.engine.vocabulary import Category, Reliability, RouteMode, RouteStatus
from readiness.indicators.models import Indicator
from readiness.posts.models import ActionItem, AlertLevel, ExitRoute, Post, Trigger
from readiness.posts.selectors import ladder_specs_of
from readiness.rosters.models import (
    AssemblyPoint,
    Community,
    School,
    StaffMember,
    Warden,
)

from .models import Assessment

# Every model whose rows scoring_inputs reads: a save or delete of any of them requests a
# re-score of its post (assessments/apps.py). One list, held to the queries by a test.
SCORING_INPUTS = (
    Post, AlertLevel, ActionItem, Trigger, ExitRoute, Indicator,
    StaffMember, School, Community, Warden, AssemblyPoint,
)  # fmt: skip

# The headline of the previous assessment, without its (large) explanation.
PREVIOUS_FIELDS = (
    "id", "post_id", "evaluated_at", "current_level", "recommended_level", "verdict",
    "threat_index", "next_level_margin_days", "preparedness", "fingerprint",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Previous:
    """What a re-score needs of the newest stored assessment."""

    id: int
    current_level: int
    recommended_level: int
    verdict: str
    threat_index: float
    next_level_margin_days: float | None
    preparedness: float
    fingerprint: str
    last_indicated: dict[int, dt.datetime]
    indicated_since: dict[int, dt.datetime]  # the hold's other half (engine step 8)
    explanation_format: int  # EXPLANATION_FORMAT of its stored explanation (1: unmarked)


@dataclass(frozen=True, slots=True)
class ScoringInput:
    """A post ready to score, or the reason its data cannot be scored (``error``)."""

    post: Post
    inputs: Inputs | None
    previous: Previous | None
    error: str = ""


def relevance_window(params: Params) -> dt.timedelta:
    """Indicators older than this weigh under 1 % of their severity (ten half-lives of the
    slowest category) and are not loaded."""
    return dt.timedelta(days=10 * max(params.half_life_days.values()))


def _checklists(post_ids: list[int]) -> dict[int, dict[int, tuple[int, int]]]:
    """Per post, per rank: (items pre-positioned, items total)."""
    counts: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = ActionItem.objects.filter(level__post_id__in=post_ids).values_list(
        "level__post_id", "level__rank", "ready_at"
    )
    for post_id, rank, ready_at in rows:
        count = counts[post_id][rank]
        count[1] += 1
        if ready_at is not None:
            count[0] += 1
    return {
        post_id: {rank: (c[0], c[1]) for rank, c in ranks.items()}
        for post_id, ranks in counts.items()
    }


def loaded_indicators(*, now: dt.datetime, params: Params = DEFAULT_PARAMS) -> QuerySet[Indicator]:
    """The indicators a re-score at ``now`` loads: recorded and observed by then, and
    still weighing (or an ongoing condition that has not ended). The sweeper asks the
    same question of the indicators its newest assessment has not seen."""
    since = now - relevance_window(params)
    return (
        Indicator.objects.filter(recorded_at__lte=now, observed_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=since))
        .filter(
            Q(observed_at__gte=since)
            | Q(ongoing=True, ended_at__isnull=True)
            | Q(ended_at__gte=since)
        )
    )


def _indicators(
    post_ids: list[int], now: dt.datetime, params: Params
) -> dict[int, list[IndicatorIn]]:
    rows = (
        loaded_indicators(now=now, params=params)
        .filter(post_id__in=post_ids)
        # The text is for people; the dashboards read it by id.
        .values_list(
            "post_id",
            "id",
            "category",
            "severity",
            "reliability",
            "credibility",
            "observed_at",
            "expires_at",
            "ongoing",
            "ended_at",
            "recorded_at",
            "source",
            "event",
            "de_escalation",
        )
    )
    found: dict[int, list[IndicatorIn]] = defaultdict(list)
    for (
        post_id,
        pk,
        category,
        severity,
        reliability,
        credibility,
        observed_at,
        expires_at,
        ongoing,
        ended_at,
        recorded_at,
        source,
        event,
        de_escalation,
    ) in rows:
        # The source is loaded: two sources reporting one event raise its credibility
        # (engine step 1); the text is for people and is not.
        found[post_id].append(
            IndicatorIn(
                id=str(pk),
                category=Category(category),
                severity=severity,
                reliability=Reliability(reliability),
                credibility=credibility,
                observed_at=observed_at,
                expires_at=expires_at,
                ongoing=ongoing,
                ended_at=ended_at,
                recorded_at=recorded_at,
                source=source,
                event=event,
                de_escalation=de_escalation,
            )
        )
    return found


def _routes(post_ids: list[int]) -> dict[int, list[RouteIn]]:
    found: dict[int, list[RouteIn]] = defaultdict(list)
    for route in ExitRoute.objects.filter(post_id__in=post_ids).order_by("key"):
        found[route.post_id].append(
            RouteIn(
                key=route.key,
                mode=RouteMode(route.mode),
                status=RouteStatus(route.status),
                seats_per_day=route.seats_per_day,
                lead_time_hours=route.lead_time_hours,
                closes_at_threat=route.closes_at_threat,
                usable_from=route.usable_from,
                name=str(route),
                verified_at=route.verified_at,
            )
        )
    return found


def _staff(post_ids: list[int]) -> tuple[dict[int, list[StaffRow]], dict[int, list[StaffIn]]]:
    """One pass over the roster: the rows the population rule reads, and every person's
    confirmation and contact for preparedness. Staff who left are in neither."""
    rows_of: dict[int, list[StaffRow]] = defaultdict(list)
    people: dict[int, list[StaffIn]] = defaultdict(list)
    rows = StaffMember.objects.filter(post_id__in=post_ids, present=True).values_list(
        "post_id",
        "category",
        "essential",
        "headcount",
        "dependants",
        "last_confirmed_at",
        "email",
        "phone",
    )
    for post_id, category, essential, headcount, dependants, confirmed, email, phone in rows:
        rows_of[post_id].append(StaffRow(category, essential, headcount, dependants))
        people[post_id].extend(
            [StaffIn(last_confirmed_at=confirmed, contactable=bool(email or phone))] * headcount
        )
    return rows_of, people


def _previous(post_ids: list[int]) -> dict[int, Previous]:
    """The newest assessment of each post: its headline and the hold's memory, not the
    whole explanation."""
    ids = Post.objects.filter(pk__in=post_ids).values_list("newest_assessment_id", flat=True)
    rows = Assessment.objects.filter(pk__in=[i for i in ids if i]).values(
        *PREVIOUS_FIELDS,
        "explanation__last_indicated",
        "explanation__indicated_since",
        "explanation__format",
    )
    return {
        row["post_id"]: Previous(
            id=row["id"],
            current_level=row["current_level"],
            recommended_level=row["recommended_level"],
            verdict=row["verdict"],
            threat_index=row["threat_index"],
            next_level_margin_days=row["next_level_margin_days"],
            preparedness=row["preparedness"],
            fingerprint=row["fingerprint"],
            last_indicated=last_indicated_from_dict(row["explanation__last_indicated"] or {}),
            indicated_since=last_indicated_from_dict(row["explanation__indicated_since"] or {}),
            explanation_format=row["explanation__format"] or 1,
        )
        for row in rows
    }


def scoring_inputs(
    *, post_ids: Iterable[int], now: dt.datetime, params: Params = DEFAULT_PARAMS
) -> list[ScoringInput]:
    """The engine's inputs for each existing post of ``post_ids``, in 14 queries."""
    posts = list(Post.objects.filter(pk__in=list(post_ids)).order_by("pk"))
    ids = [post.pk for post in posts]
    ladders = ladder_specs_of(post_ids=ids)
    checklists = _checklists(ids)
    indicators = _indicators(ids, now, params)
    routes = _routes(ids)
    staff_rows, staff_people = _staff(ids)
    school_staff = dict(
        School.objects.filter(post_id__in=ids, is_open=True)
        .values("post_id")
        .annotate(n=Sum("expatriate_staff"))
        .values_list("post_id", "n")
    )
    communities = {c.post_id: c for c in Community.objects.filter(post_id__in=ids)}
    warden_zones: dict[int, set[str]] = defaultdict(set)
    for post_id, zone in Warden.objects.filter(post_id__in=ids).values_list("post_id", "zone"):
        warden_zones[post_id].add(zone)
    assembly_zones: dict[int, set[str]] = defaultdict(set)
    assembly_capacity: dict[int, int] = defaultdict(int)
    for post_id, zone, capacity in AssemblyPoint.objects.filter(post_id__in=ids).values_list(
        "post_id", "zone", "capacity"
    ):
        if zone:
            assembly_zones[post_id].add(zone)
        assembly_capacity[post_id] += capacity
    previous = _previous(ids)

    found = []
    for post in posts:
        community = communities.get(post.pk)
        before = previous.get(post.pk)
        try:
            inputs = Inputs(
                now=now,
                current_level=post.level,
                ladder=ladders.get(post.pk, ()),
                indicators=tuple(indicators.get(post.pk, ())),
                routes=tuple(routes.get(post.pk, ())),
                population=population_of(
                    registered=community.registered if community else 0,
                    dual_nationals=community.dual_nationals if community else 0,
                    unregistered_estimate=community.unregistered_estimate if community else 0,
                    staff=staff_rows.get(post.pk, ()),
                    school_staff=school_staff.get(post.pk) or 0,
                ),
                readiness=Readiness(
                    staff=tuple(staff_people.get(post.pk, ())),
                    warden_zones=frozenset(warden_zones.get(post.pk, ())),
                    assembly_zones=frozenset(assembly_zones.get(post.pk, ())),
                    assembly_capacity=assembly_capacity.get(post.pk, 0),
                    checklists=checklists.get(post.pk, {}),
                ),
                last_indicated=before.last_indicated if before else {},
                indicated_since=before.indicated_since if before else {},
                params=params,
            )
        except ValueError as exc:  # e.g. a post whose ladder lacks its current level
            found.append(
                ScoringInput(post=post, inputs=None, previous=before, error=f"ValueError: {exc}")
            )
            continue
        found.append(ScoringInput(post=post, inputs=inputs, previous=before))
    return found


# psycopg reads a timestamp into a Python datetime, which ends at the years 1 and 9999: a
# stored value outside them (9999-12-31T23:59:59-14:00 is year 10000 in UTC) fails the
# whole query that reads it with a DataError, whichever row holds it.
_READABLE_FROM = dt.datetime.min.replace(tzinfo=dt.UTC)
_READABLE_UNTIL = dt.datetime.max.replace(tzinfo=dt.UTC)


def unreadable_dates(*, post_id: int) -> list[str]:
    """The post's input rows holding a date Python cannot read, as "indicator 17
    (expires_at)". Compared in SQL, so the rows are found without reading the dates. One
    query per date column of SCORING_INPUTS: run only after a re-score of the post failed."""
    found = []
    for model in SCORING_INPUTS:
        if model is Post:
            scope = Q(pk=post_id)
        elif model in (ActionItem, Trigger):
            scope = Q(level__post_id=post_id)
        else:
            scope = Q(post_id=post_id)
        for field in model._meta.concrete_fields:
            if not isinstance(field, DateTimeField):
                continue
            name = field.name
            outside = Q(**{f"{name}__lt": _READABLE_FROM}) | Q(**{f"{name}__gt": _READABLE_UNTIL})
            for pk in model._default_manager.filter(scope, outside).values_list("pk", flat=True):
                found.append(f"{model._meta.verbose_name} {pk} ({name})")
    return found


def newest_assessment(*, post: Post) -> Assessment | None:
    """The post's newest assessment, by its pointer (read from the database, not from a
    possibly stale `post`)."""
    pk = Post.objects.filter(pk=post.pk).values_list("newest_assessment_id", flat=True).first()
    return Assessment.objects.filter(pk=pk).first() if pk else None
