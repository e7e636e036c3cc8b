"""What each page shows, assembled lazily: a panel's rows are read the first time its
template asks for them, so an HTMX refresh of one panel reads only that panel's rows, and
the full page reads each set once (a fixed number of queries, pinned in the tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from functools import cached_property, partial
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.forms import Form
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from readiness.assessments.changes import assessment_changes
from readiness.assessments.models import Assessment
from readiness.briefs import hooks as brief_hooks
from readiness.briefs import since as since_reads
from readiness.briefs.models import IssuedBrief
from readiness.briefs.services import author_name
from readiness.engine import contributions_from_dict
from readiness.indicators.models import Credibility, Reliability
from readiness.posts import access
from readiness.posts.models import AlertLevel, Category, ExitRoute, Post, RouteStatus
from readiness.wording import numbers
from readiness.wording.details import detail
from readiness.wording.verdict import verdict as verdict_sentence
from readiness.wording.vocabulary import REASON_KINDS, VERDICT_MARKS, shipped

from . import changes, charts, explanation, gauge, loads, maps, selectors
from .changes import ChangesPanel
from .forms import (
    DecisionForm,
    IndicatorFilterForm,
    IndicatorForm,
    OverviewFilterForm,
    RouteCheckForm,
    StaffConfirmForm,
)
from .gauge import Gauge

HISTORY_DAYS = 30

V = TypeVar("V")

POLL_SECONDS = 2
# Overview rows per page: what a screen holds, most urgent first (docs/dashboards.md).
OVERVIEW_PAGE_SIZE = 50


@dataclass(slots=True)
class OverviewRowView:
    """One overview row's words and flags; templates/dashboard/overview.html writes it."""

    verdict: str
    mark: str
    word: str
    code: str
    href: str
    name: str
    place: str
    current: str
    failing: bool
    assessed: bool = False
    strong: bool = False  # the recommended level differs from the level now
    recommended: str = ""
    threat: str = ""
    sparkline: charts.Sparkline | None = None
    trend: str = ""
    overdue: bool = False
    margin: str = ""
    preparedness: int = 0
    iso: str = ""
    stamp: str = ""
    age: str = ""


def _row_key(row: selectors.OverviewRow) -> str:
    """Everything an overview row shows but its age: the post's names and level, the level
    names, the failure flag and the newest assessment (immutable: its id and time)."""
    post, a = row.post, row.assessment
    shown = (
        post.code, post.name, post.city, post.country, post.region, post.level,
        bool(post.rescore_error), row.current_level_name, row.recommended_level_name,
        (a["id"], a["evaluated_at"].timestamp()) if a else None,
    )  # fmt: skip
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


def row_values(obj: Any) -> tuple[Any, ...]:
    """Every stored column of a model instance, for a cache key."""
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def shown_value(value: Any) -> Any:
    """A panel's data for a cache key: model instances as their stored columns, dataclasses
    field by field (a field added later is in the key without anyone remembering it),
    lists, tuples and dicts item by item."""
    if isinstance(value, Model):
        return row_values(value)
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(shown_value(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, list | tuple):
        return tuple(shown_value(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, shown_value(v)) for k, v in value.items())
    return value


def shown_key(name: str, *shown: Any) -> str:
    """A cache key for a panel from everything it shows (and the language it is said in):
    when any of it changes, the key does, so a cached panel is never stale."""
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return f"{name}.{get_language()}.{digest}"


class Slot(Generic[V]):
    """One cached fragment of a page (an overview row, a post's section of the brief): its
    cache key for the template's {% cache %}, and its view, made only when the cache misses."""

    def __init__(self, key: str, make: Callable[[], V]) -> None:
        self.key = key
        self._make = make

    @cached_property
    def view(self) -> V:
        return self._make()


# How long the brief keeps an assessment's words (it never changes; this only bounds memory).
BRIEF_CACHE_SECONDS = 24 * 3600


class OverviewPage:
    def __init__(self, *, user: Any, params: Any, now: dt.datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()
        self.filters = selectors.OverviewFilters(
            region=params.get("region", "").strip()[:60],
            verdict=params.get("verdict", "").strip()[:12],
            q=params.get("q", "").strip()[:100],
        )
        page = str(params.get("page", "1")).strip()
        self.requested_page = int(page) if page.isdigit() and len(page) < 6 else 1
        self.poll_seconds = POLL_SECONDS

    @cached_property
    def version(self) -> str:
        """The token of what this page shows (from its rows: no query of its own)."""
        return self.data.version

    @cached_property
    def data(self) -> selectors.Overview:
        # Without the summaries: only a row rendered anew needs its sparkline's points
        # (trend_points, read for the page's rows in one query on the first miss).
        return selectors.overview(user=self.user, filters=self.filters, now=self.now, trend=False)

    @cached_property
    def page_number(self) -> int:
        """The page of rows shown (1-based), within the pages there are."""
        last = max(1, math.ceil(len(self.data.rows) / OVERVIEW_PAGE_SIZE))
        return min(max(1, self.requested_page), last)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.data.rows) / OVERVIEW_PAGE_SIZE))

    @cached_property
    def rows(self) -> list[Slot[OverviewRowView]]:
        """The rows of this page, most urgent first: a screenful (OVERVIEW_PAGE_SIZE); the
        others are found by filter or on the next pages. Each row's HTML is cached (the
        template's {% cache %}) under its key; its words are built only on a miss."""
        start = (self.page_number - 1) * OVERVIEW_PAGE_SIZE
        minute = int(self.now.timestamp() // 60)  # ages are said to the minute
        language = get_language()
        return [
            Slot(f"{_row_key(row)}.{language}.{minute}", partial(self.row_view, row))
            for row in self.data.rows[start : start + OVERVIEW_PAGE_SIZE]
        ]

    @cached_property
    def trend_points(self) -> dict[int, tuple[Any, ...]]:
        """The sparkline's points of this page's rows, by assessment id: one query, made
        only when a row is rendered anew (a warm overview decodes no summary)."""
        start = (self.page_number - 1) * OVERVIEW_PAGE_SIZE
        ids = [
            row.assessment["id"]
            for row in self.data.rows[start : start + OVERVIEW_PAGE_SIZE]
            if row.assessment
        ]
        return selectors.trend_points_of(ids)

    def row_view(self, row: selectors.OverviewRow) -> OverviewRowView:
        with numbers.same_locale():
            return self._row(row)

    def _row(self, row: selectors.OverviewRow) -> OverviewRowView:
        a = row.assessment
        post = row.post
        place = ", ".join(filter(None, (post.city, post.country)))
        if post.region:
            place += f" · {post.region}"
        view = OverviewRowView(
            verdict=row.verdict,
            mark=VERDICT_MARKS.get(row.verdict, ""),
            word=numbers.verdict_word(row.verdict),
            code=post.code,
            href=reverse("dashboard:post", args=[post.code]),
            name=post.name,
            place=place,
            current=f"{post.level} · {shipped(row.current_level_name)}",
            failing=bool(post.rescore_error),
        )
        if a:
            margin = a["next_level_margin_days"]
            evaluated = a["evaluated_at"]
            view.assessed = True
            view.strong = a["recommended_level"] != post.level
            view.recommended = f"{a['recommended_level']} · {shipped(row.recommended_level_name)}"
            view.threat = numbers.number(a["threat_index"])
            view.sparkline = charts.sparkline(self.trend_points.get(a["id"], ()))
            view.trend = f"{numbers.signed(a['trend_per_day'])} {self.per_day}"
            view.overdue = margin is not None and margin < 0
            view.margin = numbers.margin_text(margin)
            view.preparedness = round(a["preparedness"])
            view.iso = evaluated.isoformat()
            view.stamp = evaluated.strftime("%Y-%m-%d %H:%M UTC")
            view.age = numbers.age_text(evaluated, self.now)
        return view

    @cached_property
    def per_day(self) -> str:
        return _("per day")

    def page_url(self, number: int) -> str:
        query = self.query
        page = f"page={number}" if number > 1 else ""
        joined = "&".join(filter(None, (query, page)))
        return f"{reverse('dashboard:overview')}{'?' + joined if joined else ''}"

    @property
    def previous_page_url(self) -> str:
        return self.page_url(self.page_number - 1) if self.page_number > 1 else ""

    @property
    def next_page_url(self) -> str:
        return self.page_url(self.page_number + 1) if self.page_number < self.pages else ""

    @cached_property
    def form_key(self) -> str:
        """The filter form's cache key: the filters and the regions it offers."""
        return shown_key("overview-filters", self.filters, self.data.regions)

    @cached_property
    def form(self) -> OverviewFilterForm:
        return OverviewFilterForm(
            initial={
                "region": self.filters.region,
                "verdict": self.filters.verdict,
                "q": self.filters.q,
            },
            regions=self.data.regions,
        )

    @property
    def query(self) -> str:
        return urlencode(
            {
                k: v
                for k, v in (
                    ("region", self.filters.region),
                    ("verdict", self.filters.verdict),
                    ("q", self.filters.q),
                )
                if v
            }
        )

    @property
    def poll_url(self) -> str:
        query = "&".join(
            filter(None, (self.query, f"page={self.page_number}" if self.page_number > 1 else ""))
        )
        return f"{reverse('dashboard:overview')}?{query + '&' if query else ''}since={self.version}"

    @cached_property
    def table_key(self) -> str:
        """The table, its pager and the world map as one cached panel: the rows' keys (each
        names what its row shows), the minute their ages are said to, the pages and the
        map's key. One cache read where each row was one."""
        return shown_key(
            "overview-table", [slot.key for slot in self.rows], self.now.replace(second=0, microsecond=0),
            self.page_number, self.pages, self.query, self.data.total, self.world_map.key,
        )  # fmt: skip

    @cached_property
    def world_map(self) -> Slot[maps.WorldMap]:
        """Every post the filters keep (every page's) on the world map, by verdict; its
        SVG is cached under its inputs (templates/dashboard/maps/world_map.html)."""
        inputs = maps.world_inputs(self.data.rows)
        return Slot(
            maps.map_key(inputs),
            partial(maps.world_map, inputs, lambda code: reverse("dashboard:post", args=[code])),
        )

    @cached_property
    def counts(self) -> list[tuple[str, str, str, int]]:
        order = ["late", "act_now", "watch", "on_time", "too_early", "not_assessed"]
        return [
            (v, numbers.verdict_word(v), VERDICT_MARKS[v], self.data.counts[v])
            for v in order
            if self.data.counts.get(v)
        ]


class PostPage:
    """Everything the post page shows. Forms can be replaced by bound ones (with errors)."""

    # Set by a write's view when the re-score it asked for is queued, not yet done.
    rescoring = False

    def __init__(
        self,
        *,
        post: Post,
        user: Any,
        params: Any,
        now: dt.datetime | None = None,
        forms: dict[str, Any] | None = None,
        saved: str = "",
    ) -> None:
        self.post = post
        self.saved = saved  # which form was just saved, to say so in place
        self.user = user
        self.params = params
        self.now = now or timezone.now()
        self.tz = zoneinfo.ZoneInfo(post.timezone)
        self.bound = forms or {}
        self.poll_seconds = POLL_SECONDS
        self.can_decide = access.can_decide(user)
        # readiness/posts/access.py: read-only viewers see the forms' panels without forms;
        # without the personal-data permission the roster shows counts, not people.
        self.can_write = access.can_write(user)
        self.personal = access.sees_personal_data(user)

    # --- rows ----------------------------------------------------------------------------

    @cached_property
    def ladder(self) -> list[AlertLevel]:
        return selectors.ladder_with_checklists(post=self.post)

    @cached_property
    def level_names(self) -> dict[int, str]:
        return {level.rank: level.name for level in self.ladder}

    def level_label(self, rank: int | None) -> str:
        if rank is None:
            return ""
        return f"{rank} · {shipped(self.level_names.get(rank, str(rank)))}"

    @cached_property
    def current_level_label(self) -> str:
        return self.level_label(self.post.level)

    @cached_property
    def assessment(self) -> Assessment | None:
        """The newest assessment, with the id and time of the one before it, without its
        explanation: the cache keys need its headline only (``explained`` has the rest)."""
        return selectors.newest_assessment_with_previous(post=self.post)

    @cached_property
    def _explanations(self) -> dict[str, Any] | None:
        """Reads the newest assessment's explanation into it, with the compared parts of the
        one before it (returned): one query, made only when a panel is drawn anew."""
        a = self.assessment
        if a is None:
            return None
        previous_id = getattr(a, "previous_id", None)
        previous_at = getattr(a, "previous_at", None)
        a.explanation, previous = selectors.explanations(
            newest_id=a.pk,
            previous=(previous_id, previous_at) if previous_id and previous_at else None,
        )
        return previous

    @property
    def explained(self) -> Assessment:
        """The newest assessment with its explanation, for the panels that say it (only
        where the post has been assessed)."""
        self._explanations  # noqa: B018  (read once, into the assessment)
        if self.assessment is None:
            raise LookupError(f"{self.post.code} has no assessment")
        return self.assessment

    # The explanation, "what changed" and capacity panels are written from the newest
    # assessment, which never changes once stored: their HTML is cached (the {% cache %}
    # tag, Django's cache) under a key naming everything else they show.
    fragment_seconds = 24 * 3600

    @cached_property
    def fragment_key(self) -> str:
        """The assessment (id and time), the language, the level now and the names the
        panels print (the ladder's, and the routes' where the language needs them)."""
        a = self.assessment
        if a is None:
            return f"none.{get_language()}"
        names = repr(
            (sorted(self.level_names.items()), sorted(self._route_names_if_needed().items()))
        )
        digest = hashlib.blake2b(names.encode(), digest_size=8).hexdigest()
        return f"{a.pk}.{a.evaluated_at.timestamp()}.{get_language()}.{self.post.level}.{digest}"

    @cached_property
    def routes(self) -> list[Any]:
        return selectors.routes_of(post=self.post)

    @cached_property
    def route_names(self) -> dict[str, str]:
        return {route.key: numbers.route_label(route) for route in self.routes}

    def _route_names_if_needed(self) -> dict[str, str]:
        # English uses the engine's own sentence and names: no need to read the routes.
        return {} if (get_language() or "en").startswith("en") else self.route_names

    @cached_property
    def gauge(self) -> Gauge | None:
        """Said from the newest assessment (immutable) and the names in ``fragment_key``:
        kept in Django's cache under that key, so the page's head is drawn anew (when any
        other panel changes) without reading the explanation."""
        if self.assessment is None:
            return None
        said: Gauge | None = cache.get_or_set(
            f"post-gauge:{self.fragment_key}",
            lambda: gauge.gauge(
                assessment=self.explained,
                level_names=self.level_names,
                route_names=self._route_names_if_needed(),
            ),
            self.fragment_seconds,
        )
        return said

    @cached_property
    def explanation(self) -> explanation.Explanation | None:
        if self.assessment is None:
            return None
        return explanation.explanation(
            exp=self.explained.explanation,
            level_names=self.level_names,
            route_names=self._route_names_if_needed(),
            indicators=self.indicators_named,
            category_labels=dict(Category.choices),
        )

    @cached_property
    def indicators_named(self) -> dict[int, Any]:
        """The indicators the page names with their text: the evidence of the met triggers
        and those in the "what changed" panel (one query for both)."""
        if self.assessment is None:
            return {}
        ids = explanation.evidence_ids(self.explained.explanation)
        for change in self.changes:
            key = str(change.facts.get("id", "")) if change.code.startswith("indicator_") else ""
            if key.isdigit():
                ids.add(int(key))
        return selectors.indicators_by_id(post=self.post, ids=ids)

    @property
    def previous_explanation(self) -> dict[str, Any] | None:
        """What the "what changed" panel compares of the assessment before the newest."""
        return self._explanations

    @cached_property
    def changes(self) -> list[Any]:
        """What changed since the assessment before the newest, biggest first."""
        if self.assessment is None or self.previous_explanation is None:
            return []
        return assessment_changes(self.previous_explanation, self.explained.explanation)

    @cached_property
    def changes_panel(self) -> ChangesPanel | None:
        if self.assessment is None:
            return None
        return changes.changes_panel(
            self.changes,
            previous_at=getattr(self.assessment, "previous_at", None)
            if self.previous_explanation is not None
            else None,
            level_names=self.level_names,
            route_names=self._route_names_if_needed(),
            indicators=self.indicators_named,
            category_labels=dict(Category.choices),
        )

    @cached_property
    def load_traces(self) -> list[loads.LevelTrace]:
        """Each level's load and the seats against it, group by group and route by route."""
        if self.assessment is None:
            return []
        return loads.level_traces(
            self.explained.explanation,
            level_names=self.level_names,
            route_names=self._route_names_if_needed(),
            focus_rank=self.capacity_rank,
        )

    @cached_property
    def decisions(self) -> list[Any]:
        return selectors.decision_log(post=self.post)

    @cached_property
    def history_chart(self) -> charts.HistoryChart:
        exp: dict[str, Any] = self.explained.explanation if self.assessment else {}
        end = self.assessment.evaluated_at if self.assessment else self.now
        end = max(end, self.now)
        history = selectors.assessment_history(
            post=self.post, since=end - dt.timedelta(days=HISTORY_DAYS)
        )
        return charts.history_chart(
            now=end,
            days=HISTORY_DAYS,
            trend_points=(exp.get("trend") or {}).get("points", []),
            history=history,
            decisions=self.decisions,
            current_level=self.post.level,
            level_names=self.level_names,
            tz=self.tz,
        )

    @cached_property
    def capacity_rank(self) -> int | None:
        return explanation.focus_rank(self.explained.explanation) if self.assessment else None

    @cached_property
    def capacity_chart(self) -> charts.CapacityChart | None:
        if self.assessment is None or self.capacity_rank is None:
            return None
        return charts.capacity_chart(
            exp=self.explained.explanation,
            rank=self.capacity_rank,
            level_name=self.level_label(self.capacity_rank),
        )

    @cached_property
    def indicator_filter_form(self) -> IndicatorFilterForm:
        return IndicatorFilterForm(self.params or None)

    @cached_property
    def indicator_filters(self) -> selectors.IndicatorFilters:
        form = self.indicator_filter_form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            return selectors.IndicatorFilters(
                category=data.get("category") or "",
                min_severity=data.get("min_severity"),
                days=data.get("days"),
                ongoing=bool(data.get("ongoing")),
                limit=data.get("limit") or 25,
            )
        return selectors.IndicatorFilters()

    @cached_property
    def timeline(self) -> tuple[list[Any], bool]:
        return selectors.indicator_timeline(
            post=self.post, filters=self.indicator_filters, now=self.now
        )

    @cached_property
    def weights(self) -> dict[int, tuple[float, str]]:
        """Each weighing indicator's weight now and its status, from the explanation."""
        if self.assessment is None:
            return {}
        return {
            int(c["id"]): (c["weight"], c["status"])
            for c in contributions_from_dict(self.explained.explanation)
            if str(c.get("id", "")).isdigit()
        }

    @cached_property
    def page_key(self) -> str:
        """The whole page but the check-in panel (which changes as answers come in): every
        panel's key, and what the head, the gauge and the map show besides (the post's row,
        the assessment, the minute its age is said to, the rights and the filters). Empty
        when any panel is not to be kept (a form with errors, a notice, a re-score running).
        """
        if self.bound or self.saved or self.rescoring:
            return ""
        keys = (
            self.decision_form_key, self.indicator_form_key, self.checklists_key,
            self.decisions_key, self.history_key, self.routes_key, self.roster_key,
            self.timeline_key,
        )  # fmt: skip
        if not all(keys):
            return ""
        return self._key(
            "page", keys, self.fragment_key, self.post_map.key, row_values(self.post),
            self._assessment_shown, self.minute, self.params and sorted(self.params.lists()),
            self.can_write, self.can_decide, self.personal, self.poll_seconds,
        )  # fmt: skip

    @cached_property
    def timeline_key(self) -> str:
        """The timeline panel's cache key: its rows as read (every column, and the names
        printed with them), the filters, the assessment whose weights it shows and who may
        withdraw what. Empty while a withdrawal form has errors to show."""
        if any(name.startswith("withdraw-") for name in self.bound):
            return ""
        rows, more = self.timeline
        shown = [
            (
                row_values(i),
                i.recorded_by and i.recorded_by.get_username(),
                i.withdrawn_by and i.withdrawn_by.get_username(),
                getattr(getattr(i, "correction", None), "pk", None),
            )
            for i in rows
        ]
        return self._key(
            "timeline", more, shown, self._assessment_shown, self.indicator_filters,
            self.params and sorted(self.params.lists()), self.can_decide or self.user.pk,
        )  # fmt: skip

    @cached_property
    def timeline_rows(self) -> list[dict[str, Any]]:
        """Rows as plain strings: the timeline can be long and template lookups are slow."""
        rows, _more = self.timeline
        weights = self.weights
        categories = dict(Category.choices)
        reliability = dict(Reliability.choices)
        credibility = dict(Credibility.choices)
        ongoing, event, expired, uncounted = (
            _("ongoing"),
            _("event"),
            _("expired"),
            _("not counted"),
        )
        out = []
        for i in rows:
            weight, status = weights.get(i.pk, (None, ""))
            observed = timezone.localtime(i.observed_at, self.tz)
            if i.ongoing and not i.ended_at:
                state = ongoing
            elif i.ended_at:
                state = _("ended %(when)s") % {
                    "when": numbers.date_format(timezone.localtime(i.ended_at, self.tz), "j M")
                }
            else:
                state = event
            source = i.source
            if i.recorded_by_id:
                source += ", " + _("recorded by %(who)s") % {"who": i.recorded_by.get_username()}
            amended = self._amended(i)
            if amended:
                state = amended
            out.append(
                {
                    "id": i.pk,
                    "iso": observed.isoformat(),
                    "observed": numbers.date_format(observed, "j M Y H:i"),
                    "category": str(categories.get(i.category, i.category)),
                    "severity": i.severity,
                    "grading": f"{i.reliability}{i.credibility}",
                    "grading_title": f"{reliability.get(i.reliability, '')}; "
                    f"{credibility.get(i.credibility, '')}",
                    "text": i.text,
                    "source": source,
                    "status": state,
                    "weight": expired
                    if status == "expired"
                    else (numbers.number(weight, 2) if weight is not None else uncounted),
                    "withdrawn": i.withdrawn_at is not None,
                    "corrects": i.corrects_id,
                    "reason": i.withdrawal_reason,
                    "may_withdraw": i.withdrawn_at is None
                    and (self.can_decide or i.recorded_by_id == self.user.pk),
                    "withdraw_form": self.bound.get(f"withdraw-{i.pk}"),
                }
            )
        return out

    def _amended(self, i: Any) -> str:
        """An indicator's correction or withdrawal, said on the timeline (the row stays:
        it is evidence; it no longer counts from then)."""
        if i.withdrawn_at is None:
            return (
                _("corrects #%(id)s") % {"id": i.corrects_id} if i.corrects_id is not None else ""
            )
        when = numbers.date_format(timezone.localtime(i.withdrawn_at, self.tz), "j M H:i")
        correction = getattr(i, "correction", None)
        if correction is not None:
            return _("superseded by #%(id)s on %(when)s") % {"id": correction.pk, "when": when}
        if i.withdrawn_by_id is not None:
            return _("withdrawn by %(who)s on %(when)s") % {
                "who": i.withdrawn_by.get_username(),
                "when": when,
            }
        return _("withdrawn on %(when)s") % {"when": when}

    @property
    def timeline_more(self) -> bool:
        return self.timeline[1]

    @cached_property
    def roster(self) -> selectors.RosterSummary:
        return selectors.roster_summary(
            post=self.post,
            staff_query=self.staff_query,
            now=self.now,
            to_confirm=8 if self.personal else 0,
            places=self.map_places,
        )

    @property
    def staff_query(self) -> str:
        if not self.personal:
            return ""  # a search by name would tell whether someone is on the roster
        return (self.params.get("staff_q", "") if self.params else "").strip()[:100]

    @cached_property
    def checklists(self) -> list[AlertLevel]:
        """The current level's checklist, the next one's, and the recommended level's when
        that is further up."""
        ranks = {self.post.level, self.post.level + 1}
        if self.assessment is not None:
            ranks.add(self.assessment.recommended_level)
        return [level for level in self.ladder if level.rank in ranks]

    # --- forms ---------------------------------------------------------------------------

    @cached_property
    def indicator_form(self) -> IndicatorForm:
        return self.bound.get("indicator") or IndicatorForm()

    @cached_property
    def decision_form(self) -> DecisionForm:
        if "decision" in self.bound:
            bound: DecisionForm = self.bound["decision"]
            return bound
        initial: dict[str, Any] = {}
        if self.assessment is not None:
            initial["assessment"] = self.assessment.pk
            if self.assessment.recommended_level != self.post.level:
                initial["to_level"] = self.assessment.recommended_level
        return DecisionForm(initial=initial, levels=self.ladder, current=self.post.level)

    @cached_property
    def decision_assessment(self) -> Assessment | None:
        """The assessment the decision form is taken against (what the officer sees)."""
        form = self.decision_form
        wanted = form.data.get("assessment") if form.is_bound else form.initial.get("assessment")
        if self.assessment is not None and str(wanted) == str(self.assessment.pk):
            return self.assessment
        if wanted and str(wanted).isdigit():
            return Assessment.objects.filter(post=self.post, pk=int(wanted)).first()
        return None

    @cached_property
    def decision_gauge(self) -> Gauge | None:
        a = self.decision_assessment
        if a is None:
            return None
        if a is self.assessment:
            return self.gauge
        return gauge.gauge(assessment=a, level_names=self.level_names, route_names={})

    def route_form(self, route: Any) -> Form:
        return self.bound.get(f"route-{route.pk}") or RouteCheckForm(
            prefix=f"route-{route.pk}",
            initial={"status": route.status, "seats_per_day": route.seats_per_day},
        )

    @cached_property
    def map_places(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The assembly points and warden zones: drawn on the map, counted by the roster."""
        return selectors.map_places(post=self.post)

    @cached_property
    def post_map(self) -> Slot[maps.PostMap | None]:
        """The city and region maps (templates/dashboard/maps/post_map.html): their SVG is
        cached under everything they show, read in two small queries beside the routes."""
        points, zones = self.map_places
        inputs = maps.post_map_inputs(self.post, self.routes, points, zones)
        return Slot(maps.map_key(inputs), partial(maps.post_map, inputs))

    @cached_property
    def route_rows(self) -> list[dict[str, Any]]:
        recent = self.now - dt.timedelta(hours=72)
        return [
            {
                "route": route,
                "label": numbers.route_label(route),
                "form": self.route_form(route),
                "fresh": route.verified_at is not None and route.verified_at >= recent,
            }
            for route in self.routes
        ]

    @cached_property
    def staff_rows(self) -> list[dict[str, Any]]:
        recent = self.now - dt.timedelta(days=30)
        rows = []
        for staff in self.roster.to_confirm:
            form = self.bound.get(f"staff-{staff.pk}") or StaffConfirmForm(
                prefix=f"staff-{staff.pk}",
                initial={"present": staff.present, "phone": staff.phone, "email": staff.email},
            )
            rows.append(
                {
                    "staff": staff,
                    "form": form,
                    "fresh": staff.last_confirmed_at is not None
                    and staff.last_confirmed_at >= recent,
                }
            )
        return rows

    # --- cache keys of the panels with forms and rows -------------------------------------
    # Each names everything its panel shows (read here anyway, or immutable), so the cached
    # panel is never stale; panels that print an age or a "due" flag also name the minute.
    # A bound form (with errors to show) or a "saved" notice renders without the cache.

    @cached_property
    def minute(self) -> dt.datetime:
        return self.now.replace(second=0, microsecond=0)

    def _key(self, name: str, *shown: Any) -> str:
        post = self.post
        return shown_key(name, post.pk, post.code, post.timezone, post.level, *shown)

    @cached_property
    def decision_form_key(self) -> str:
        if "decision" in self.bound or self.saved == "decision":
            return ""
        return self._key("decision-form", self.can_decide, self._assessment_shown)

    @cached_property
    def _assessment_shown(self) -> tuple[Any, ...]:
        """The newest assessment in a key: its id, time and headline (immutable), and the
        level names it is said with."""
        a = self.assessment
        return (
            a and (a.pk, a.evaluated_at, a.verdict, a.recommended_level),
            sorted(self.level_names.items()),
        )

    @cached_property
    def indicator_form_key(self) -> str:
        if "indicator" in self.bound or self.saved == "indicator":
            return ""
        return self._key("indicator-form", self.can_write)

    @cached_property
    def checklists_key(self) -> str:
        shown = [
            (row_values(level), [
                (row_values(item), item.ready_by and item.ready_by.get_username())
                for item in level.actions.all()
            ])
            for level in self.checklists
        ]  # fmt: skip
        return self._key("checklists", self.can_write, self._assessment_shown, shown)

    @cached_property
    def decisions_key(self) -> str:
        # Decisions and assessments are immutable: their ids, and the names said with them.
        shown = [
            (row_values(d), d.decided_by and (d.decided_by.get_full_name(),
             d.decided_by.get_username()),
             d.assessment and (d.assessment.recommended_level, d.assessment.verdict))
            for d in self.decisions
        ]  # fmt: skip
        return self._key("decisions", shown, sorted(self.level_names.items()))

    @cached_property
    def history_key(self) -> str:
        """The history chart: the newest assessment stands for the history up to it; the
        decisions drawn; the minute its time axis ends on."""
        return self._key(
            "history", self._assessment_shown,
            [(d.pk, d.decided_at, d.to_level) for d in self.decisions], self.minute,
        )  # fmt: skip

    @cached_property
    def routes_key(self) -> str:
        if any(name.startswith("route-") for name in self.bound) or self.saved == "route":
            return ""
        return self._key(
            "routes", self.can_write, self.minute, [row_values(r) for r in self.routes]
        )

    @cached_property
    def roster_key(self) -> str:
        if any(name.startswith("staff-") for name in self.bound) or self.saved == "staff":
            return ""
        return self._key(
            "roster", self.can_write, self.personal, self.staff_query, self.minute,
            shown_value(self.roster),
        )  # fmt: skip

    # --- URLs ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return reverse("dashboard:post", args=[self.post.code])

    @property
    def query(self) -> str:
        if not self.params:
            return ""
        keep = ("category", "min_severity", "days", "ongoing", "limit", "staff_q")
        return urlencode([(k, v) for k in keep for v in self.params.getlist(k) if v])

    @property
    def refresh_url(self) -> str:
        return f"{self.url}?{self.query}" if self.query else self.url

    @property
    def poll_url(self) -> str:
        since = self.assessment.pk if self.assessment else 0
        return f"{reverse('dashboard:post_poll', args=[self.post.code])}?since={since}"


def may_withdraw(user: Any, indicator: Any) -> bool:
    """Duty officers withdraw any indicator of a post they see; others only one they
    recorded themselves (a feed's is the crisis centre's to withdraw)."""
    return bool(access.can_decide(user) or indicator.recorded_by_id == user.pk)


class BriefPage:
    """The morning brief: a summary first, then one section per visible post (one printed
    page each), with what changed since the last issued brief (readiness/briefs). Each
    section is a cached fragment (a Slot) under a key naming everything it shows, read in
    a fixed number of queries whatever the number of posts."""

    def __init__(
        self, *, user: Any, now: dt.datetime | None = None, issued: IssuedBrief | None = None
    ) -> None:
        self.user = user
        self.now = now or timezone.now()
        # A brief shown as it was issued: its own window, marking and author.
        self.issued = issued
        self.classification = issued.classification if issued else settings.BRIEF_CLASSIFICATION
        self.author = issued.issued_by_name if issued else author_name(user)
        self.can_issue = issued is None and access.can_decide(user)
        self.min_severity = settings.BRIEF_MIN_SEVERITY
        self.extra_sections = brief_hooks.sections()

    @cached_property
    def window(self) -> since_reads.BriefWindow:
        if self.issued is not None:
            return since_reads.window_of(self.issued)
        return since_reads.window_now(now=self.now)

    @property
    def since(self) -> dt.datetime:
        return self.window.since

    @cached_property
    def changed(self) -> since_reads.SinceRows:
        """What changed in the window, for every visible post (a fixed number of queries)."""
        return since_reads.since_rows(posts=access.posts_visible_to(self.user), window=self.window)

    def _since_of(self, post_id: int) -> tuple[Any, ...]:
        c = self.changed
        return (
            c.changes.get(post_id, ()),
            c.decisions.get(post_id, ()),
            c.routes.get(post_id, ()),
            c.indicators.get(post_id, ()),
            c.people.get(post_id, (0, 0)),
            c.items.get(post_id, ()),
            tuple((key, rows.get(post_id, ())) for key, rows in sorted(c.extra.items())),
        )

    @cached_property
    def overview(self) -> selectors.Overview:
        return selectors.overview(user=self.user, filters=selectors.OverviewFilters(), trend=False)

    @cached_property
    def posts(self) -> list[Slot[dict[str, Any]]]:
        """Every visible post, most urgent first. Each post's section is cached (the
        template's {% cache %}) under what it shows: the overview row's key and a digest of
        its changes since the last brief; its words are made only on a miss."""
        suffix = f"{get_language()}.{timezone.get_current_timezone_name()}"
        return [
            Slot(
                f"{_row_key(row)}.{_digest(self._since_of(row.post.pk))}.{suffix}",
                partial(self.post_view, row),
            )
            for row in self.overview.rows
        ]

    @cached_property
    def _words(self) -> dict[int, tuple[str, list[Any]]]:
        """The sentences and reasons of every post, made once for the sections missed."""
        return self.words(self.overview.rows)

    def post_view(self, row: selectors.OverviewRow) -> dict[str, Any]:
        a = row.assessment
        sentence, reasons = self._words.get(a["id"], ("", [])) if a else ("", [])
        with numbers.same_locale():
            view = {
                "row": row,
                "post": row.post,
                "verdict": row.verdict,
                "word": numbers.verdict_word(row.verdict),
                "mark": VERDICT_MARKS.get(row.verdict, ""),
                "current": f"{row.post.level} · {shipped(row.current_level_name)}",
                "recommended": (
                    f"{a['recommended_level']} · {shipped(row.recommended_level_name)}"
                    if a
                    else "—"
                ),
                "threat": numbers.number(a["threat_index"]) if a else "—",
                "trend": numbers.signed(a["trend_per_day"]) if a else "",
                "margin": numbers.margin_text(a["next_level_margin_days"]) if a else "—",
                "preparedness": round(a["preparedness"]) if a else None,
                "evaluated_at": a["evaluated_at"] if a else None,
                "sentence": sentence,
                "reasons": reasons,
            }
            view.update(self._since_view(row.post.pk))
            return view

    @cached_property
    def _labels(self) -> tuple[dict[str, Any], dict[str, Any], Callable[[str], str]]:
        """Category and route status names, and the checklist lines in the active language
        (each shipped line said once a page: hundreds of posts share them)."""
        lines: dict[str, str] = {}

        def said(text: str) -> str:
            if text not in lines:
                lines[text] = shipped(text)
            return lines[text]

        return dict(Category.choices), dict(RouteStatus.choices), said

    def _since_view(self, post_id: int) -> dict[str, Any]:
        """A post's changes since the last brief, in words."""
        c = self.changed
        categories, statuses, said = self._labels
        indicators = c.indicators.get(post_id, [])
        shown_total = indicators[0]["total"] if indicators else 0
        people, dependants = c.people.get(post_id, (0, 0))
        view: dict[str, Any] = {
            "changes": [
                {
                    "when": _when(r["created_at"]),
                    "from": _level(r["from_level"], r["from_name"]) or "—",
                    "to": _level(r["to_level"], r["to_name"]),
                    "from_verdict": numbers.verdict_word(r["from_verdict"])
                    if r["from_verdict"]
                    else "—",
                    "to_verdict": numbers.verdict_word(r["to_verdict"]),
                    "to_code": r["to_verdict"],
                }
                for r in c.changes.get(post_id, [])
            ],
            "decisions": [_decision(r) for r in c.decisions.get(post_id, [])],
            "routes": [
                {
                    "label": numbers.route_label(
                        ExitRoute(
                            mode=r["mode"], from_place=r["from_place"], to_place=r["to_place"]
                        )
                    ),
                    "was": str(statuses.get(r["was"], "—")) if r["was"] else "—",
                    "became": str(statuses.get(r["became"], r["became"])),
                    "checked": _when(r["checked_at"]) if r["checked_at"] else "",
                }
                for r in c.routes.get(post_id, [])
            ],
            "indicators": [
                {
                    "severity": r["severity"],
                    "category": str(categories.get(r["category"], r["category"])),
                    "text": r["text"],
                    "observed": _when(r["observed_at"]),
                    "withdrawn": r["withdrawn_at"] is not None,
                }
                for r in indicators
            ],
            "indicators_more": max(0, shown_total - len(indicators)),
            "people": people,
            "dependants": dependants,
            "items": [
                {"level": r["rank"], "text": said(r["text"])} for r in c.items.get(post_id, [])
            ],
        }
        extra = [
            (section, c.extra.get(section.key, {}).get(post_id, []))
            for section in self.extra_sections
        ]
        view["extra"] = extra
        view["news"] = any(
            (view["changes"], view["decisions"], view["routes"], view["indicators"])
        ) or any(rows for _section, rows in extra)
        return view

    def route_names_of(self, post_id: int) -> dict[str, str]:
        """Today's route names in the active language; in English the names stored with
        the explanation are the same (a route's edit re-scores its post), so no query."""
        if (get_language() or "en").startswith("en"):
            return {}
        return self.route_names.get(post_id, {})

    def words(self, rows: list[selectors.OverviewRow]) -> dict[int, tuple[str, list[Any]]]:
        """Each newest assessment's verdict sentence and reasons, by assessment id, in the
        active language. Said once per assessment, language and time zone and kept in
        Django's cache (an assessment never changes): a brief of hundreds of posts says
        thousands of sentences. The explanations' parts are read in one query, for those
        not in the cache."""
        language = get_language() or ""
        zone = timezone.get_current_timezone_name()
        names = {
            f"brief-words:{a['id']}:{a['evaluated_at'].isoformat()}:{language}:{zone}": a
            for a in (r.assessment for r in rows)
            if a
        }
        found = cache.get_many(list(names))
        missing = {names[k]["id"]: (k, names[k]) for k in names if k not in found}
        parts = selectors.brief_details(ids=list(missing))
        post_of = {r.assessment["id"]: r.post.pk for r in rows if r.assessment}
        fresh = {}
        for pk, (key, _a) in missing.items():
            exp = parts.get(pk)
            if exp is None:
                continue
            fresh[key] = (
                verdict_sentence(exp, route_names=self.route_names_of(post_of[pk])),
                [
                    (str(REASON_KINDS.get(r["kind"], r["kind"])), detail(r))
                    for r in exp.get("reasons") or []
                ],
            )
        cache.set_many(fresh, BRIEF_CACHE_SECONDS)
        found.update(fresh)
        return {names[k]["id"]: v for k, v in found.items()}

    @cached_property
    def route_names(self) -> dict[int, dict[str, str]]:
        """Route names in the active language, for the sentences said again (one query)."""
        names: dict[int, dict[str, str]] = {}
        for route in selectors.routes_of_posts(post_ids=[r.post.pk for r in self.overview.rows]):
            names.setdefault(route.post_id, {})[route.key] = numbers.route_label(route)
        return names

    @cached_property
    def decisions(self) -> list[dict[str, Any]]:
        """Every decision of the window, newest first (the summary's table)."""
        rows = [r for post_rows in self.changed.decisions.values() for r in post_rows]
        rows.sort(key=lambda r: (r["decided_at"], r["id"]), reverse=True)
        return [_decision(r) for r in rows]

    @cached_property
    def unchecked_decisions(self) -> list[dict[str, Any]]:
        """Every legacy decision without an assessment, flagged until reviewed."""
        return [_decision(r) for r in self.changed.unchecked]

    @cached_property
    def counts(self) -> list[tuple[str, str, str, int]]:
        order = ["late", "act_now", "watch", "on_time", "too_early", "not_assessed"]
        return [
            (v, numbers.verdict_word(v), VERDICT_MARKS[v], self.overview.counts[v])
            for v in order
            if self.overview.counts.get(v)
        ]

    @cached_property
    def summary(self) -> Slot[dict[str, Any]]:
        """The first page: counts, totals, the posts with something new and the decisions.
        Its figures are counted on every view (plain values, no query); its HTML is cached
        under them, the decisions shown and the window."""
        c = self.changed
        extra = {key: rows for key, rows in sorted(c.extra.items())}
        news = []
        for row in self.overview.rows:
            pk = row.post.pk
            counted = (
                len(c.changes.get(pk, ())),
                len(c.decisions.get(pk, ())),
                len(c.routes.get(pk, ())),
                c.indicators[pk][0]["total"] if c.indicators.get(pk) else 0,
                tuple(len(rows.get(pk, ())) for rows in extra.values()),
            )
            if any(counted[:4]) or any(counted[4]):
                news.append((row.post.code, row.post.name, row.verdict, counted))
        totals = {
            "changes": sum(len(v) for v in c.changes.values()),
            "decisions": sum(len(v) for v in c.decisions.values()),
            "routes": sum(len(v) for v in c.routes.values()),
            "indicators": sum(v[0]["total"] for v in c.indicators.values() if v),
            "people": sum(v[0] for v in c.people.values()),
            "dependants": sum(v[1] for v in c.people.values()),
            "items": sum(len(v) for v in c.items.values()),
        }
        extra_totals = [
            (section, sum(len(v) for v in extra.get(section.key, {}).values()))
            for section in self.extra_sections
        ]
        shown = (
            news,
            sorted(totals.items()),
            [(s.key, n) for s, n in extra_totals],
            # A decision never changes; the names it is said with may.
            [_decision_shown(r) for rows in c.decisions.values() for r in rows],
            [_decision_shown(r) for r in c.unchecked],
            timezone.get_current_timezone_name(),
        )
        return Slot(
            f"{_digest(shown)}.{get_language()}",
            partial(self.summary_view, news=news, totals=totals, extra=extra_totals),
        )

    def summary_view(
        self, *, news: list[Any], totals: dict[str, int], extra: list[Any]
    ) -> dict[str, Any]:
        with numbers.same_locale():
            return {
                "news": [
                    {
                        "code": code,
                        "name": name,
                        "verdict": verdict,
                        "word": numbers.verdict_word(verdict),
                        "mark": VERDICT_MARKS.get(verdict, ""),
                        "changes": counted[0],
                        "decisions": counted[1],
                        "routes": counted[2],
                        "indicators": counted[3],
                        "extra": list(zip((s for s, _n in extra), counted[4], strict=True)),
                    }
                    for code, name, verdict, counted in news
                ],
                "totals": totals,
                "extra": extra,
                "decisions": self.decisions,
                "unchecked": self.unchecked_decisions,
            }


def _digest(shown: Any) -> str:
    """A short name for what a fragment shows (its ``repr``)."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


def _when(value: dt.datetime) -> str:
    return numbers.date_format(timezone.localtime(value), "j M H:i")


def _level(rank: int | None, name: str | None) -> str:
    if rank is None:
        return ""
    return f"{rank} · {shipped(name or '')}".rstrip(" ·")


def _decision_shown(r: dict[str, Any]) -> tuple[Any, ...]:
    """What the brief shows of a decision that could change: the names of its levels and
    of who decided (the decision itself is evidence, never edited)."""
    return (
        r["id"],
        r["from_name"],
        r["to_name"],
        r["decided_by__first_name"],
        r["decided_by__last_name"],
        r["decided_by__username"],
    )


def _decision(r: dict[str, Any]) -> dict[str, Any]:
    """A decision row of the brief in words."""
    full = f"{r['decided_by__first_name'] or ''} {r['decided_by__last_name'] or ''}".strip()
    return {
        "id": r["id"],
        "code": r["post__code"],
        "iso": r["decided_at"].isoformat(),
        "when": _when(r["decided_at"]),
        "when_long": numbers.date_format(timezone.localtime(r["decided_at"]), "j M Y H:i"),
        "from": _level(r["from_level"], r["from_name"]),
        "to": _level(r["to_level"], r["to_name"]),
        "who": full or r["decided_by__username"] or r["decided_by_name"] or "—",
        "rationale": r["rationale"],
        "against": r["against"],
        "unchecked": r["unchecked"],
    }
