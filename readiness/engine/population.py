"""Step 6: how many people are expected to leave at each level (cumulative over ranks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .inputs import Population
from .params import Params
from .vocabulary import Group, LevelSpec


@dataclass(frozen=True, slots=True)
class LevelLoad:
    rank: int
    new_groups: frozenset[Group]  # groups first called at this rank
    by_group: Mapping[Group, float]  # cumulative: every group called at this rank or below
    load: float


def group_sizes(population: Population, params: Params) -> dict[Group, float]:
    """citizens = (reg - dual) * p_cit + dual * p_dual + unreg * ((1 - d) * p_cit + d * p_dual),
    d = dual / reg; staff groups = head count * p_staff."""
    reg = population.citizens_registered
    dual = population.dual_nationals
    # The unregistered are assumed to have the registered community's dual share: they are
    # the same community, only less in touch with the consulate.
    dual_share = dual / reg if reg > 0 else 0.0
    unregistered_propensity = (
        1.0 - dual_share
    ) * params.propensity_citizen + dual_share * params.propensity_dual
    citizens = (
        (reg - dual) * params.propensity_citizen
        + dual * params.propensity_dual
        + population.unregistered_estimate * unregistered_propensity
    )
    staff = params.propensity_staff
    return {
        Group.CITIZENS: citizens,
        Group.NON_ESSENTIAL_STAFF: population.non_essential_staff * staff,
        Group.DEPENDANTS: population.dependants * staff,
        Group.SCHOOL_STAFF: population.school_staff * staff,
        Group.ESSENTIAL_STAFF: population.essential_staff * staff,
    }


def level_loads(
    population: Population, ladder: Iterable[LevelSpec], params: Params
) -> tuple[LevelLoad, ...]:
    """load(k) = sum of the groups called at any rank <= k (each group counted once)."""
    sizes = group_sizes(population, params)
    called: dict[Group, float] = {}
    out = []
    for level in sorted(ladder, key=lambda lv: lv.rank):
        new = frozenset(g for g in level.leaves if g not in called)
        for g in sorted(new):
            called[g] = sizes[Group(g)]
        out.append(
            LevelLoad(
                rank=level.rank,
                new_groups=new,
                by_group=MappingProxyType(dict(called)),
                load=sum(called.values()),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LoadRow:
    """One line of the load's arithmetic: people x propensity = expected departures."""

    group: Group
    part: str  # citizens: single | dual | unregistered; staff groups: ""
    people: float  # head count still in place
    propensity: float
    expected: float  # people * propensity
    first_rank: int | None  # the lowest rank that calls the group; None: never called


def load_rows(
    population: Population, ladder: Iterable[LevelSpec], params: Params
) -> tuple[LoadRow, ...]:
    """The rows group_sizes() sums, each with its head count and propensity, so that a
    duty officer can redo every level's load (the unregistered get the registered
    community's dual share: (1 - d) * p_citizen + d * p_dual)."""
    first: dict[Group, int] = {}
    for level in sorted(ladder, key=lambda lv: lv.rank):
        for g in level.leaves:
            first.setdefault(Group(g), level.rank)
    reg = population.citizens_registered
    dual = population.dual_nationals
    d = dual / reg if reg > 0 else 0.0
    p_unreg = (1.0 - d) * params.propensity_citizen + d * params.propensity_dual
    staff = params.propensity_staff
    citizens = first.get(Group.CITIZENS)
    rows = [
        (Group.CITIZENS, "single", reg - dual, params.propensity_citizen, citizens),
        (Group.CITIZENS, "dual", dual, params.propensity_dual, citizens),
        (Group.CITIZENS, "unregistered", population.unregistered_estimate, p_unreg, citizens),
    ]
    for group, count in (
        (Group.NON_ESSENTIAL_STAFF, population.non_essential_staff),
        (Group.DEPENDANTS, population.dependants),
        (Group.SCHOOL_STAFF, population.school_staff),
        (Group.ESSENTIAL_STAFF, population.essential_staff),
    ):
        rows.append((group, "", count, staff, first.get(group)))
    return tuple(LoadRow(g, part, float(n), p, n * p, rank) for g, part, n, p, rank in rows)
