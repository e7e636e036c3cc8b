"""The shipped ladder: valid, in the documented shape, and quiet on a quiet post."""

from __future__ import annotations

from readiness.engine import DEFAULT_LADDER, validate_ladder
from readiness.engine.vocabulary import Group, TriggerKind


def test_the_default_ladder_is_valid() -> None:
    validate_ladder(DEFAULT_LADDER)


def test_ranks_names_and_leaves() -> None:
    assert [(lv.rank, lv.name) for lv in DEFAULT_LADDER] == [
        (0, "Normal"),
        (1, "Heightened vigilance"),
        (2, "Travel advised against"),
        (3, "Citizens advised to leave"),
        (4, "Reduced presence"),
        (5, "Shelter and regroup"),
        (6, "Evacuation"),
    ]
    assert [lv.rank for lv in DEFAULT_LADDER if lv.moves_people] == [3, 4, 6]
    assert DEFAULT_LADDER[6].leaves == {Group.ESSENTIAL_STAFF}


def test_every_level_above_normal_has_triggers_and_actions() -> None:
    for level in DEFAULT_LADDER[1:]:
        assert level.triggers and level.actions and level.quorum == 1


def test_threat_thresholds_rise_with_the_ladder() -> None:
    thresholds = [
        t.threshold
        for lv in DEFAULT_LADDER
        for t in lv.triggers
        if t.kind == TriggerKind.THREAT_INDEX
    ]
    assert thresholds == sorted(thresholds) == [20, 35, 65, 78, 88, 90]
