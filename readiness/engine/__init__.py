"""The readiness engine: plain data in, an assessment with all its reasons out.

Pure Python (standard library only, no Django). The Django services and the scenario replay
build an `Inputs`, call `assess()`, and store `Assessment.to_dict()`.
"""

from .assessment import (
    VERDICTS,
    Assessment,
    LevelOut,
    Reason,
    contributions_from_dict,
    last_indicated_from_dict,
)
from .defaults import DEFAULT_LADDER, validate_ladder
from .engine import assess
from .inputs import EMPTY_READINESS, IndicatorIn, Inputs, Population, Readiness, RouteIn, StaffIn
from .params import DEFAULT_PARAMS, Params
from .preparedness import Check, Preparedness
from .routes import RouteOut
from .threat import CategoryIndex, IndicatorContribution, Trend, TrendPoint
from .triggers import TriggerOut

__all__ = [
    "DEFAULT_LADDER",
    "DEFAULT_PARAMS",
    "EMPTY_READINESS",
    "VERDICTS",
    "Assessment",
    "CategoryIndex",
    "Check",
    "IndicatorContribution",
    "IndicatorIn",
    "Inputs",
    "LevelOut",
    "Params",
    "Population",
    "Preparedness",
    "Readiness",
    "Reason",
    "RouteIn",
    "RouteOut",
    "StaffIn",
    "Trend",
    "TrendPoint",
    "TriggerOut",
    "assess",
    "contributions_from_dict",
    "last_indicated_from_dict",
    "validate_ladder",
]
