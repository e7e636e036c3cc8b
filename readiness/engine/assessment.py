"""The engine's answer and every reason behind it, plus its plain-JSON form.

`Assessment.to_dict()` is what the Django side stores (a JSONField) and templates render:
datetimes become ISO 8601 strings, enums their values, mapping keys strings, and an
infinite number (a route not expected to close, a level with no means left) becomes null;
each such place has a companion field saying which case it is.

The per-indicator table, four fifths of the document when stored as one object per
indicator, is a table: ``{"columns": [...], "rows": [[...], ...]}`` with its factors
rounded to six decimals (``contributions_from_dict`` reads it back as one mapping per
indicator, and also reads the older list-of-objects form).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .detail import Detail
from .params import Params
from .population import LoadRow
from .preparedness import Preparedness
from .routes import RouteOut
from .threat import Baseline, CategoryIndex, IndicatorContribution, Trend
from .triggers import TriggerOut
from .vocabulary import Group

VERDICTS = ("late", "act_now", "watch", "on_time", "too_early")


@dataclass(frozen=True, slots=True)
class LevelOut:
    rank: int
    name: str
    moves_people: bool
    leaves: tuple[Group, ...]  # groups first called at this level
    load: float  # expected people: every group called at this rank or below
    load_by_group: Mapping[Group, float]
    usable_routes: tuple[str, ...]  # keys of the routes usable at this level
    clearance_days: float | None  # from now; None: cannot all leave before the routes close
    margin_days: float | None  # latest start - now; None: no deadline; -inf: no means left
    deadline: str  # nobody | no_route | no_deadline | deadline | no_means (see routes.py)
    latest_start_at: datetime | None
    seats_before_close: float  # F(0): seats the usable routes offer from now; inf: unbounded
    shortfall: float  # people who cannot leave even starting now: max(0, load - F(0))
    triggers_enabled: int
    triggers_met: int
    quorum: int
    indicated_by_triggers: bool
    last_indicated_at: datetime | None
    held_until: datetime | None  # set when held: indicated earlier, within the hold period


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # trigger | time | means | hold | baseline
    level: int
    detail_code: str  # the sentence as data (readiness.wording says it) and its facts
    detail_facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Assessment:
    at: datetime
    current_level: int
    recommended_level: int
    verdict: str  # one of VERDICTS
    next_level_margin_days: float | None  # tightest margin above the current level
    next_level_margin_rank: int | None  # the level that margin belongs to
    threat_index: float
    total_weight: float
    trend_per_day: float
    categories: tuple[CategoryIndex, ...]
    indicators: tuple[IndicatorContribution, ...]  # heaviest first
    trend: Trend
    triggers: tuple[TriggerOut, ...]
    routes: tuple[RouteOut, ...]
    levels: tuple[LevelOut, ...]
    reasons: tuple[Reason, ...]  # highest level first
    preparedness_score: int
    preparedness: Preparedness
    last_indicated: Mapping[int, datetime]  # to persist and pass back next time (the hold)
    indicated_since: Mapping[int, datetime]  # likewise: each level's unbroken run's start
    baseline: Baseline  # the post's own recent normal
    load_rows: tuple[LoadRow, ...]  # the load's arithmetic, group by group
    warning_details: tuple[Detail, ...]  # configuration warnings, as data
    params: Params

    def level(self, rank: int) -> LevelOut:
        """levels[rank] (ranks are 0..n-1, validated on input)."""
        return self.levels[rank]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data (json.dumps accepts it without a custom encoder),
        marked with EXPLANATION_FORMAT."""
        out: dict[str, Any] = {"format": EXPLANATION_FORMAT}
        for f in dataclasses.fields(self):
            if f.name == "indicators":
                # The bulkiest part (one row per indicator): built directly, not by reflection.
                out["indicators"] = {
                    "columns": list(CONTRIBUTION_COLUMNS),
                    "rows": [_contribution(c) for c in self.indicators],
                }
            else:
                out[f.name] = _plain(getattr(self, f.name))
        return out


# The stored form's version, raised when it gains something readers use: a post whose
# newest assessment has an older format gets a new one at its next re-score, even when
# nothing else changed. 2: the indicator table, and detail codes and facts. 3: events,
# de-escalations and repeats in the table; baseline, load rows, indicated_since. 4: codes
# and facts only (no English `verdict_text`, `text`, `detail`, `warnings`: readiness.wording
# says them; it still shows the English stored by formats 1 to 3).
EXPLANATION_FORMAT = 4

# The stored per-indicator table's columns, in order.
CONTRIBUTION_COLUMNS = (
    "id", "category", "severity", "reliability", "credibility", "r", "k", "age_days",
    "half_life_days", "decay", "weight", "share", "status", "event", "counted",
    "de_escalation", "repeats",
)  # fmt: skip
_DECIMALS = 6  # a weight of 5 to a millionth; W and the sub-indices are stored unrounded


def _contribution(c: IndicatorContribution) -> list[Any]:
    """One contribution as a row of CONTRIBUTION_COLUMNS."""
    return [
        c.id,
        c.category.value,
        c.severity,
        c.reliability.value,
        c.credibility,
        c.r,
        c.k,
        None if c.age_days is None else round(c.age_days, _DECIMALS),
        c.half_life_days,
        round(c.decay, _DECIMALS),
        round(c.weight, _DECIMALS),
        round(c.share, _DECIMALS),
        c.status,
        c.event,
        c.counted,
        c.de_escalation,
        c.repeats,
    ]


def contributions_from_dict(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The per-indicator rows of a stored explanation (``to_dict()``), heaviest first, one
    mapping per indicator keyed by CONTRIBUTION_COLUMNS. Also reads explanations stored
    before the table form (a list of such mappings)."""
    table = data.get("indicators") or []
    if isinstance(table, list):
        return list(table)
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) for row in table["rows"]]


_SCALARS = (str, int, bool, type(None))  # exactly these types; their subclasses (enums) are not
_field_names: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """JSON form: inf/nan -> None, datetime -> ISO 8601, enum -> value, recursively.
    Dispatches on the exact type first: an assessment has about a thousand values."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        return None if math.isinf(value) or math.isnan(value) else value
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    names = _field_names.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _field_names[kind] = tuple(f.name for f in dataclasses.fields(kind))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isinf(value) or math.isnan(value) else value
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, str | int):
        return value
    raise TypeError(f"cannot make {type(value).__name__} plain")


def last_indicated_from_dict(data: Mapping[str, str | None]) -> dict[int, datetime]:
    """Read back `to_dict()["last_indicated"]` ({"3": "2025-11-07T00:00:00+00:00"}), or
    `to_dict()["indicated_since"]` (the same shape)."""
    return {int(k): datetime.fromisoformat(v) for k, v in data.items() if v is not None}
