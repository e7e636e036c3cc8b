"""Step 6: expected departures per group and cumulative loads per level."""

from __future__ import annotations

from dataclasses import replace

import pytest

from readiness.engine import DEFAULT_LADDER, DEFAULT_PARAMS, Population
from readiness.engine.inputs import StaffRow, population_of
from readiness.engine.population import group_sizes, level_loads
from readiness.engine.vocabulary import Group

from .builders import BAMAKO

P = DEFAULT_PARAMS


def test_citizens_bamako() -> None:
    # 1,200 single-nationality x 0.8 + 2,800 dual x 0.3 = 960 + 840 = 1,800; the 300
    # unregistered share the registered dual rate (70 %): 300 x (0.3 x 0.8 + 0.7 x 0.3) = 135.
    assert group_sizes(BAMAKO, P)[Group.CITIZENS] == pytest.approx(1935)


def test_staff_groups_leave_in_full() -> None:
    sizes = group_sizes(BAMAKO, P)
    assert sizes[Group.NON_ESSENTIAL_STAFF] == 12
    assert sizes[Group.DEPENDANTS] == 18
    assert sizes[Group.SCHOOL_STAFF] == 60
    assert sizes[Group.ESSENTIAL_STAFF] == 28


def test_unregistered_with_no_registered_community_count_as_single_nationals() -> None:
    pop = Population(0, 0, 100, 0, 0, 0, 0)
    assert group_sizes(pop, P)[Group.CITIZENS] == pytest.approx(80)


def test_default_ladder_loads_are_cumulative() -> None:
    loads = level_loads(BAMAKO, DEFAULT_LADDER, P)
    assert [round(x.load) for x in loads] == [0, 0, 0, 1935, 2025, 2025, 2053]
    assert loads[4].new_groups == {
        Group.NON_ESSENTIAL_STAFF,
        Group.DEPENDANTS,
        Group.SCHOOL_STAFF,
    }
    assert loads[5].new_groups == frozenset()
    assert dict(loads[5].by_group) == dict(loads[4].by_group)
    assert set(loads[6].by_group) == set(Group)


def test_a_group_called_twice_counts_once() -> None:
    ladder = list(DEFAULT_LADDER)
    ladder[5] = replace(ladder[5], leaves=frozenset({Group.CITIZENS}))
    loads = level_loads(BAMAKO, ladder, P)
    assert loads[5].load == loads[4].load


def test_propensities_are_parameters() -> None:
    p = replace(P, propensity_dual=0.0, propensity_citizen=1.0)
    # 1,200 + 0 + 300 x 0.3 = 1,290
    assert group_sizes(BAMAKO, p)[Group.CITIZENS] == pytest.approx(1290)


def test_population_of_counts_expatriate_rows_only() -> None:
    # The one rule the database loader and the scenario replay share: local employees and
    # their families are never the post's to evacuate; groups count by their head count.
    rows = [
        StaffRow(category="expatriate", essential=True, count=10, dependants=4),
        StaffRow(category="expatriate", essential=False, count=3, dependants=2),
        StaffRow(category="local", essential=True, count=40, dependants=90),
    ]

    population = population_of(
        registered=100, dual_nationals=60, unregistered_estimate=5, staff=rows, school_staff=7
    )

    assert population == Population(
        citizens_registered=100,
        dual_nationals=60,
        unregistered_estimate=5,
        non_essential_staff=3,
        essential_staff=10,
        dependants=6,
        school_staff=7,
    )
