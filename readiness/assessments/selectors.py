"""Reads for scoring: a post's data as the engine's plain inputs, in a fixed number of
queries whatever the number of indicators, staff or routes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum

from readiness.engine import (
    IndicatorIn,
    Inputs,
    Population,
    Readiness,
    RouteIn,
    StaffIn,
    last_indicated_from_dict,
)
from readiness.engine.params import DEFAULT_PARAMS, Params
from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from readiness.posts.selectors import ladder_levels, level_spec
from readiness.rosters.models import AssemblyPoint, Community, School, StaffCategory, StaffMember

from .models import Assessment


def relevance_window(params: Params) -> dt.timedelta:
    """Indicators older than this weigh under 1 % of their severity (ten half-lives of the
    slowest category) and are not loaded."""
    return dt.timedelta(days=10 * max(params.half_life_days.values()))


def indicators_for_scoring(
    *, post: Post, now: dt.datetime, params: Params = DEFAULT_PARAMS
) -> tuple[IndicatorIn, ...]:
    since = now - relevance_window(params)
    rows = (
        Indicator.objects.filter(post=post, recorded_at__lte=now, observed_at__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=since))
        .filter(
            Q(observed_at__gte=since)
            | Q(ongoing=True, ended_at__isnull=True)
            | Q(ended_at__gte=since)
        )
        .values_list(
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
            "text",
        )
    )
    return tuple(IndicatorIn(str(row[0]), *row[1:]) for row in rows)


def population_of(*, post: Post) -> Population:
    staff = StaffMember.objects.filter(
        post=post, present=True, category=StaffCategory.EXPATRIATE
    ).aggregate(
        non_essential=Sum("headcount", filter=Q(essential=False), default=0),
        essential=Sum("headcount", filter=Q(essential=True), default=0),
        dependants=Sum("dependants", default=0),
    )
    school_staff = School.objects.filter(post=post, is_open=True).aggregate(
        n=Sum("expatriate_staff", default=0)
    )["n"]
    community = Community.objects.filter(post=post).first()
    return Population(
        citizens_registered=community.registered if community else 0,
        dual_nationals=community.dual_nationals if community else 0,
        unregistered_estimate=community.unregistered_estimate if community else 0,
        non_essential_staff=staff["non_essential"],
        essential_staff=staff["essential"],
        dependants=staff["dependants"],
        school_staff=school_staff,
    )


def readiness_of(*, post: Post, levels: list) -> Readiness:  # type: ignore[type-arg]
    staff: list[StaffIn] = []
    for confirmed, email, phone, headcount in StaffMember.objects.filter(
        post=post, present=True
    ).values_list("last_confirmed_at", "email", "phone", "headcount"):
        staff.extend(
            [StaffIn(last_confirmed_at=confirmed, contactable=bool(email or phone))] * headcount
        )
    warden_zones = frozenset(post.wardens.values_list("zone", flat=True))
    assembly_zones: set[str] = set()
    capacity = 0
    for zone, points_capacity in AssemblyPoint.objects.filter(post=post).values_list(
        "zone", "capacity"
    ):
        if zone:
            assembly_zones.add(zone)
        capacity += points_capacity
    checklists = {
        level.rank: (sum(1 for a in level.actions.all() if a.ready_at), len(level.actions.all()))
        for level in levels
    }
    return Readiness(
        staff=tuple(staff),
        warden_zones=warden_zones,
        assembly_zones=frozenset(assembly_zones),
        assembly_capacity=capacity,
        checklists=checklists,
    )


def routes_of(*, post: Post) -> tuple[RouteIn, ...]:
    return tuple(
        RouteIn(
            key=route.key,
            mode=route.mode,
            status=route.status,
            seats_per_day=route.seats_per_day,
            lead_time_hours=route.lead_time_hours,
            closes_at_threat=route.closes_at_threat,
            usable_from=route.usable_from,
            name=str(route),
            verified_at=route.verified_at,
        )
        for route in post.routes.all()
    )


def newest_assessment(*, post: Post) -> Assessment | None:
    return Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()


def engine_inputs(
    *, post: Post, now: dt.datetime, previous: Assessment | None, params: Params = DEFAULT_PARAMS
) -> Inputs:
    levels = ladder_levels(post=post)
    last_indicated: dict[int, dt.datetime] = {}
    if previous is not None:
        last_indicated = last_indicated_from_dict(previous.explanation.get("last_indicated", {}))
    return Inputs(
        now=now,
        current_level=post.level,
        ladder=tuple(level_spec(level) for level in levels),
        indicators=indicators_for_scoring(post=post, now=now, params=params),
        routes=routes_of(post=post),
        population=population_of(post=post),
        readiness=readiness_of(post=post, levels=levels),
        last_indicated=last_indicated,
        params=params,
    )
