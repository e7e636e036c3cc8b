"""Parse and check a scenario file: the format of SCENARIO.md, every key in docs/scenarios.md.

`parse_scenario` either returns a fully checked `Scenario` or raises `ScenarioError` listing
every problem it found, each with its line and path. Pure Python but for the plausibility
limits (readiness.posts.limits: dates run from 1900 to 2100), which need no settings, so
the replay, the database loader and the tests all read files the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from readiness.engine.defaults import DEFAULT_LADDER, validate_ladder
from readiness.engine.vocabulary import (
    CONDITION_FIELDS,
    CREDIBILITY_RANGE,
    SEVERITY_RANGE,
    Category,
    Group,
    LevelSpec,
    Reliability,
    RouteMode,
    RouteStatus,
    TriggerError,
    TriggerKind,
    TriggerSpec,
)
from readiness.posts.limits import (
    ROUTE_LEAD_TIME_HOURS_MAX,
    TRIGGER_DAYS_MAX,
    date_out_of_range,
)

from .nodes import (
    FLOAT_TAG,
    INT_TAG,
    STR_TAG,
    BoundedLoader,
    Fields,
    Reader,
    describe,
    expansion_problem,
)
from .specs import (
    AssemblyPointSpec,
    CommunityChange,
    CommunitySpec,
    DecisionEvent,
    EndEvent,
    Expectation,
    ExpectationKind,
    IndicatorEvent,
    PostSpec,
    Problem,
    RouteChange,
    RouteSpec,
    Scenario,
    ScenarioError,
    SchoolSpec,
    StaffCategory,
    StaffSpec,
    TimelineEntry,
    WardenSpec,
)

__all__ = [
    "AssemblyPointSpec",
    "CommunityChange",
    "CommunitySpec",
    "DecisionEvent",
    "EndEvent",
    "Expectation",
    "IndicatorEvent",
    "PostSpec",
    "Problem",
    "RouteChange",
    "RouteSpec",
    "Scenario",
    "ScenarioError",
    "SchoolSpec",
    "StaffSpec",
    "TimelineEntry",
    "WardenSpec",
    "load_scenario_file",
    "parse_scenario",
]

SCENARIO_ID = re.compile(r"[a-z0-9-]+")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# The shape the database accepts for a post code (readiness.posts.models.Post.code).
POST_CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{2,8}")
# Route keys become slugs in the database (ExitRoute.key, at most 50 characters).
ROUTE_KEY = re.compile(r"[A-Za-z0-9_-]{1,50}")
# An indicator's `event`: a slug naming what several reports are about.
EVENT_SLUG = re.compile(r"[a-z0-9-]+")
EVENT_MAX_LENGTH = 100
# `expires` as a number of days: at most a century (the date must stay before 2101 anyway).
EXPIRES_DAYS_MAX = 36_525

TOP_REQUIRED = (
    "scenario",
    "title",
    "start",
    "end",
    "post",
    "routes",
    "staff",
    "community",
    "timeline",
)
TOP_OPTIONAL = ("notes", "ladder", "triggers", "schools", "wardens", "assembly_points", "expect")
POST_KEYS = ("code", "name", "country", "city", "timezone", "level")
# Coordinates, optional everywhere (decimal degrees; a point has both or neither).
POINT_KEYS = ("latitude", "longitude")
ROUTE_POINT_KEYS = ("from_latitude", "from_longitude", "to_latitude", "to_longitude")
ROUTE_REQUIRED = ("key", "mode", "from", "to", "status", "seats_per_day", "lead_time_hours")
ROUTE_OPTIONAL = ("closes_at_threat", "usable_from", "notes", *ROUTE_POINT_KEYS)
TRIGGER_FIELDS = (*CONDITION_FIELDS, "active", "reason", "enabled")
STAFF_OPTIONAL = ("count", "name", "role", "essential", "dependants")
EVENT_KINDS = ("indicator", "end", "route", "decision", "community")
COMMUNITY_KEYS = ("registered", "dual_nationals", "unregistered_estimate")
EXPECT_KINDS = ("at_least", "at_most")
EXPECT_KEYS = (*EXPECT_KINDS, "by", "from", "until")
# The key that opens each kind's window, and the one that belongs to the other kind.
EXPECT_OPENS = {"at_least": "by", "at_most": "from"}


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse and check a scenario; raise ScenarioError listing every problem found."""
    try:
        root = yaml.compose(text, Loader=BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc)], source) from None
    except yaml.YAMLError as exc:  # e.g. a character YAML does not allow
        raise ScenarioError([Problem(None, "", f"YAML syntax error: {exc}")], source) from None
    if root is None:
        raise ScenarioError([Problem(None, "", "the file is empty")], source)
    too_large = expansion_problem(root)
    if too_large is not None:
        raise ScenarioError([too_large], source)
    reader = Reader()
    scenario = _ScenarioBuilder(reader).build(root)
    if reader.problems or scenario is None:
        problems = sorted(reader.problems, key=lambda problem: problem.line or 0)
        raise ScenarioError(problems, source)
    return scenario


def load_scenario_file(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file (UTF-8) and parse it; errors name the file."""
    source = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(None, "", f"cannot read the file: {exc}")], source) from exc
    return parse_scenario(text, source=source)


def _syntax_problem(exc: yaml.MarkedYAMLError) -> Problem:
    """PyYAML's own words, in its order: "while parsing X (line n), expected Y"."""
    mark = exc.problem_mark or exc.context_mark
    parts = []
    if exc.context:
        context = exc.context
        started = exc.context_mark
        if started is not None and mark is not None and started.line != mark.line:
            context += f" (line {started.line + 1})"
        parts.append(context)
    if exc.problem:
        parts.append(exc.problem)
    message = "YAML syntax error: " + (", ".join(parts) or str(exc))
    return Problem(None if mark is None else mark.line + 1, "", message)


def _is_default(node: Node | None) -> bool:
    """`default` (or the key left out) selects what the project ships."""
    return node is None or (
        isinstance(node, ScalarNode) and node.tag == STR_TAG and node.value == "default"
    )


@dataclass(frozen=True, slots=True)
class _Dated:
    """A timeline entry read but not yet checked against the rest of the timeline."""

    at: datetime
    fields: Fields  # the entry
    event: Fields  # its one event mapping
    indicator: IndicatorEvent | None = None
    end: EndEvent | None = None
    route: RouteChange | None = None
    decision: DecisionEvent | None = None
    community: CommunityChange | None = None

    def entry(self) -> TimelineEntry:
        return TimelineEntry(
            at=self.at,
            line=self.fields.line,
            indicator=self.indicator,
            end=self.end,
            route=self.route,
            decision=self.decision,
            community=self.community,
        )


class _ScenarioBuilder:
    """Reads one file's node tree section by section; problems go to the Reader."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.zone: tzinfo = UTC  # replaced by the post's zone when it is valid
        self.ranks: frozenset[int] = frozenset(level.rank for level in DEFAULT_LADDER)
        # Keys of indicator entries refused for their own problems: an `end` naming one of
        # them is not reported again as "no indicator with key ...".
        self.refused_keys: set[str] = set()

    def build(self, root: Node) -> Scenario | None:
        top = self.r.mapping(root, "", required=TOP_REQUIRED, optional=TOP_OPTIONAL)
        if top is None:
            return None
        scenario_id = top.text("scenario")
        if scenario_id and not SCENARIO_ID.fullmatch(scenario_id):
            top.problem("scenario", f"must use only a-z, 0-9 and '-', got {scenario_id!r}")
        title = top.text("title")
        notes = top.texts("notes")

        post_fields = top.mapping("post", required=POST_KEYS, optional=POINT_KEYS)
        post = self.post(post_fields) if post_fields else None
        start = top.moment("start", self.zone)
        end = top.moment("end", self.zone)
        if start and end and start[0] > end[0]:
            top.problem("end", f"must not be before start ({start[0]:%Y-%m-%d %H:%M})")

        levels, ladder_fields = self.ladder(top)
        self.ranks = frozenset(level.rank for level in levels)
        if post and post_fields and self.ranks and post.level >= 0 and post.level not in self.ranks:
            post_fields.problem("level", self._not_a_rank(post.level))

        routes = self.routes(top)
        ladder = self.triggers(top, levels, ladder_fields, {route.key for route in routes})
        staff_rows = self._rows(top, "staff", ("category",), STAFF_OPTIONAL)
        staff = tuple(self.staff_row(f) for f in staff_rows)
        schools = self.schools(top)
        community = self.community(top)
        wardens = tuple(
            WardenSpec(
                zone=f.text("zone", max_length=80),
                name=f.text("name", max_length=120),
                contact=f.text("contact", max_length=120),
                **_point_of(f),
            )
            for f in self._rows(top, "wardens", ("zone", "name"), ("contact", *POINT_KEYS))
        )
        assembly_points = self.assembly_points(top)

        if start is None or end is None or post is None or community is None:
            return None
        timeline = self.timeline(top, start, end, community, routes)
        expect = self.expectations(top, start[0], end[0])
        return Scenario(
            id=scenario_id,
            title=title,
            start=start[0],
            end=end[0],
            notes=notes,
            post=post,
            ladder=ladder,
            ladder_is_default=ladder_fields is None,
            triggers_are_default=_is_default(top.get("triggers")),
            routes=routes,
            staff=staff,
            schools=schools,
            community=community,
            wardens=wardens,
            assembly_points=assembly_points,
            timeline=timeline,
            expect=expect,
        )

    # -- helpers ------------------------------------------------------------------------

    def _rows(
        self, top: Fields, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> list[Fields]:
        rows = []
        for path, node in top.items(key):
            fields = self.r.mapping(node, path, required=required, optional=optional)
            if fields is not None:
                rows.append(fields)
        return rows

    def _not_a_rank(self, rank: int) -> str:
        return f"no level of rank {rank} in the ladder (ranks 0 to {max(self.ranks)})"

    def _check_rank(self, fields: Fields, key: str) -> int | None:
        rank = fields.maybe_integer(key, minimum=0)
        if rank is not None and rank >= 0 and self.ranks and rank not in self.ranks:
            fields.problem(key, self._not_a_rank(rank))
        return rank

    # -- sections -----------------------------------------------------------------------

    def post(self, f: Fields) -> PostSpec:
        code = f.text("code")
        if code and not POST_CODE.fullmatch(code):
            f.problem(
                "code", f"must look like ML-BKO (country, dash, 2 to 8 capitals), got {code!r}"
            )
        country = f.text("country")
        if country and not COUNTRY_CODE.fullmatch(country):
            f.problem("country", f"must be an ISO 3166-1 alpha-2 code like ML, got {country!r}")
        timezone = f.text("timezone")
        if timezone:
            try:
                self.zone = ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                f.problem("timezone", f"not a known IANA time zone: {timezone!r}")
        return PostSpec(
            code=code,
            name=f.text("name", max_length=100),
            country=country,
            city=f.text("city", max_length=100),
            timezone=timezone,
            level=f.integer("level", minimum=0),
            **_point_of(f),
        )

    def ladder(self, top: Fields) -> tuple[tuple[LevelSpec, ...], dict[int, Fields] | None]:
        """The levels (without triggers) and, for a custom ladder, each level's fields."""
        node = top.get("ladder")
        if node is None or _is_default(node):
            return DEFAULT_LADDER, None
        if not isinstance(node, SequenceNode):
            top.problem("ladder", f"must be 'default' or a list of levels, got {describe(node)}")
            return (), {}
        mark = self.r.mark()
        levels: dict[int, LevelSpec] = {}
        fields_by_rank: dict[int, Fields] = {}
        rows = self._rows(top, "ladder", ("rank", "name"), ("leaves", "quorum", "actions"))
        for f in rows:
            rank = f.integer("rank", minimum=0)
            level = LevelSpec(
                rank=rank,
                name=f.text("name", max_length=80),
                leaves=frozenset(
                    self.r.choice(group, path, Group) for path, group in f.items("leaves")
                ),
                quorum=f.integer("quorum", default=1, minimum=1),
                actions=f.texts("actions", max_length=200),
            )
            if rank in fields_by_rank:
                f.problem(
                    "rank",
                    f"rank {rank} is given twice (first on line {fields_by_rank[rank].line})",
                )
                continue
            levels[rank] = level
            fields_by_rank[rank] = f
        if not rows and self.r.clean_since(mark):
            top.problem("ladder", "needs at least one level")
        elif set(levels) != set(range(len(rows))) and self.r.clean_since(mark):
            top.problem(
                "ladder",
                f"ranks must run from 0 to {len(rows) - 1}, one per level, got {sorted(levels)}",
            )
        if not self.r.clean_since(mark):
            return (), fields_by_rank  # no ranks: rank checks elsewhere are skipped
        return tuple(levels[rank] for rank in sorted(levels)), fields_by_rank

    def _lead_time(self, f: Fields) -> float:
        """`lead_time_hours`, 0 or more and at most a year (the engine adds it to dates)."""
        hours = f.number("lead_time_hours", minimum=0)
        if hours > ROUTE_LEAD_TIME_HOURS_MAX:
            f.problem(
                "lead_time_hours", f"must be at most {ROUTE_LEAD_TIME_HOURS_MAX}, got {hours:g}"
            )
            return 0.0
        return hours

    def routes(self, top: Fields) -> tuple[RouteSpec, ...]:
        routes: list[RouteSpec] = []
        first_line: dict[str, int] = {}
        for f in self._rows(top, "routes", ROUTE_REQUIRED, ROUTE_OPTIONAL):
            key = f.text("key")
            if key and not ROUTE_KEY.fullmatch(key):
                f.problem("key", f"must be up to 50 letters, digits, '-' or '_', got {key!r}")
            elif key in first_line:
                f.problem(
                    "key", f"route {key!r} is defined twice (first on line {first_line[key]})"
                )
            else:
                first_line[key] = f.line
            routes.append(
                RouteSpec(
                    key=key,
                    mode=f.choice("mode", RouteMode),
                    from_place=f.text("from", max_length=100),
                    to_place=f.text("to", max_length=100),
                    status=f.choice("status", RouteStatus),
                    seats_per_day=f.integer("seats_per_day", minimum=0),
                    lead_time_hours=self._lead_time(f),
                    closes_at_threat=f.maybe_number("closes_at_threat", above=0, maximum=100),
                    usable_from=self._check_rank(f, "usable_from"),
                    notes=f.text("notes"),
                    **_point_of(f, "from_"),
                    **_point_of(f, "to_"),
                )
            )
        return tuple(routes)

    def triggers(
        self,
        top: Fields,
        levels: tuple[LevelSpec, ...],
        ladder_fields: dict[int, Fields] | None,
        route_keys: set[str],
    ) -> tuple[LevelSpec, ...]:
        """The ladder with its triggers: its own (`default`), or the file's list instead."""
        node = top.get("triggers")
        mark = self.r.mark()
        if node is None or _is_default(node):
            ladder = levels
        elif not isinstance(node, SequenceNode):
            top.problem(
                "triggers", f"must be 'default' or a list of triggers, got {describe(node)}"
            )
            return levels
        else:
            by_rank: dict[int, list[TriggerSpec]] = {level.rank: [] for level in levels}
            for f in self._rows(top, "triggers", ("level", "kind", "name"), TRIGGER_FIELDS):
                level_and_spec = self.trigger(f, route_keys)
                if level_and_spec is not None and level_and_spec[0] in by_rank:
                    by_rank[level_and_spec[0]].append(level_and_spec[1])
            ladder = tuple(replace(level, triggers=tuple(by_rank[level.rank])) for level in levels)
        if ladder_fields:
            for level in ladder:
                row = ladder_fields.get(level.rank)
                if row is not None and level.triggers and level.quorum > len(level.triggers):
                    row.problem(
                        "quorum",
                        f"is {level.quorum} but level {level.rank} has only "
                        f"{len(level.triggers)} trigger(s): it could never be indicated",
                    )
        if self.r.clean_since(mark):
            try:
                validate_ladder(ladder)
            except ValueError as exc:  # TriggerError included; the checks above should catch all
                top.problem("triggers" if top.has("triggers") else "ladder", str(exc))
        return ladder

    def trigger(self, f: Fields, route_keys: set[str]) -> tuple[int, TriggerSpec] | None:
        mark = self.r.mark()
        level = self._check_rank(f, "level")
        spec = TriggerSpec(
            kind=f.choice("kind", TriggerKind),
            name=f.text("name", max_length=120),
            category=f.maybe_choice("category", Category),
            threshold=f.maybe_number("threshold"),
            count=f.maybe_integer("count"),
            min_severity=f.maybe_integer("min_severity"),
            within_days=f.maybe_number("within_days", maximum=TRIGGER_DAYS_MAX),
            with_category=f.maybe_choice("with_category", Category),
            with_min_severity=f.maybe_integer("with_min_severity"),
            route=f.maybe_text("route"),
            mode=f.maybe_choice("mode", RouteMode),
            below_seats=f.maybe_integer("below_seats"),
            margin_level=f.maybe_integer("margin_level"),
            below_days=f.maybe_number("below_days", maximum=TRIGGER_DAYS_MAX),
            active=f.boolean("active"),
            reason=f.text("reason"),
            enabled=f.boolean("enabled", default=True),
        )
        if not self.r.clean_since(mark) or level is None:
            return None
        try:
            # The one rule shared with the database and the engine (vocabulary.TriggerSpec).
            spec.validate()
        except TriggerError as exc:
            field, _, message = str(exc).partition(": ")
            node = f.get(field) if field in TRIGGER_FIELDS else None
            if node is not None and message.startswith("must"):
                message += f", got {describe(node)}"
            f.problem(field if field in TRIGGER_FIELDS else None, message or str(exc))
            return None
        if spec.route is not None and spec.route not in route_keys:
            f.problem("route", f"no route with key {spec.route!r} in routes")
        if spec.margin_level is not None and spec.margin_level not in self.ranks:
            f.problem("margin_level", self._not_a_rank(spec.margin_level))
        return (level, spec) if self.r.clean_since(mark) else None

    def staff_row(self, f: Fields) -> StaffSpec:
        if f.has("count") and f.has("name"):
            f.problem(None, "give either name (one person) or count (a group), not both")
        elif not (f.has("count") or f.has("name")):
            f.problem(None, "needs name (one person) or count (a group)")
        category_text = f.text("category")
        category = _staff_category(category_text)
        if category is None and category_text:
            f.problem("category", f"must be one of expatriate, local, got {category_text!r}")
        return StaffSpec(
            count=f.integer("count", default=1, minimum=1),
            name=f.maybe_text("name", max_length=120) or "",
            role=f.text("role", max_length=120),
            category=category or "expatriate",
            essential=f.boolean("essential"),
            dependants=f.integer("dependants", minimum=0),
        )

    def schools(self, top: Fields) -> tuple[SchoolSpec, ...]:
        schools: list[SchoolSpec] = []
        first_line: dict[str, int] = {}
        for f in self._rows(top, "schools", ("name", "pupils", "expatriate_staff"), ("open",)):
            name = f.text("name", max_length=120)
            if name in first_line:
                f.problem(
                    "name", f"school {name!r} is listed twice (first on line {first_line[name]})"
                )
            first_line.setdefault(name, f.line)
            schools.append(
                SchoolSpec(
                    name=name,
                    pupils=f.integer("pupils", minimum=0),
                    expatriate_staff=f.integer("expatriate_staff", minimum=0),
                    open=f.boolean("open", default=True),
                )
            )
        return tuple(schools)

    def community(self, top: Fields) -> CommunitySpec | None:
        f = top.mapping(
            "community",
            required=("registered", "dual_nationals"),
            optional=("unregistered_estimate",),
        )
        if f is None:
            return None
        mark = self.r.mark()
        community = CommunitySpec(
            registered=f.integer("registered", minimum=0),
            dual_nationals=f.integer("dual_nationals", minimum=0),
            unregistered_estimate=f.integer("unregistered_estimate", minimum=0),
        )
        if self.r.clean_since(mark) and community.dual_nationals > community.registered:
            f.problem(
                "dual_nationals",
                f"must not exceed registered ({community.registered}), "
                f"got {community.dual_nationals}",
            )
        return community

    def assembly_points(self, top: Fields) -> tuple[AssemblyPointSpec, ...]:
        points: list[AssemblyPointSpec] = []
        first_line: dict[str, int] = {}
        for f in self._rows(top, "assembly_points", ("name", "capacity"), ("zone", *POINT_KEYS)):
            name = f.text("name", max_length=120)
            if name in first_line:
                f.problem("name", f"{name!r} is listed twice (first on line {first_line[name]})")
            first_line.setdefault(name, f.line)
            points.append(
                AssemblyPointSpec(
                    name=name,
                    capacity=f.integer("capacity", minimum=0),
                    zone=f.text("zone", max_length=80),
                    **_point_of(f),
                )
            )
        return tuple(points)

    # -- timeline -----------------------------------------------------------------------

    def timeline(
        self,
        top: Fields,
        start: tuple[datetime, bool],
        end: tuple[datetime, bool],
        community: CommunitySpec,
        routes: tuple[RouteSpec, ...],
    ) -> tuple[TimelineEntry, ...]:
        dated: list[_Dated] = []
        for f in self._rows(top, "timeline", ("at",), EVENT_KINDS):
            item = self.timeline_entry(f)
            if item is not None:
                dated.append(item)
        # Stable: entries at the same time keep their order in the file.
        dated.sort(key=lambda item: item.at)
        self.check_sequence(dated, start[0], end, community, {route.key for route in routes})
        return tuple(item.entry() for item in dated)

    def timeline_entry(self, f: Fields) -> _Dated | None:
        mark = self.r.mark()
        kinds = [kind for kind in EVENT_KINDS if f.written(kind)]
        if len(kinds) != 1:
            got = f"; got {', '.join(kinds)}" if kinds else ""
            f.problem(None, f"needs exactly one of {', '.join(EVENT_KINDS)}{got}")
            return None
        kind = kinds[0]
        at = f.moment("at", self.zone)
        node = f.get(kind)
        if node is None:
            f.problem(kind, "must be a mapping, got nothing")
            return None
        event = self.r.mapping(node, f.path_of(kind), line=f.key_line(kind), **_EVENT_KEYS[kind])
        if at is None or event is None:
            return None
        dated = _Dated(at=at[0], fields=f, event=event)
        if kind == "indicator":
            dated = replace(dated, indicator=self.indicator(event, at[0]))
        elif kind == "end":
            dated = replace(dated, end=EndEvent(indicator_key=event.text("indicator")))
        elif kind == "route":
            dated = replace(dated, route=self.route_change(event))
        elif kind == "decision":
            level = self._check_rank(event, "level")
            decision = DecisionEvent(
                level=level or 0, rationale=event.text("rationale"), by=event.text("by")
            )
            dated = replace(dated, decision=decision)
        else:
            dated = replace(dated, community=self.community_change(event))
        if self.r.clean_since(mark):
            return dated
        if dated.indicator is not None and dated.indicator.key:
            self.refused_keys.add(dated.indicator.key)
        return None

    def indicator(self, f: Fields, at: datetime) -> IndicatorEvent:
        ongoing = f.boolean("ongoing")
        expires_at = self.expiry(f, at)
        if ongoing and expires_at is not None:
            f.problem("expires", "an ongoing condition ends with an `end` entry, not `expires`")
        return IndicatorEvent(
            key=f.maybe_text("key", max_length=200),
            category=f.choice("category", Category),
            severity=f.integer(
                "severity", minimum=SEVERITY_RANGE.start, maximum=SEVERITY_RANGE.stop - 1
            ),
            reliability=f.choice("reliability", Reliability),
            credibility=f.integer(
                "credibility", minimum=CREDIBILITY_RANGE.start, maximum=CREDIBILITY_RANGE.stop - 1
            ),
            ongoing=ongoing,
            source=f.text("source", max_length=200),
            text=f.text("text"),
            expires_at=expires_at,
            event=self.event_slug(f),
            de_escalation=f.boolean("de_escalation"),
        )

    def event_slug(self, f: Fields) -> str:
        """`event`: a-z, 0-9 and '-', at most 100 characters; its own namespace (it may
        equal an indicator `key`)."""
        event = f.text("event", max_length=EVENT_MAX_LENGTH)
        if event and len(event) <= EVENT_MAX_LENGTH and not EVENT_SLUG.fullmatch(event):
            f.problem("event", f"must use only a-z, 0-9 and '-', got {event!r}")
        return event

    def expiry(self, f: Fields, at: datetime) -> datetime | None:
        """`expires`: a number of days after `at`, or a date / date-time after `at`."""
        node = f.get("expires")
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
            days = f.number("expires", above=0, maximum=EXPIRES_DAYS_MAX)
            if not 0 < days <= EXPIRES_DAYS_MAX:
                return None
            expires = at + timedelta(days=days)
            problem = date_out_of_range(expires)
            if problem:
                f.problem("expires", f"{days:g} days after `at` is {problem}")
                return None
            return expires
        moment = f.moment("expires", self.zone)
        if moment is None:
            return None
        if moment[0] <= at:
            f.problem("expires", f"must be after `at` ({at:%Y-%m-%d %H:%M}), or a number of days")
        return moment[0]

    def route_change(self, f: Fields) -> RouteChange:
        if not (f.has("status") or f.has("seats_per_day")):
            f.problem(None, "a route change needs status or seats_per_day (or both)")
        return RouteChange(
            key=f.text("key"),
            status=f.maybe_choice("status", RouteStatus),
            seats_per_day=f.maybe_integer("seats_per_day", minimum=0),
            note=f.text("note"),
        )

    def community_change(self, f: Fields) -> CommunityChange:
        if not any(f.has(key) for key in COMMUNITY_KEYS):
            f.problem(None, f"a community change needs one of {', '.join(COMMUNITY_KEYS)}")
        return CommunityChange(
            registered=f.maybe_integer("registered", minimum=0),
            dual_nationals=f.maybe_integer("dual_nationals", minimum=0),
            unregistered_estimate=f.maybe_integer("unregistered_estimate", minimum=0),
        )

    def check_sequence(
        self,
        dated: list[_Dated],
        start: datetime,
        end: tuple[datetime, bool],
        community: CommunitySpec,
        route_keys: set[str],
    ) -> None:
        """Rules that depend on order: keys defined before use, the running community."""
        defined_at_line = {
            item.indicator.key: item.fields.line
            for item in reversed(dated)  # the earliest definition wins
            if item.indicator is not None and item.indicator.key is not None
        }
        indicators: dict[str, _Dated] = {}
        ended_on: dict[str, int] = {}
        registered, dual = community.registered, community.dual_nationals
        for item in dated:
            f = item.fields
            if self.after_end(item.at, start, end):
                f.problem("at", "is after the scenario's end: the replay would never reach it")
            if item.indicator is not None and item.indicator.key is not None:
                key = item.indicator.key
                if key in indicators:
                    first = indicators[key].fields.line
                    item.event.problem(
                        "key", f"indicator key {key!r} is already used on line {first}"
                    )
                else:
                    indicators[key] = item
            elif item.end is not None:
                self.check_end(item, indicators, ended_on, defined_at_line)
            elif item.route is not None and item.route.key not in route_keys:
                item.event.problem("key", f"no route with key {item.route.key!r} in routes")
            elif item.decision is not None and item.at < start:
                f.problem(
                    "at",
                    "a decision before the scenario's start: the level at start is post.level",
                )
            elif item.community is not None:
                change = item.community
                registered = registered if change.registered is None else change.registered
                dual = dual if change.dual_nationals is None else change.dual_nationals
                if dual > registered:
                    item.event.problem(
                        "dual_nationals" if change.dual_nationals is not None else "registered",
                        f"dual_nationals ({dual}) would exceed registered ({registered})",
                    )

    def after_end(self, at: datetime, start: datetime, end: tuple[datetime, bool]) -> bool:
        """After the end day (a date is inclusive, in the post's time zone) or instant.

        An end before the start is reported on its own; entries are not blamed for it.
        """
        if end[0] < start:
            return False
        if end[1]:
            return at.astimezone(self.zone).date() > end[0].date()
        return at > end[0]

    def check_end(
        self,
        item: _Dated,
        indicators: dict[str, _Dated],
        ended_on: dict[str, int],
        defined_at_line: dict[str, int],
    ) -> None:
        assert item.end is not None
        f = item.event
        key = item.end.indicator_key
        path = "indicator"
        target = indicators.get(key)
        if target is None and key in self.refused_keys:
            pass  # its indicator has problems of its own, already reported
        elif target is None:
            if key in defined_at_line:
                f.problem(
                    path,
                    f"indicator {key!r} is only defined later (line {defined_at_line[key]}): "
                    "an `end` must come after its indicator",
                )
            else:
                f.problem(path, f"no indicator with key {key!r} in the timeline")
        elif target.indicator is not None and not target.indicator.ongoing:
            f.problem(
                path,
                f"indicator {key!r} (line {target.fields.line}) is an event, "
                "not an ongoing condition: only ongoing conditions can be ended",
            )
        elif key in ended_on:
            f.problem(path, f"indicator {key!r} was already ended on line {ended_on[key]}")
        else:
            ended_on[key] = item.fields.line

    # -- expect -------------------------------------------------------------------------

    def expectations(self, top: Fields, start: datetime, end: datetime) -> tuple[Expectation, ...]:
        """`expect:`: what the replay should recommend, in file order; each item alone."""
        first_day = start.astimezone(self.zone).date()
        last_day = end.astimezone(self.zone).date()
        found = []
        for f in self._rows(top, "expect", ("why",), EXPECT_KEYS):
            expectation = self.expectation(f, first_day, last_day)
            if expectation is not None:
                found.append(expectation)
        return tuple(found)

    def expectation(self, f: Fields, first_day: dt.date, last_day: dt.date) -> Expectation | None:
        """Exactly one of at_least (from `by`) or at_most (from `from`, default the start
        day), a rank of the ladder, until `until` (default the end day), with a `why`."""
        mark = self.r.mark()
        kinds = [kind for kind in EXPECT_KINDS if f.written(kind)]
        if len(kinds) != 1:
            got = f"; got {', '.join(kinds)}" if kinds else ""
            f.problem(None, f"needs exactly one of {', '.join(EXPECT_KINDS)}{got}")
            return None
        kind: ExpectationKind = "at_least" if kinds[0] == "at_least" else "at_most"
        opens = EXPECT_OPENS[kind]
        other = "at_most" if kind == "at_least" else "at_least"
        if f.written(EXPECT_OPENS[other]):
            f.problem(
                EXPECT_OPENS[other], f"belongs to {other}: an {kind} window starts at `{opens}`"
            )
        if kind == "at_least" and not f.has("by"):
            f.problem("by", "required with at_least: the day from which the level is due")
        if not f.has(kind):
            f.problem(kind, "must be a rank of the ladder, got nothing")
        rank = self._check_rank(f, kind)
        first = self.expect_day(f, opens, first_day, first_day, last_day)
        until = self.expect_day(f, "until", last_day, first_day, last_day)
        why = f.text("why")
        if self.r.clean_since(mark) and until < first:
            f.problem("until", f"must not be before `{opens}` ({first.isoformat()})")
        if not self.r.clean_since(mark) or rank is None:
            return None
        return Expectation(kind=kind, rank=rank, first=first, until=until, why=why, line=f.line)

    def expect_day(
        self, f: Fields, key: str, default: dt.date, first_day: dt.date, last_day: dt.date
    ) -> dt.date:
        """A day of the replay: a date (not a date-time) from the start day to the end day."""
        moment = f.moment(key, self.zone)
        if moment is None:
            return default  # left out, or a problem already recorded
        if not moment[1]:
            f.problem(key, "must be a date (2025-09-04), not a date-time: the replay grades days")
            return default
        day = moment[0].date()
        if not first_day <= day <= last_day:
            f.problem(
                key,
                f"must be a day of the replay, {first_day.isoformat()} to "
                f"{last_day.isoformat()}, got {day.isoformat()}",
            )
        return day


_EVENT_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "indicator": {
        "required": ("category", "severity", "reliability", "credibility", "source", "text"),
        "optional": ("key", "ongoing", "expires", "event", "de_escalation"),
    },
    "end": {"required": ("indicator",), "optional": ()},
    "route": {"required": ("key",), "optional": ("status", "seats_per_day", "note")},
    "decision": {"required": ("level", "rationale"), "optional": ("by",)},
    "community": {"required": (), "optional": COMMUNITY_KEYS},
}


def _point_of(f: Fields, prefix: str = "") -> dict[str, float | None]:
    """`<prefix>latitude` and `<prefix>longitude`: decimal degrees in range, both or
    neither (a problem names the missing one). The keys of the spec's fields."""
    lat_key, lon_key = f"{prefix}latitude", f"{prefix}longitude"
    lat = f.maybe_number(lat_key, minimum=-90, maximum=90)
    lon = f.maybe_number(lon_key, minimum=-180, maximum=180)
    if (f.get(lat_key) is None) != (f.get(lon_key) is None):
        missing = lon_key if f.get(lon_key) is None else lat_key
        f.problem(missing, f"give {lat_key} and {lon_key} together, or neither")
        lat = lon = None
    return {lat_key: lat, lon_key: lon}


def _staff_category(value: str) -> StaffCategory | None:
    if value == "expatriate":
        return "expatriate"
    if value == "local":
        return "local"
    return None
