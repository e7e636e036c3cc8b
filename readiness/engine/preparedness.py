"""Step 10: is the post ready to carry out its next level? Six checks and a 0-100 score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .inputs import Readiness, RouteIn
from .params import Params
from .vocabulary import LevelSpec


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    value: float  # 0..1, the share that counts towards the score
    weight: float
    detail_code: str  # the sentence as data (readiness.wording says it) and its facts
    detail_facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Preparedness:
    score: int  # round(100 * sum(weight * value) / sum(weight))
    target_level: int | None  # the level whose checklist was checked
    checks: tuple[Check, ...]


def _share(part: int, whole: int) -> float:
    """part / whole, or 0 when whole is 0."""
    return part / whole if whole else 0.0


def evaluate_preparedness(
    readiness: Readiness,
    routes: Sequence[RouteIn],
    ladder: Sequence[LevelSpec],
    target_level: int | None,
    people_to_shelter: float,
    now: datetime,
    params: Params,
) -> Preparedness:
    """score = round(100 * sum(w_i * v_i) / sum(w_i)), v_i the share each check finds in order."""
    checks: list[Check] = []
    weights = params.preparedness_weights

    def add(name: str, passed: bool, value: float, code: str, **facts: Any) -> None:
        """Record one check, its value clipped to 0..1, and its detail sentence."""
        checks.append(
            Check(
                name,
                passed,
                max(0.0, min(1.0, value)),
                weights.get(name, 0.0),
                code,
                facts,
            )
        )

    staff = readiness.staff
    n = len(staff)
    # A confirmation dated after `now` had not happened yet at `now` (replays run in the past).
    since = now - timedelta(days=params.staff_confirmation_days)
    confirmed = sum(
        1 for s in staff if s.last_confirmed_at is not None and since <= s.last_confirmed_at <= now
    )
    share = _share(confirmed, n)
    add(
        "staff_confirmed",
        n > 0 and share >= params.staff_pass_share,
        share,
        "staff_confirmed" if n else "no_staff",
        **(
            {"confirmed": confirmed, "total": n, "days": params.staff_confirmation_days}
            if n
            else {}
        ),
    )
    contactable = sum(1 for s in staff if s.contactable)
    share = _share(contactable, n)
    add(
        "staff_contactable",
        n > 0 and share >= params.staff_pass_share,
        share,
        "staff_contactable" if n else "no_staff",
        **({"contactable": contactable, "total": n} if n else {}),
    )

    zones = readiness.warden_zones | readiness.assembly_zones
    covered = len(readiness.warden_zones)
    missing = sorted(zones - readiness.warden_zones)
    add(
        "warden_coverage",
        bool(zones) and not missing,
        _share(covered, len(zones)),
        "warden_coverage" if zones else "no_zones",
        **({"covered": covered, "zones": len(zones), "missing": missing} if zones else {}),
    )

    with_point = len(readiness.assembly_zones)
    zone_share = _share(with_point, len(zones))
    # Capacity is measured against the people expected to move at the top level: those are
    # who would gather at the assembly points before an evacuation.
    need = round(people_to_shelter)
    cap_share = min(1.0, readiness.assembly_capacity / need) if need > 0 else 1.0
    add(
        "assembly_points",
        bool(zones) and zone_share == 1.0 and cap_share == 1.0,
        min(zone_share, cap_share),
        "assembly_points",
        with_point=with_point,
        zones=len(zones),
        capacity=readiness.assembly_capacity,
        people=need,
    )

    verified_since = now - timedelta(hours=params.route_verification_hours)
    verified = sum(
        1 for r in routes if r.verified_at is not None and verified_since <= r.verified_at <= now
    )
    share = _share(verified, len(routes))
    add(
        "routes_verified",
        bool(routes) and verified == len(routes),
        share,
        "routes_verified" if routes else "no_routes",
        **(
            {"verified": verified, "total": len(routes), "hours": params.route_verification_hours}
            if routes
            else {}
        ),
    )

    if target_level is None:
        add("checklist", True, 1.0, "no_higher_level")
    else:
        level = next(lv for lv in ladder if lv.rank == target_level)
        done, total = readiness.checklists.get(target_level, (0, len(level.actions)))
        share = _share(done, total) if total else 1.0
        add(
            "checklist",
            done >= total,
            share,
            "checklist",
            done=done,
            total=total,
            rank=target_level,
            level_name=level.name,
        )

    total_weight = sum(c.weight for c in checks)
    score = (
        round(100 * sum(c.weight * c.value for c in checks) / total_weight) if total_weight else 0
    )
    return Preparedness(score=score, target_level=target_level, checks=tuple(checks))
