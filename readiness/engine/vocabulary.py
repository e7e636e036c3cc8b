"""The words the whole project shares: categories, gradings, route modes, population groups,
trigger kinds, and the shape of a trigger and of a ladder level.

Pure Python. The Django models, the scenario loader and the engine all build on these, so a
trigger that one of them accepts is a trigger all of them accept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Category(enum.StrEnum):
    INCIDENT = "incident"
    THREAT_TO_FOREIGNERS = "threat_to_foreigners"
    SUPPLY = "supply"
    TRANSPORT = "transport"
    POLITICAL = "political"
    PEER_ACTION = "peer_action"
    HEALTH = "health"
    HAZARD = "hazard"


class Reliability(enum.StrEnum):
    """Source reliability, NATO/Admiralty grading (F: cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


# Information credibility, NATO/Admiralty grading: 1 confirmed .. 5 improbable, 6 cannot be judged.
CREDIBILITY_RANGE = range(1, 7)
SEVERITY_RANGE = range(1, 6)


class RouteMode(enum.StrEnum):
    COMMERCIAL_AIR = "commercial_air"
    CHARTER_AIR = "charter_air"
    MILITARY_AIR = "military_air"
    ROAD = "road"
    SEA = "sea"


class RouteStatus(enum.StrEnum):
    OPEN = "open"
    DEGRADED = "degraded"
    CLOSED = "closed"
    UNKNOWN = "unknown"


# Modes reserved for the evacuation level unless a route says otherwise (DESIGN.md §5).
MILITARY_MODES = frozenset({RouteMode.MILITARY_AIR})


class Group(enum.StrEnum):
    """Population groups a level calls to leave. Local employees are never in a load:
    they live in the country and are not evacuated by the post."""

    CITIZENS = "citizens"
    NON_ESSENTIAL_STAFF = "non_essential_staff"  # expatriate staff who are not essential
    DEPENDANTS = "dependants"  # of expatriate staff, essential or not
    SCHOOL_STAFF = "school_staff"  # expatriate staff of the schools (schools close)
    ESSENTIAL_STAFF = "essential_staff"  # the last to leave


class TriggerKind(enum.StrEnum):
    CATEGORY_INDEX = "category_index"  # category sub-index >= threshold
    INDICATOR_COUNT = "indicator_count"  # >= count indicators (category, severity >= s), d days
    # ... optionally "with" one piece of another category (severity >= s2) in the same days
    THREAT_INDEX = "threat_index"  # threat index >= threshold
    ROUTE = "route"  # a route (by key) or all routes of a mode closed, or below `below_seats`/day
    CLEARANCE_MARGIN = "clearance_margin"  # margin of `margin_level` below `below_days`
    MANUAL = "manual"  # set by an officer with a reason


# The fields of a trigger's condition; which of them a kind uses is checked by validate().
CONDITION_FIELDS = (
    "category",
    "threshold",
    "count",
    "min_severity",
    "within_days",
    "with_category",
    "with_min_severity",
    "route",
    "mode",
    "below_seats",
    "margin_level",
    "below_days",
)


# The condition fields each kind of trigger uses (the admin shows only these).
FIELDS_BY_KIND: dict[TriggerKind, frozenset[str]] = {
    TriggerKind.CATEGORY_INDEX: frozenset({"category", "threshold"}),
    TriggerKind.INDICATOR_COUNT: frozenset(
        {"category", "count", "min_severity", "within_days", "with_category", "with_min_severity"}
    ),
    TriggerKind.THREAT_INDEX: frozenset({"threshold"}),
    TriggerKind.ROUTE: frozenset({"route", "mode", "below_seats"}),
    TriggerKind.CLEARANCE_MARGIN: frozenset({"margin_level", "below_days"}),
    TriggerKind.MANUAL: frozenset({"active", "reason"}),
}


class TriggerError(ValueError):
    """A trigger that cannot be evaluated; the message names the field. ``code`` says which
    rule (``required``, ``unused``, ...) and ``field`` which field, for a caller that words
    it in the user's language (readiness.posts.models.Trigger.clean)."""

    def __init__(self, message: str, *, code: str = "", field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field or message.partition(":")[0]


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """One tripwire. Which fields matter depends on `kind`; `validate()` enforces it.

    The same shape is used in scenario files (`triggers:` list, plus `level`), in the
    database (``readiness.posts.models.Trigger``) and by the engine.
    """

    kind: TriggerKind
    name: str = ""
    category: Category | None = None
    threshold: float | None = None  # category_index, threat_index: 0..100
    count: int | None = None  # indicator_count: >= 1
    min_severity: int | None = None  # indicator_count: 1..5
    within_days: float | None = None  # indicator_count: > 0
    # indicator_count, optional: met only if, in the same days, at least one piece of this
    # category with severity >= with_min_severity is in force too (both or neither given)
    with_category: Category | None = None
    with_min_severity: int | None = None
    route: str | None = None  # route: a route key of the post ...
    mode: RouteMode | None = None  # ... or every route of a mode (exactly one of the two)
    below_seats: int | None = None  # route: met when seats/day < this; None = met when closed
    margin_level: int | None = None  # clearance_margin: the level (rank) whose margin is watched
    below_days: float | None = None  # clearance_margin: met when that margin < this
    active: bool = False  # manual: set by an officer
    reason: str = ""  # manual: why (required when active)
    enabled: bool = True

    def validate(self) -> None:
        """Raise TriggerError naming the first field that makes this trigger impossible."""
        kind = TriggerKind(self.kind)
        needs: dict[TriggerKind, tuple[str, ...]] = {
            TriggerKind.CATEGORY_INDEX: ("category", "threshold"),
            TriggerKind.INDICATOR_COUNT: ("count", "min_severity", "within_days"),
            TriggerKind.THREAT_INDEX: ("threshold",),
            TriggerKind.ROUTE: (),
            TriggerKind.CLEARANCE_MARGIN: ("margin_level", "below_days"),
            TriggerKind.MANUAL: (),
        }
        allowed = FIELDS_BY_KIND
        for name in needs[kind]:
            if getattr(self, name) is None:
                raise TriggerError(f"{name}: required for a {kind} trigger", code="required")
        for name in CONDITION_FIELDS:
            if getattr(self, name) is not None and name not in allowed[kind]:
                raise TriggerError(f"{name}: not used by a {kind} trigger", code="unused")
        if self.category is not None:
            Category(self.category)
        if self.threshold is not None and not 0 < self.threshold <= 100:
            raise TriggerError("threshold: must be above 0 and at most 100")
        if self.count is not None and self.count < 1:
            raise TriggerError("count: must be at least 1")
        if self.min_severity is not None and self.min_severity not in SEVERITY_RANGE:
            raise TriggerError("min_severity: must be 1 to 5")
        if self.within_days is not None and not self.within_days > 0:
            raise TriggerError("within_days: must be above 0")
        if (self.with_category is None) != (self.with_min_severity is None):
            missing = "with_min_severity" if self.with_min_severity is None else "with_category"
            raise TriggerError(
                f"{missing}: give with_category and with_min_severity together", code="pair"
            )
        if self.with_category is not None:
            Category(self.with_category)
        if self.with_min_severity is not None and self.with_min_severity not in SEVERITY_RANGE:
            raise TriggerError("with_min_severity: must be 1 to 5")
        if kind is TriggerKind.ROUTE and (self.route is None) == (self.mode is None):
            raise TriggerError(
                "route: give either a route key or a mode, not both", code="route_or_mode"
            )
        if self.mode is not None:
            RouteMode(self.mode)
        if self.below_seats is not None and self.below_seats < 1:
            raise TriggerError("below_seats: must be at least 1 (omit it to mean closed)")
        if self.margin_level is not None and self.margin_level < 0:
            raise TriggerError("margin_level: must be a rank, 0 or more")
        if self.below_days is not None and not self.below_days > 0:
            raise TriggerError("below_days: must be above 0")
        if kind is TriggerKind.MANUAL and self.active and not self.reason.strip():
            raise TriggerError("reason: an active manual trigger needs a reason")


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """One rung of a ladder: who leaves at it, its checklist and its tripwires."""

    rank: int
    name: str
    leaves: frozenset[Group] = frozenset()
    quorum: int = 1  # how many of its enabled triggers must be met to indicate the level
    actions: tuple[str, ...] = ()
    triggers: tuple[TriggerSpec, ...] = field(default=())

    @property
    def moves_people(self) -> bool:
        return bool(self.leaves)
