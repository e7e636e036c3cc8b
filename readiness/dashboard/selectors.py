"""Reads for the dashboards: who sees which post, and each page's rows in a fixed number of
queries whatever the number of posts, indicators or staff."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from readiness.assessments import changes
from readiness.assessments.models import Assessment, Decision, DecisionOrigin, Verdict
from readiness.engine import contributions_from_dict
from readiness.indicators.models import Indicator
from readiness.posts.access import posts_visible_to
from readiness.posts.models import ActionItem, AlertLevel, ExitRoute, Post
from readiness.rosters.models import AssemblyPoint, Community, School, StaffMember, Warden

# The order of the overview: what needs the meeting's attention first.
URGENCY: dict[str, int] = {
    Verdict.LATE: 0,
    Verdict.ACT_NOW: 1,
    Verdict.WATCH: 2,
    Verdict.ON_TIME: 3,
    Verdict.TOO_EARLY: 3,
}
NOT_ASSESSED = "not_assessed"

User = AbstractBaseUser | AnonymousUser


# --- Overview ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverviewFilters:
    region: str = ""
    verdict: str = ""
    q: str = ""

    def matches(self, row: OverviewRow) -> bool:
        if self.region and row.post.region != self.region:
            return False
        if self.verdict and row.verdict != self.verdict:
            return False
        if self.q:
            needle = self.q.casefold()
            haystack = " ".join(
                (row.post.code, row.post.name, row.post.city, row.post.country, row.post.region)
            ).casefold()
            if needle not in haystack:
                return False
        return True


@dataclass(frozen=True, slots=True)
class OverviewPost:
    """The post's fields an overview row shows, read as values (200 posts: no models)."""

    pk: int
    code: str
    name: str
    country: str
    city: str
    region: str
    level: int
    rescore_error: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)
class OverviewRow:
    post: OverviewPost
    assessment: dict[str, Any] | None
    current_level_name: str
    recommended_level_name: str

    @property
    def verdict(self) -> str:
        return self.assessment["verdict"] if self.assessment else NOT_ASSESSED

    @property
    def margin(self) -> float | None:
        return self.assessment["next_level_margin_days"] if self.assessment else None

    @property
    def urgency(self) -> tuple[int, float, str]:
        margin = self.margin
        return (
            URGENCY.get(self.verdict, 4),
            math.inf if margin is None else margin,
            self.post.code,
        )


@dataclass(slots=True)
class Overview:
    rows: list[OverviewRow]  # filtered, most urgent first
    regions: list[str]  # of every visible post, for the filter
    total: int  # visible posts before filtering
    counts: dict[str, int] = field(default_factory=dict)  # by verdict, after filtering
    version: str = ""  # overview_version's token, from the same rows


_OVERVIEW_ASSESSMENT_FIELDS = (
    "id",
    "summary",
    "evaluated_at",
    "current_level",
    "recommended_level",
    "verdict",
    "threat_index",
    "trend_per_day",
    "next_level_margin_days",
    "preparedness",
)


# The daily brief shows no sparkline: the same figures without the summary.
_BRIEF_ASSESSMENT_FIELDS = tuple(f for f in _OVERVIEW_ASSESSMENT_FIELDS if f != "summary")


_OVERVIEW_POST_FIELDS = (
    "id",
    "code",
    "name",
    "country",
    "city",
    "region",
    "level",
    "rescore_error",
    "latitude",
    "longitude",
)


def overview(
    *, user: Any, filters: OverviewFilters, now: dt.datetime | None = None, trend: bool = True
) -> Overview:
    """Every visible post with its newest assessment (by the post's pointer, with the
    assessment's summary, never its explanation), most urgent first: one query, read as
    values. ``trend=False``: without the summary (its JSON is most of the decoding, and
    only the sparkline needs it; ``trend_points`` is then empty)."""
    fields = _OVERVIEW_ASSESSMENT_FIELDS if trend else _BRIEF_ASSESSMENT_FIELDS
    level_name = (
        AlertLevel.objects.filter(post=OuterRef("pk"), rank=OuterRef("level"))
        .order_by()
        .values("name")[:1]
    )
    recommended_name = (
        AlertLevel.objects.filter(
            post=OuterRef("pk"), rank=OuterRef("newest_assessment__recommended_level")
        )
        .order_by()
        .values("name")[:1]
    )
    found = (
        posts_visible_to(user)
        .annotate(
            current_level_name=Subquery(level_name),
            recommended_level_name=Subquery(recommended_name),
        )
        .order_by()
        .values_list(
            *_OVERVIEW_POST_FIELDS,
            "current_level_name",
            "recommended_level_name",
            *(f"newest_assessment__{name}" for name in fields),
        )
    )
    width = len(_OVERVIEW_POST_FIELDS)
    rows = []
    for values in found:
        post = OverviewPost(*values[:width])
        current_name, recommended_name_ = values[width], values[width + 1]
        figures = dict(zip(fields, values[width + 2 :], strict=True))
        assessment = (
            None
            if figures["id"] is None
            else {
                **figures,
                "trend_points": tuple((figures.get("summary") or {}).get("trend") or ()),
            }
        )
        rows.append(
            OverviewRow(
                post=post,
                assessment=assessment,
                current_level_name=current_name or "",
                recommended_level_name=(recommended_name_ or "") if assessment else "",
            )
        )
    regions = sorted({row.post.region for row in rows if row.post.region})
    shown = sorted((r for r in rows if filters.matches(r)), key=lambda r: r.urgency)
    counts: dict[str, int] = {}
    for row in shown:
        counts[row.verdict] = counts.get(row.verdict, 0) + 1
    version = _version(
        newest=max((r.assessment["id"] for r in rows if r.assessment), default=0),
        posts=len(rows),
        failing=sum(1 for r in rows if r.post.rescore_error),
        levels=sum(r.post.level for r in rows),
        now=now or timezone.now(),
    )
    return Overview(rows=shown, regions=regions, total=len(rows), counts=counts, version=version)


def trend_points_of(ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The sparkline points kept in these assessments' summaries: one query."""
    return {
        pk: tuple((summary or {}).get("trend") or ())
        for pk, summary in Assessment.objects.filter(pk__in=ids).values_list("pk", "summary")
    }


def overview_version(*, user: Any, now: dt.datetime | None = None) -> str:
    """A cheap token that changes when the overview would: a new assessment, a post added,
    removed, failing or recovering, or (so that ages stay true) a new minute. One
    aggregate query, no rows. ``overview()`` gives the same token from its rows."""
    state = posts_visible_to(user).aggregate(
        newest=Max("newest_assessment_id"),
        n=Count("id"),
        failing=Count("id", filter=~Q(rescore_error="")),
        levels=Sum("level"),
    )
    return _version(
        newest=state["newest"] or 0,
        posts=state["n"],
        failing=state["failing"],
        levels=state["levels"] or 0,
        now=now or timezone.now(),
    )


def _version(*, newest: int, posts: int, failing: int, levels: int, now: dt.datetime) -> str:
    minute = int(now.timestamp() // 60)
    return f"{newest}.{posts}.{failing}.{levels}.{minute}"


# --- Post page ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorFilters:
    category: str = ""
    min_severity: int | None = None
    days: int | None = None  # observed in the last N days
    ongoing: bool = False
    limit: int = 25


class StaffRow(TypedDict):
    """A post's staff of one category, essential or not: headcounts and dependants."""

    category: str
    essential: bool
    n_people: int
    n_present: int
    n_dependants: int
    n_confirmed: int
    n_contactable: int


@dataclass(slots=True)
class RosterSummary:
    staff_rows: list[StaffRow]
    staff_total: int
    staff_present: int
    staff_confirmed: int
    staff_contactable: int
    to_confirm: list[StaffMember]
    schools: list[School]
    community: Community | None
    wardens: int
    warden_zones: int
    assembly_points: int
    assembly_capacity: int


def post_for(*, user: Any, code: str) -> Post:
    """The post with this code if the user may see it (with its community); Post.DoesNotExist
    otherwise (a 404: an outsider does not learn which posts exist)."""
    return posts_visible_to(user).select_related("community").get(code=code)


def ladder_with_checklists(*, post: Post) -> list[AlertLevel]:
    """The post's levels with their checklists and who ticked them: two queries."""
    return list(
        AlertLevel.objects.filter(post=post)
        .order_by("rank")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related("ready_by").order_by("order", "id"),
            )
        )
    )


def assessment_history(
    *, post: Post, since: dt.datetime
) -> list[tuple[dt.datetime, float, int, int, str]]:
    """(evaluated_at, threat index, current level, recommended level, verdict), oldest first."""
    return list(
        Assessment.objects.filter(post=post, evaluated_at__gte=since)
        .order_by("evaluated_at", "id")
        .values_list(
            "evaluated_at", "threat_index", "current_level", "recommended_level", "verdict"
        )
    )


def indicator_timeline(
    *, post: Post, filters: IndicatorFilters, now: dt.datetime | None = None
) -> tuple[list[Indicator], bool]:
    """The newest indicators matching the filters, and whether older ones match too."""
    now = now or timezone.now()
    # A withdrawal's author and a superseded row's correction, in the same query.
    rows = Indicator.objects.filter(post=post).select_related(
        "recorded_by", "withdrawn_by", "correction"
    )
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.min_severity:
        rows = rows.filter(severity__gte=filters.min_severity)
    if filters.days:
        rows = rows.filter(observed_at__gte=now - dt.timedelta(days=filters.days))
    if filters.ongoing:
        rows = rows.filter(ongoing=True, ended_at__isnull=True)
    found = list(rows.order_by("-observed_at", "-id")[: filters.limit + 1])
    return found[: filters.limit], len(found) > filters.limit


def indicators_by_id(*, post: Post, ids: set[int]) -> dict[int, Indicator]:
    """Some indicators of a post by id: one query, even for none (an id 0 that matches
    nothing), so that the page's query count does not depend on the evidence."""
    return {
        i.pk: i
        for i in Indicator.objects.filter(post=post, pk__in=ids or {0}).only(
            "id",
            "category",
            "severity",
            "reliability",
            "credibility",
            "source",
            "text",
            "observed_at",
            "ongoing",
            "ended_at",
        )
    }


def routes_of(*, post: Post) -> list[ExitRoute]:
    return list(ExitRoute.objects.filter(post=post).order_by("key"))


def map_places(*, post: Post) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The post's assembly points and warden zones as its map shows them, in one query (a
    union). A zone's place is its first warden's that has one; no warden's name is read."""
    columns = ("kind", "id", "label", "capacity", "zone", "latitude", "longitude")
    points_query = (
        AssemblyPoint.objects.filter(post=post)
        .order_by()  # SQLite allows no ORDER BY inside a union: sorted below
        .annotate(kind=Value("a"), label=F("name"))
        .values_list(*columns)
    )
    wardens_query = (
        Warden.objects.filter(post=post)
        .order_by()
        .annotate(kind=Value("w"), label=F("zone"), capacity=Value(0))
        .values_list(*columns)
    )
    rows = sorted(points_query.union(wardens_query, all=True), key=lambda r: (r[0], r[2], r[1]))
    points = [
        {"name": label, "capacity": capacity, "zone": zone, "latitude": lat, "longitude": lon}
        for kind, _id, label, capacity, zone, lat, lon in rows
        if kind == "a"
    ]
    zones: dict[str, dict[str, Any]] = {}
    for kind, _id, _label, _capacity, zone_name, lat, lon in rows:
        if kind != "w":
            continue
        zone = zones.setdefault(
            zone_name, {"zone": zone_name, "n": 0, "latitude": None, "longitude": None}
        )
        zone["n"] += 1
        if zone["latitude"] is None and lat is not None:
            zone["latitude"], zone["longitude"] = lat, lon
    return points, list(zones.values())


def routes_of_posts(*, post_ids: list[int]) -> list[ExitRoute]:
    return list(ExitRoute.objects.filter(post_id__in=post_ids).order_by("post_id", "key"))


def roster_summary(
    *,
    post: Post,
    staff_query: str = "",
    now: dt.datetime | None = None,
    to_confirm: int = 8,
    places: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> RosterSummary:
    """Staff by category, the people least recently confirmed (or matching a name), schools,
    community, wardens and assembly points: three queries whatever the roster's size when
    the post comes from post_for (which brings the community) and ``places`` are the map's
    rows, already read (``map_places``, read here otherwise: the wardens and assembly points
    are counted from them).
    ``to_confirm=0`` reads no person at all (a user without the personal-data permission)."""
    now = now or timezone.now()
    recent = now - dt.timedelta(days=30)
    contact = ~Q(email="") | ~Q(phone="")
    staff_rows: list[StaffRow] = list(
        StaffMember.objects.filter(post=post)
        .values("category", "essential")
        .annotate(
            n_people=Sum("headcount"),
            n_present=Coalesce(Sum("headcount", filter=Q(present=True)), 0),
            n_dependants=Coalesce(Sum("dependants", filter=Q(present=True)), 0),
            n_confirmed=Coalesce(
                Sum("headcount", filter=Q(present=True, last_confirmed_at__gte=recent)), 0
            ),
            n_contactable=Coalesce(Sum("headcount", filter=Q(present=True) & contact), 0),
        )
        .order_by("category", "-essential")
    )
    candidates = StaffMember.objects.filter(post=post)
    if staff_query:
        candidates = candidates.filter(
            Q(name__icontains=staff_query) | Q(role__icontains=staff_query)
        )
        waiting = (
            list(
                candidates.order_by(F("last_confirmed_at").asc(nulls_first=True), "name")[
                    :to_confirm
                ]
            )
            if to_confirm
            else []
        )
    elif to_confirm:
        # In one query: the people present least recently confirmed first, then those marked
        # gone, most recent first (greyed on the page, re-tickable: a departure can be undone).
        waiting = list(
            candidates.annotate(
                confirmed_if_present=Case(When(present=True, then=F("last_confirmed_at")))
            )
            .annotate(
                nth=Window(
                    RowNumber(),
                    partition_by=[F("present")],
                    order_by=[
                        F("confirmed_if_present").asc(nulls_first=True),
                        F("last_confirmed_at").desc(nulls_last=True),
                        F("name").asc(),
                    ],
                )
            )
            .filter(nth__lte=to_confirm)
            .order_by(
                F("present").desc(),
                F("confirmed_if_present").asc(nulls_first=True),
                F("last_confirmed_at").desc(nulls_last=True),
                "name",
            )
        )
    else:
        waiting = []
    point_rows, zone_rows = places if places is not None else map_places(post=post)
    try:
        community = post.community
    except Community.DoesNotExist:
        community = None
    return RosterSummary(
        staff_rows=staff_rows,
        staff_total=sum(r["n_people"] for r in staff_rows),
        staff_present=sum(r["n_present"] for r in staff_rows),
        staff_confirmed=sum(r["n_confirmed"] for r in staff_rows),
        staff_contactable=sum(r["n_contactable"] for r in staff_rows),
        to_confirm=waiting,
        schools=list(School.objects.filter(post=post).order_by("-pupils", "name")),
        community=community,
        wardens=sum(zone["n"] for zone in zone_rows),
        warden_zones=len(zone_rows),
        assembly_points=len(point_rows),
        assembly_capacity=sum(point["capacity"] or 0 for point in point_rows),
    )


def decision_log(*, post: Post) -> list[Decision]:
    """Every decision of the post, newest first, with who decided and the assessment it was
    taken against (without its bulky explanation): one query."""
    return list(
        Decision.objects.filter(post=post)
        .select_related("decided_by", "assessment")
        .defer("assessment__explanation")
        .order_by("-decided_at", "-id")
    )


def newest_assessment_with_previous(*, post: Post) -> Assessment | None:
    """The post's newest assessment, with the id and evaluation time of the one before it
    (``previous_id``, ``previous_at``; None for a first assessment): one query, the post's
    two newest in the order "newest" means (``-evaluated_at, -id``). Without their
    explanations, the page's largest read: a page whose panels are cached does not need
    it, and ``explanations`` reads it for a panel drawn anew."""
    pointed = post.newest_assessment_id
    if not pointed:
        return None
    rows = (
        Assessment.objects.filter(post=post).defer("explanation").order_by("-evaluated_at", "-id")
    )
    two = list(rows[:2])
    if two and two[0].pk != pointed:
        # A row newer by time than the one the post points to (a re-score not yet pointed
        # to): the pointer is what every reader shows; the two newest up to it, then.
        at = Assessment.objects.filter(pk=pointed).values_list("evaluated_at", flat=True).first()
        upto = Q(evaluated_at__lt=at) | Q(evaluated_at=at, id__lte=pointed)
        two = list(rows.filter(upto)[:2]) if at else []
    if not two or two[0].pk != pointed:
        return None
    return _with_previous(two[0], (two[1].pk, two[1].evaluated_at) if len(two) > 1 else None)


def _with_previous(newest: Assessment, previous: tuple[int, dt.datetime] | None) -> Assessment:
    """``newest`` with ``previous_id`` and ``previous_at``, as an annotation would set them."""
    newest.previous_id, newest.previous_at = previous or (None, None)  # type: ignore[attr-defined]
    return newest


# What the "what changed" panel reads of the assessment before the newest: the parts of its
# explanation that changes.assessment_changes() compares, its indicator table cut to the
# columns compared. Kept in Django's cache (an assessment never changes): reading the
# previous one's parts out of the JSON in SQL cost more than the whole document on SQLite.
PREVIOUS_CACHE_SECONDS = 24 * 3600


def explanations(
    *, newest_id: int, previous: tuple[int, dt.datetime] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The newest assessment's explanation, and the compared parts of the one before it
    (``previous``: its id and evaluation time, which together name one immutable assessment
    even where ids are reused; None for a first assessment): one query for both, or for
    the newest alone once the previous parts are in the cache."""
    name = f"previous-parts:{previous[0]}:{previous[1].isoformat()}" if previous else ""
    found = cache.get(name) if previous else None
    ids = [newest_id] + ([previous[0]] if previous and found is None else [])
    stored = dict(Assessment.objects.filter(id__in=ids).values_list("id", "explanation"))
    newest = stored.get(newest_id) or {}
    if previous is None or found is not None:
        return newest, found
    earlier = stored.get(previous[0])
    if earlier is None:
        return newest, None
    parts = {part: earlier.get(part) for part in changes.PARTS}
    parts["indicators"] = _compared_indicators(earlier)
    cache.set(name, parts, PREVIOUS_CACHE_SECONDS)
    return newest, parts


def _compared_indicators(explanation: dict[str, Any]) -> dict[str, Any]:
    """The indicator table with only the columns the comparison reads."""
    rows = contributions_from_dict(explanation)
    columns = [c for c in changes.INDICATOR_COLUMNS if not rows or c in rows[0]]
    return {"columns": columns, "rows": [[row.get(c) for c in columns] for row in rows]}


# --- Daily brief -------------------------------------------------------------------------


def recent_decisions(*, user: Any, since: dt.datetime) -> list[Decision]:
    """Decisions of the visible posts since a time, and every legacy decision without an
    assessment whenever it was taken (the brief flags them), newest first: one query."""
    return list(
        Decision.objects.filter(post__in=posts_visible_to(user))
        .filter(Q(decided_at__gte=since) | Q(origin=DecisionOrigin.LEGACY, assessment__isnull=True))
        .select_related("post", "decided_by", "assessment")
        .defer("assessment__explanation")
        .order_by("-decided_at", "-id")
    )


def level_names_of(*, post_ids: set[int]) -> dict[tuple[int, int], str]:
    """{(post id, rank): level name} for some posts: one query (none without posts)."""
    if not post_ids:
        return {}
    return {
        (post_id, rank): name
        for post_id, rank, name in AlertLevel.objects.filter(post_id__in=post_ids).values_list(
            "post_id", "rank", "name"
        )
    }


def brief_details(*, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The parts of some assessments' explanations that the verdict sentence and the
    reasons are said from, under the explanation's own keys (a slice of it, which
    readiness.wording.verdict reads as it reads the whole), by id. One query, always (on
    an id that matches nothing when none is asked for), so the brief's query count does
    not depend on what its cache holds."""
    rows = Assessment.objects.filter(id__in=ids or [0]).values(
        "id",
        "verdict",
        "current_level",
        "recommended_level",
        watch_window_days=F("explanation__params__watch_window_days"),
        **{f"part_{part}": F(f"explanation__{part}") for part in BRIEF_PARTS},
    )
    loaded: dict[int, dict[str, Any]] = {}
    for row in rows:
        # A plain dict: the parts' keys are made up above, so the row's type does not know them.
        values: dict[str, Any] = dict(row)
        exp = {part: values[f"part_{part}"] for part in BRIEF_PARTS}
        exp["params"] = {"watch_window_days": values["watch_window_days"]}
        exp.update(verdict=values["verdict"], current_level=values["current_level"])
        exp["recommended_level"] = values["recommended_level"]
        loaded[values["id"]] = exp
    return loaded


# What the verdict sentence is said from, besides the assessment's own columns (verdict,
# levels now and recommended); the whole explanation is ten times larger.
BRIEF_PARTS = (
    "next_level_margin_rank",
    "levels",
    "routes",
    "reasons",
    "verdict_text",  # formats 1 to 3: the English, should their figures not be readable
)
