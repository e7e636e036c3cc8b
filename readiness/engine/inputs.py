"""What the engine is given: plain frozen data, built by the Django service or the replay.

Every datetime must be timezone-aware: posts span time zones and a naive datetime would be
read in the server's zone, shifting ages and deadlines by hours.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from .defaults import validate_ladder
from .params import DEFAULT_PARAMS, Params
from .vocabulary import (
    CREDIBILITY_RANGE,
    MILITARY_MODES,
    SEVERITY_RANGE,
    Category,
    LevelSpec,
    Reliability,
    RouteMode,
    RouteStatus,
)


def _require_aware(name: str, value: datetime | None) -> None:
    """Refuse a naive datetime (utcoffset() is None)."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name}: must be timezone-aware")


@dataclass(frozen=True, slots=True)
class IndicatorIn:
    """One observation. An event ages from `observed_at`; an ongoing condition weighs fully
    until `ended_at`, then ages from it. `recorded_at` is when it became known (None: at
    `observed_at`); an indicator is ignored by an evaluation before it was known."""

    id: str
    category: Category
    severity: int
    reliability: Reliability
    credibility: int
    observed_at: datetime
    expires_at: datetime | None = None
    ongoing: bool = False
    ended_at: datetime | None = None
    recorded_at: datetime | None = None
    source: str = ""
    text: str = ""
    # The event this report is about: reports that share it are one piece of evidence
    # ("" = an event of its own). A later report of the same event re-confirms an ongoing
    # condition.
    event: str = ""
    # Lowers the threat (a route reopened, a ceasefire, a curfew lifted) instead of raising it.
    de_escalation: bool = False

    def __post_init__(self) -> None:
        """Coerce strings (Django CharField values) to the enums once, here; refuse grades
        out of range and naive datetimes. Cheap on the valid path: a re-score builds
        thousands of these."""
        if type(self.category) is not Category:
            object.__setattr__(self, "category", Category(self.category))
        if type(self.reliability) is not Reliability:
            object.__setattr__(self, "reliability", Reliability(self.reliability))
        if self.severity not in SEVERITY_RANGE:
            raise ValueError(f"indicator {self.id}: severity must be 1 to 5")
        if self.credibility not in CREDIBILITY_RANGE:
            raise ValueError(f"indicator {self.id}: credibility must be 1 to 6")
        for name in ("observed_at", "expires_at", "ended_at", "recorded_at"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"indicator {self.id}: {name}: must be timezone-aware")
        if self.ended_at is not None and not self.ongoing:
            raise ValueError(f"indicator {self.id}: ended_at: only an ongoing condition ends")

    @property
    def known_at(self) -> datetime:
        """known_at = max(observed_at, recorded_at)."""
        if self.recorded_at is not None and self.recorded_at > self.observed_at:
            return self.recorded_at
        return self.observed_at


@dataclass(frozen=True, slots=True)
class RouteIn:
    """One exit route. `closes_at_threat` None: not expected to close with the threat index.
    `usable_from` None: the ladder's top rank for military modes, else 0."""

    key: str
    mode: RouteMode
    status: RouteStatus
    seats_per_day: int
    lead_time_hours: float = 0
    closes_at_threat: float | None = None
    usable_from: int | None = None
    name: str = ""
    verified_at: datetime | None = None

    def __post_init__(self) -> None:
        """Coerce strings to enums; refuse negative seats or lead, a threshold outside 0..100."""
        object.__setattr__(self, "mode", RouteMode(self.mode))
        object.__setattr__(self, "status", RouteStatus(self.status))
        if self.seats_per_day < 0:
            raise ValueError(f"route {self.key}: seats_per_day must be 0 or more")
        if self.lead_time_hours < 0:
            raise ValueError(f"route {self.key}: lead_time_hours must be 0 or more")
        if self.closes_at_threat is not None and not 0 < self.closes_at_threat <= 100:
            raise ValueError(f"route {self.key}: closes_at_threat must be above 0, at most 100")
        if self.usable_from is not None and self.usable_from < 0:
            raise ValueError(f"route {self.key}: usable_from must be a rank, 0 or more")
        _require_aware(f"route {self.key}: verified_at", self.verified_at)

    def usable_from_rank(self, top_rank: int) -> int:
        """usable_from, or top_rank for military modes, else 0."""
        if self.usable_from is not None:
            return self.usable_from
        return top_rank if self.mode in MILITARY_MODES else 0


@dataclass(frozen=True, slots=True)
class Population:
    """People still in place (those already gone are subtracted by the caller)."""

    citizens_registered: int
    dual_nationals: int  # of the registered
    unregistered_estimate: int
    non_essential_staff: int  # expatriate
    essential_staff: int  # expatriate
    dependants: int  # of expatriate staff
    school_staff: int  # expatriate staff of the schools

    def __post_init__(self) -> None:
        """Refuse negative head counts and more dual nationals than registered citizens."""
        for f in dataclasses.fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"population: {f.name} must be 0 or more")
        if self.dual_nationals > self.citizens_registered:
            raise ValueError("population: dual_nationals cannot exceed citizens_registered")


EXPATRIATE = "expatriate"  # the one staff category a post evacuates (local staff stay)


@dataclass(frozen=True, slots=True)
class StaffRow:
    """A roster row as the population rule reads it: a person or a group of people."""

    category: str  # "expatriate" or "local"
    essential: bool
    count: int
    dependants: int


def population_of(
    *,
    registered: int,
    dual_nationals: int,
    unregistered_estimate: int,
    staff: Iterable[StaffRow],
    school_staff: int,
) -> Population:
    """The one population rule, for the database and the scenario replay alike: expatriate
    staff only (a post never evacuates its local employees), their dependants, the
    expatriate staff of open schools (the caller sums those), and the community as it
    stands. Rows of people already gone are the caller's to leave out."""
    essential = non_essential = dependants = 0
    for row in staff:
        if row.category != EXPATRIATE:
            continue
        if row.essential:
            essential += row.count
        else:
            non_essential += row.count
        dependants += row.dependants
    return Population(
        citizens_registered=registered,
        dual_nationals=dual_nationals,
        unregistered_estimate=unregistered_estimate,
        non_essential_staff=non_essential,
        essential_staff=essential,
        dependants=dependants,
        school_staff=school_staff,
    )


@dataclass(frozen=True, slots=True)
class StaffIn:
    """One expatriate staff member as the preparedness checks see them."""

    last_confirmed_at: datetime | None
    contactable: bool

    def __post_init__(self) -> None:
        """Refuse a naive confirmation time."""
        _require_aware("staff: last_confirmed_at", self.last_confirmed_at)


@dataclass(frozen=True, slots=True)
class Readiness:
    """What step 10 checks. Zones of the post = warden_zones | assembly_zones.
    `checklists`: rank -> (items pre-positioned, items total)."""

    staff: tuple[StaffIn, ...] = ()
    warden_zones: frozenset[str] = frozenset()
    assembly_zones: frozenset[str] = frozenset()
    assembly_capacity: int = 0
    checklists: Mapping[int, tuple[int, int]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Refuse a negative capacity and checklists with more done than total."""
        if self.assembly_capacity < 0:
            raise ValueError("readiness: assembly_capacity must be 0 or more")
        for rank, (done, total) in self.checklists.items():
            if not 0 <= done <= total:
                raise ValueError(f"readiness: checklist {rank}: need 0 <= pre-positioned <= total")


EMPTY_READINESS = Readiness()


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one assessment depends on. `last_indicated` (rank -> last time its
    triggers were met) is carried from the previous assessment: it is the hold's memory."""

    now: datetime
    current_level: int
    ladder: tuple[LevelSpec, ...]
    indicators: tuple[IndicatorIn, ...]
    routes: tuple[RouteIn, ...]
    population: Population
    readiness: Readiness = EMPTY_READINESS
    last_indicated: Mapping[int, datetime] = field(default_factory=lambda: MappingProxyType({}))
    params: Params = DEFAULT_PARAMS
    # rank -> start of the unbroken run of assessments that indicated it, carried like
    # last_indicated: the hold lasts as long as the run did (hold_min_days..hold_days).
    indicated_since: Mapping[int, datetime] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Refuse a naive clock, an invalid ladder, unknown ranks and duplicate ids or keys."""
        _require_aware("now", self.now)
        validate_ladder(self.ladder)
        ranks = {level.rank for level in self.ladder}
        if self.current_level not in ranks:
            raise ValueError(f"current_level {self.current_level} is not a rank of the ladder")
        if len({i.id for i in self.indicators}) != len(self.indicators):
            raise ValueError("indicators: ids must be unique")
        if len({r.key for r in self.routes}) != len(self.routes):
            raise ValueError("routes: keys must be unique")
        top = max(ranks)
        for route in self.routes:
            if route.usable_from is not None and route.usable_from > top:
                raise ValueError(f"route {route.key}: usable_from {route.usable_from} is no rank")
        for rank, at in self.last_indicated.items():
            _require_aware(f"last_indicated[{rank}]", at)
        for rank, at in self.indicated_since.items():
            _require_aware(f"indicated_since[{rank}]", at)

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of every field but `now`, indicators and routes
        sorted, so the same situation always hashes the same."""
        payload = {
            "current_level": self.current_level,
            "ladder": [
                _canon_level(level) for level in sorted(self.ladder, key=lambda lv: lv.rank)
            ],
            # The bulk of the inputs: flat rows, sorted, rather than the generic _canon walk
            # (a re-score hashes hundreds of indicators and roster rows each time).
            "indicators": sorted(_indicator_row(i) for i in self.indicators),
            "routes": sorted((_canon(r) for r in self.routes), key=_dump),
            "population": _canon(self.population),
            "readiness": _canon_readiness(self.readiness),
            "last_indicated": _canon(self.last_indicated),
            "indicated_since": _canon(self.indicated_since),
            "params": _canon_params(self.params),
        }
        return hashlib.sha256(_dump(payload).encode()).hexdigest()


@functools.lru_cache(maxsize=512)
def _canon_level(level: LevelSpec) -> str:
    """Ladders repeat from post to post (most keep the defaults): canonicalise each
    distinct level once. LevelSpec is frozen and hashable, so equal levels share it."""
    return _dump(_canon(level))


_params_canon: dict[int, tuple[Params, Any]] = {}


def _canon_params(params: Params) -> Any:
    """Params are frozen and, in practice, one object per deployment: canonicalise once.
    Keyed by identity (its mappings make it unhashable); the entry keeps it alive."""
    cached = _params_canon.get(id(params))
    if cached is None or cached[0] is not params:
        if len(_params_canon) > 64:
            _params_canon.clear()
        cached = _params_canon[id(params)] = (params, _canon(params))
    return cached[1]


def _canon_readiness(readiness: Readiness) -> Any:
    """The roster's order is the database's whim: sort the staff too."""
    data = _canon(dataclasses.replace(readiness, staff=()))
    data["staff"] = sorted(
        (_instant(s.last_confirmed_at) or 0.0, s.contactable) for s in readiness.staff
    )
    return data


def _instant(value: datetime | None) -> float | None:
    """A datetime as a POSIX timestamp: one spelling per instant, whatever the zone."""
    return None if value is None else value.timestamp()


def _indicator_row(i: IndicatorIn) -> tuple[Any, ...]:
    # The enums are StrEnums: JSON writes them as their values. The instants are inlined
    # (_instant) because this runs for every indicator of every re-score.
    return (
        i.id,
        i.category,
        i.severity,
        i.reliability,
        i.credibility,
        i.observed_at.timestamp(),
        0.0 if i.expires_at is None else i.expires_at.timestamp(),
        i.ongoing,
        0.0 if i.ended_at is None else i.ended_at.timestamp(),
        0.0 if i.recorded_at is None else i.recorded_at.timestamp(),
        i.source,
        i.text,
        i.event,
        i.de_escalation,
    )


def _dump(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _canon(value: Any) -> Any:
    """Plain JSON-able form: UTC ISO datetimes, enum values, sorted sets and mappings."""
    if isinstance(value, datetime):
        # Two spellings of the same instant (UTC vs Africa/Bamako) must hash the same.
        return value.astimezone(UTC).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canon(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return sorted(([_canon(k), _canon(v)] for k, v in value.items()), key=_dump)
    if isinstance(value, frozenset | set):
        return sorted((_canon(v) for v in value), key=_dump)
    if isinstance(value, tuple | list):
        return [_canon(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        # 3 and 3.0 are the same threshold whether it came from a form or from YAML.
        return int(value)
    return value
