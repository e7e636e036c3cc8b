"""The shipped alert-level ladder, its action checklists and its default triggers.

A new post starts with a copy of this ladder (see docs/engine.md, "Default ladder and
triggers", for how each threshold was chosen). Ranks are what scenario files and decisions
refer to; names are for people.
"""

from __future__ import annotations

from .vocabulary import Category, Group, LevelSpec, RouteMode, TriggerKind, TriggerSpec

K = TriggerKind

DEFAULT_LADDER: tuple[LevelSpec, ...] = (
    LevelSpec(
        rank=0,
        name="Normal",
        actions=(
            "Keep staff, school and community rosters current",
            "Verify exit routes once a month",
        ),
    ),
    LevelSpec(
        rank=1,
        name="Heightened vigilance",
        actions=(
            "Confirm every staff member's presence and contact details",
            "Test the warden network zone by zone",
            "Verify each exit route and its seats per day",
        ),
        triggers=(
            TriggerSpec(K.THREAT_INDEX, name="Threat index elevated", threshold=20),
            TriggerSpec(
                K.INDICATOR_COUNT,
                name="Serious incidents this fortnight",
                category=Category.INCIDENT,
                count=2,
                min_severity=3,
                within_days=14,
            ),
        ),
    ),
    LevelSpec(
        rank=2,
        name="Travel advised against",
        actions=(
            "Publish advice against travel to the country",
            "Pre-position the crisis cell and its duty roster",
            "Ask airlines for their seat availability",
        ),
        triggers=(
            TriggerSpec(K.THREAT_INDEX, name="Threat index high", threshold=35),
            TriggerSpec(
                K.CATEGORY_INDEX,
                name="Security incidents frequent",
                category=Category.INCIDENT,
                threshold=40,
            ),
        ),
    ),
    LevelSpec(
        rank=3,
        name="Citizens advised to leave",
        leaves=frozenset({Group.CITIZENS}),
        actions=(
            "Advise citizens to leave temporarily by commercial means",
            "Negotiate extra commercial seats",
            "Send the advice through the warden network and confirm receipt",
        ),
        triggers=(
            # W 10.5. Above a chronic crisis's usual band (a standing insurgency, weekly
            # serious incidents and one grave attack reach about W 9.5, T 62): a post that
            # has advised against travel for years is not told to send its citizens home by
            # one more bad week. docs/engine.md, "How the defaults were chosen".
            TriggerSpec(K.THREAT_INDEX, name="Threat index severe", threshold=65),
            TriggerSpec(
                K.CATEGORY_INDEX,
                name="Supply of the capital strangled",
                category=Category.SUPPLY,
                threshold=50,
            ),
            TriggerSpec(
                K.INDICATOR_COUNT,
                name="Another country orders departure",
                category=Category.PEER_ACTION,
                count=1,
                min_severity=4,
                # 45, not 30: a departure order stands for at least its 30-day review
                # cycle and is rarely lifted within six weeks (docs/engine.md).
                within_days=45,
            ),
            TriggerSpec(
                K.CATEGORY_INDEX,
                name="Threats against foreigners",
                category=Category.THREAT_TO_FOREIGNERS,
                threshold=40,
            ),
        ),
    ),
    LevelSpec(
        rank=4,
        name="Reduced presence",
        leaves=frozenset({Group.NON_ESSENTIAL_STAFF, Group.DEPENDANTS, Group.SCHOOL_STAFF}),
        actions=(
            "Name the non-essential staff and dependants to recall",
            "Book their seats on commercial flights",
            "Close the schools and tell the families",
        ),
        triggers=(
            # W 15: half as much evidence again as level 3, as before (8 -> 12 became
            # 10.5 -> 15); reduced presence is a heavier step than advice to citizens.
            TriggerSpec(K.THREAT_INDEX, name="Threat index critical", threshold=78),
            TriggerSpec(
                K.INDICATOR_COUNT,
                name="Several countries draw down",
                category=Category.PEER_ACTION,
                count=2,
                min_severity=4,
                within_days=45,
            ),
            TriggerSpec(
                K.ROUTE,
                name="Commercial seats scarce",
                mode=RouteMode.COMMERCIAL_AIR,
                # Absolute, so kept low: at 60 a small post whose normal service is a few
                # flights a week would sit at reduced presence in peacetime. Scarcity
                # relative to the post's own numbers is the clearance margins' job.
                below_seats=20,
            ),
            TriggerSpec(
                K.CATEGORY_INDEX,
                name="Foreigners targeted",
                category=Category.THREAT_TO_FOREIGNERS,
                threshold=60,
            ),
        ),
    ),
    LevelSpec(
        rank=5,
        name="Shelter and regroup",
        actions=(
            "Regroup people at the assembly points",
            "Order confinement and check in every zone",
        ),
        triggers=(
            TriggerSpec(
                K.INDICATOR_COUNT,
                name="Fighting in the city",
                category=Category.INCIDENT,
                count=2,
                min_severity=5,
                within_days=3,
            ),
            TriggerSpec(K.THREAT_INDEX, name="Threat index extreme", threshold=88),
            # A grave incident that other governments act on: one of them authorising or
            # ordering departure within the same three days. In the library no government
            # drew down after any of the eight terrorist shocks; at N'Djamena (2008) the US
            # authorised departure the evening the army was routed 50 km out, and France
            # regrouped its nationals that night (docs/engine.md, "Converging evidence").
            TriggerSpec(
                K.INDICATOR_COUNT,
                name="Grave incident as governments leave",
                category=Category.INCIDENT,
                count=1,
                min_severity=5,
                within_days=3,
                with_category=Category.PEER_ACTION,
                with_min_severity=4,
            ),
        ),
    ),
    LevelSpec(
        rank=6,
        name="Evacuation",
        leaves=frozenset({Group.ESSENTIAL_STAFF}),
        actions=(
            "Request assisted or military evacuation",
            "Move everyone still in place, essential staff last",
        ),
        triggers=(
            # W 23 (was 95, W 30): in Tripoli 2014 and Bangui 2012 the index stood at 90-95
            # through the fighting while embassies left; 95 is reached only in the worst days.
            TriggerSpec(K.THREAT_INDEX, name="Threat index at its limit", threshold=90),
            TriggerSpec(
                K.ROUTE,
                name="No commercial flight left",
                mode=RouteMode.COMMERCIAL_AIR,
            ),
        ),
    ),
)


def validate_ladder(levels: tuple[LevelSpec, ...] | list[LevelSpec]) -> None:
    """Raise TriggerError/ValueError when a ladder cannot be used (ranks must be 0..n-1)."""
    ranks = [level.rank for level in levels]
    if sorted(ranks) != list(range(len(ranks))):
        raise ValueError(f"ranks must be 0..{len(ranks) - 1} with none missing, got {ranks}")
    for level in levels:
        if level.quorum < 1:
            raise ValueError(f"level {level.rank}: quorum must be at least 1")
        for trigger in level.triggers:
            trigger.validate()
            if trigger.margin_level is not None and trigger.margin_level not in ranks:
                raise ValueError(
                    f"level {level.rank}: margin_level {trigger.margin_level} is not a rank"
                )
