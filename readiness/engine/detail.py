"""A sentence as data: a code and the facts it states.

The engine says nothing in words. Each trigger's and preparedness check's detail, each
reason for the recommendation and each configuration warning is a code with its facts
(``detail_code``, ``detail_facts`` in the stored explanation); readiness.wording says
them in the officer's language, and so do the command line and the replay. The verdict
sentence needs no code of its own: it is said from the explanation's levels and routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Detail:
    """A sentence as data: a code (a key of readiness.wording.details.SAY) and its facts."""

    detail_code: str
    detail_facts: Mapping[str, Any]


def said(code: str, **facts: Any) -> Detail:
    return Detail(code, facts)


# Every code the engine writes: the contract with readiness.wording, which has a sentence
# for each (tested both ways).
CODES = frozenset(
    {
        # Triggers.
        "index", "index_above", "count", "count_with", "route_missing", "route_closed",
        "route_seats", "margin_no_level", "margin_no_deadline", "margin_no_means",
        "margin_overdue", "margin_due", "manual_set", "manual_unset",
        # Preparedness checks.
        "staff_confirmed", "staff_contactable", "no_staff", "warden_coverage", "no_zones",
        "assembly_points", "routes_verified", "no_routes", "checklist", "no_higher_level",
        # Reasons for the recommendation.
        "reason_trigger", "reason_hold", "reason_time", "reason_means", "reason_baseline",
        # Configuration warnings.
        "no_route_at_all", "no_route_at_levels", "trigger_route_unknown", "quorum_unreachable",
    }
)  # fmt: skip
