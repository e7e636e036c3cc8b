"""What a scenario file becomes once loaded: frozen, fully checked plain data.

The database loader and the replay build on these types; `schema.parse_scenario` is the only
thing that creates them from a file. All datetimes are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from readiness.engine.vocabulary import (
    Category,
    LevelSpec,
    Reliability,
    RouteMode,
    RouteStatus,
)

StaffCategory = Literal["expatriate", "local"]
ExpectationKind = Literal["at_least", "at_most"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario file: where (line, path) and what."""

    line: int | None  # 1-based, None when the YAML parser gives none
    path: str  # e.g. "timeline[3].indicator.severity"; "" for the file as a whole
    message: str

    def format(self, source: str) -> str:
        where = source if self.line is None else f"{source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario file that cannot be loaded; `problems` lists everything found wrong."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__("\n".join(problem.format(source) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class PostSpec:
    code: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    city: str
    timezone: str  # IANA name
    level: int  # rank at the scenario's start
    latitude: float | None = None  # the city's centre, for maps and the ACLED area
    longitude: float | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class RouteSpec:
    key: str
    mode: RouteMode
    from_place: str
    to_place: str
    status: RouteStatus
    seats_per_day: int
    lead_time_hours: float
    closes_at_threat: float | None  # None: no threat level is expected to close it
    usable_from: int | None  # None: the default rule (top level for military air, else 0)
    notes: str = ""
    # Where the route starts (an air route's airport) and where it goes, for the maps.
    from_latitude: float | None = None
    from_longitude: float | None = None
    to_latitude: float | None = None
    to_longitude: float | None = None


@dataclass(frozen=True, slots=True)
class StaffSpec:
    count: int  # 1 for a named row
    name: str  # "" for a group row
    role: str
    category: StaffCategory
    essential: bool
    dependants: int


@dataclass(frozen=True, slots=True)
class SchoolSpec:
    name: str
    pupils: int
    expatriate_staff: int
    open: bool = True


@dataclass(frozen=True, slots=True)
class CommunitySpec:
    registered: int
    dual_nationals: int  # of the registered
    unregistered_estimate: int


@dataclass(frozen=True, slots=True)
class WardenSpec:
    zone: str
    name: str
    contact: str = ""
    latitude: float | None = None  # the zone's centre
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class AssemblyPointSpec:
    name: str
    capacity: int
    zone: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class IndicatorEvent:
    key: str | None
    category: Category
    severity: int  # 1..5
    reliability: Reliability
    credibility: int  # 1..6
    ongoing: bool
    source: str
    text: str
    expires_at: datetime | None
    event: str = ""  # the event reported on; reports sharing it are one piece of evidence
    de_escalation: bool = False  # lowers the threat (a route reopened, a ceasefire)


@dataclass(frozen=True, slots=True)
class EndEvent:
    indicator_key: str


@dataclass(frozen=True, slots=True)
class RouteChange:
    key: str
    status: RouteStatus | None  # None: unchanged
    seats_per_day: int | None  # None: unchanged
    note: str = ""


@dataclass(frozen=True, slots=True)
class DecisionEvent:
    level: int
    rationale: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class CommunityChange:
    registered: int | None  # None: unchanged
    dual_nationals: int | None
    unregistered_estimate: int | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated entry; exactly one of the five event fields is set."""

    at: datetime
    line: int | None
    indicator: IndicatorEvent | None = None
    end: EndEvent | None = None
    route: RouteChange | None = None
    decision: DecisionEvent | None = None
    community: CommunityChange | None = None


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the replay's recommended level should be over a window of days (`expect:`).

    `at_least`: from `first` (the file's `by`) to `until`, both included, the recommended rank
    should be `rank` or higher. `at_most`: a calm window, `first` (the file's `from`) to
    `until` included, in which the recommended rank should be `rank` or lower. Days are
    calendar days in the post's time zone, inside the replay.
    """

    kind: ExpectationKind
    rank: int
    first: dt.date  # `by` (at_least) or `from` (at_most, default: the start day)
    until: dt.date  # default: the end day
    why: str  # the source of the grading
    line: int | None = None

    @property
    def days(self) -> int:
        """Days in the window, both ends included."""
        return (self.until - self.first).days + 1


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    start: datetime
    end: datetime  # the replay includes this day
    notes: tuple[str, ...]
    post: PostSpec
    ladder: tuple[LevelSpec, ...]  # triggers attached to their level
    ladder_is_default: bool
    triggers_are_default: bool
    routes: tuple[RouteSpec, ...]
    staff: tuple[StaffSpec, ...]
    schools: tuple[SchoolSpec, ...]
    community: CommunitySpec  # at the start of the timeline
    wardens: tuple[WardenSpec, ...]
    assembly_points: tuple[AssemblyPointSpec, ...]
    timeline: tuple[TimelineEntry, ...]  # sorted by `at`, file order among equal times
    expect: tuple[Expectation, ...] = ()  # in file order
