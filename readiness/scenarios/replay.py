"""Replay a scenario day by day through the engine, in memory, and compare with its decisions.

Pure Python (no Django): the replay never touches the database. For each day D from the
scenario's `start` to its `end` (both included, calendar days in the post's time zone) the
engine is run once, at the **end of day D in the post's time zone** (23:59:59 local), on what
the timeline says was known by then:

- indicators whose `at` is at or before that moment (known when observed); an `end` entry at
  or before it ends its ongoing condition;
- route changes applied in file order (status, seats per day); a change counts as a check
  of the route (its `verified_at`, as the database loader records it);
- community changes likewise; the rest of the population comes from the file's rows exactly
  as the database loader and ``population_of`` derive it (expatriate staff only, local
  employees never, expatriate staff of open schools);
- the current level follows the file's `decision` entries (SCENARIO.md);
- the hold's memory (`last_indicated`) is carried from one day's assessment to the next.

Why the end of the day: a row dated 7 November then says what the crisis centre could know
by the evening of 7 November, including everything dated that day (a date alone means local
midnight). 23:59:59 rather than the next midnight keeps the evaluation inside day D, so an
entry dated D+1 is never counted on D, and a local wall-clock time always exists (DST
changes happen at night but not at 23:59:59).

The level in force at `start` (`post.level`) was decided before the timeline, on grounds
the timeline need not contain (Bamako has advised against travel to Mali for years). Until
the file's first `decision`, the replay gives that level an active **manual trigger**
("standing decision"), as an officer would record a standing travel advice in the
database; without it the engine, seeing only the indicators of the replayed months, would
call the starting level `too_early` until the crisis caught up with it. `standing=False`
(``manage.py replay --no-standing-level``) replays without it.

Preparedness (step 10) needs facts a scenario file does not give: staff confirmations,
contact details, route checks, pre-positioned checklists. The replay uses **neutral**
values: every expatriate staff member confirmed and contactable at the evaluation time,
every route verified at it, every checklist item pre-positioned. The preparedness score then
reflects only what the file does say (wardens and assembly points); it never enters the
recommended level or the verdict, which are what a replay compares.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import IO

from readiness.engine import (
    DEFAULT_PARAMS,
    Assessment,
    IndicatorIn,
    Inputs,
    Params,
    Population,
    Readiness,
    RouteIn,
    StaffIn,
    assess,
)
from readiness.engine.inputs import StaffRow, population_of
from readiness.engine.vocabulary import LevelSpec, TriggerKind, TriggerSpec

from .specs import DecisionEvent, IndicatorEvent, Scenario, TimelineEntry

# The public columns of SCENARIO.md ("Replay output"), in this order; extra columns follow.
CSV_COLUMNS = (
    "date",
    "threat_index",
    "trend_per_day",
    "current_level",
    "recommended_level",
    "verdict",
    "next_level_margin_days",
)
EXTRA_COLUMNS = ("next_level_margin_rank", "decision", "reasons")

# How a margin of minus infinity ("no means left": routes exist but none has seats) is written.
# Python's float(), pandas and numpy all read "-inf" back as minus infinity.
NO_MEANS_TEXT = "-inf"

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True, slots=True)
class ReplayDay:
    """One evaluated day: the engine's full answer and the decision taken that day, if any."""

    date: dt.date
    at: datetime  # the evaluation time: the end of the day, post time zone
    assessment: Assessment
    decisions: tuple[DecisionEvent, ...]  # taken that day (usually none)

    @property
    def current_level(self) -> int:
        return self.assessment.current_level

    @property
    def recommended_level(self) -> int:
        return self.assessment.recommended_level

    @property
    def verdict(self) -> str:
        return self.assessment.verdict

    @property
    def threat_index(self) -> float:
        return self.assessment.threat_index

    @property
    def trend_per_day(self) -> float:
        return self.assessment.trend_per_day

    @property
    def next_level_margin_days(self) -> float | None:
        return self.assessment.next_level_margin_days


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """How the engine's advice compares with one real decision.

    An escalation (to a level above the one in force) is matched with the first day of the
    replay on which the engine recommended that level or higher; a step down, with the first
    day, since the post went to the level it leaves, on which the engine recommended that
    level or lower. `lead_days` = decision date - that day: > 0 the engine was ahead, < 0 it
    lagged, 0 the same day, None it never did. `sustained_from` is the first day of the
    unbroken run of such advice that reaches the decision (or, after a lag, follows it):
    unlike `first_day`, an isolated early blip does not move it.
    """

    date: dt.date
    level: int
    previous_level: int
    rationale: str
    first_day: dt.date | None
    lead_days: int | None  # (decision date - first_day).days
    sustained_from: dt.date | None
    sustained_lead_days: int | None
    recommended_before: int | None  # the evening before the decision (at the old level)
    verdict_before: str
    recommended_on_the_day: int | None  # the decision day's evening, at the new level
    verdict_on_the_day: str

    @property
    def escalation(self) -> bool:
        return self.level > self.previous_level


@dataclass(frozen=True, slots=True)
class Replay:
    scenario: Scenario
    params: Params
    days: tuple[ReplayDay, ...]
    decisions: tuple[DecisionOutcome, ...]

    def day(self, when: dt.date) -> ReplayDay:
        """The row of a calendar day (KeyError when outside the replay)."""
        index = (when - self.days[0].date).days
        if not 0 <= index < len(self.days):
            raise KeyError(when)
        return self.days[index]

    def first_day_at_or_above(self, level: int) -> dt.date | None:
        """The first day whose recommended level is `level` or higher."""
        return first_day_at_or_above(self.days, level)


def evaluation_time(day: dt.date, scenario: Scenario) -> datetime:
    """The end of `day` in the post's time zone: 23:59:59 local."""
    return datetime.combine(day, END_OF_DAY, tzinfo=scenario.post.zone)


def replay_days(scenario: Scenario) -> list[dt.date]:
    """Calendar days from start to end inclusive, in the post's time zone."""
    zone = scenario.post.zone
    first = scenario.start.astimezone(zone).date()
    last = scenario.end.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def population_from(scenario: Scenario, community: Mapping[str, int]) -> Population:
    """The engine's Population from the file's rows, by the one rule the database side uses
    too (``population_of``), with the community as it stands."""
    return population_of(
        registered=community["registered"],
        dual_nationals=community["dual_nationals"],
        unregistered_estimate=community["unregistered_estimate"],
        staff=(
            StaffRow(
                category=row.category,
                essential=row.essential,
                count=row.count,
                dependants=row.dependants,
            )
            for row in scenario.staff
        ),
        school_staff=sum(school.expatriate_staff for school in scenario.schools if school.open),
    )


def neutral_readiness(scenario: Scenario, at: datetime) -> Readiness:
    """Preparedness facts the file does not give, taken as done at `at` (module docstring);
    wardens and assembly points as the file gives them."""
    heads = sum(row.count for row in scenario.staff if row.category == "expatriate")
    return Readiness(
        staff=(StaffIn(last_confirmed_at=at, contactable=True),) * heads,
        warden_zones=frozenset(w.zone for w in scenario.wardens),
        assembly_zones=frozenset(a.zone for a in scenario.assembly_points if a.zone),
        assembly_capacity=sum(a.capacity for a in scenario.assembly_points),
        checklists={lv.rank: (len(lv.actions), len(lv.actions)) for lv in scenario.ladder},
    )


def _indicator_id(entry: TimelineEntry, position: int) -> str:
    """The file's key, or the entry's position in the sorted timeline (stable in one run)."""
    assert entry.indicator is not None
    return entry.indicator.key or f"entry-{position + 1}"


def _indicator_in(
    event: IndicatorEvent, ident: str, at: datetime, ended_at: datetime | None
) -> IndicatorIn:
    """An IndicatorIn known when observed (a replayed crisis did not learn of it later)."""
    return IndicatorIn(
        id=ident,
        category=event.category,
        severity=event.severity,
        reliability=event.reliability,
        credibility=event.credibility,
        observed_at=at,
        expires_at=event.expires_at,
        ongoing=event.ongoing,
        ended_at=ended_at,
        recorded_at=at,
        source=event.source,
        text=event.text,
        event=event.event,
        de_escalation=event.de_escalation,
    )


STANDING_TRIGGER_NAME = "Standing decision"


def with_standing_trigger(ladder: tuple[LevelSpec, ...], rank: int) -> tuple[LevelSpec, ...]:
    """The ladder with an active manual trigger on `rank` (none added at rank 0)."""
    if rank == 0:
        return ladder
    standing = TriggerSpec(
        TriggerKind.MANUAL,
        name=STANDING_TRIGGER_NAME,
        active=True,
        reason="the level in force at the start of the scenario, decided before its timeline",
    )
    return tuple(
        replace(level, triggers=(*level.triggers, standing)) if level.rank == rank else level
        for level in ladder
    )


class _State:
    """What the timeline says was known, advanced entry by entry in time order."""

    def __init__(self, scenario: Scenario, standing: bool) -> None:
        self.scenario = scenario
        self.standing_ladder = (
            with_standing_trigger(scenario.ladder, scenario.post.level)
            if standing
            else scenario.ladder
        )
        self.level = scenario.post.level
        self.community = {
            "registered": scenario.community.registered,
            "dual_nationals": scenario.community.dual_nationals,
            "unregistered_estimate": scenario.community.unregistered_estimate,
        }
        self.routes: dict[str, RouteIn] = {
            r.key: RouteIn(
                key=r.key,
                mode=r.mode,
                status=r.status,
                seats_per_day=r.seats_per_day,
                lead_time_hours=r.lead_time_hours,
                closes_at_threat=r.closes_at_threat,
                usable_from=r.usable_from,
                # As ExitRoute names itself, so a replay's sentences read like the post page's.
                name=f"{str(r.mode).replace('_', ' ').capitalize()}: {r.from_place} → {r.to_place}",
            )
            for r in scenario.routes
        }
        self.indicators: dict[str, IndicatorIn] = {}  # id -> as known now, in file order
        self.by_key: dict[str, str] = {}  # indicator key -> id
        self.decisions: list[tuple[datetime, DecisionEvent]] = []
        self._next = 0

    def advance_to(self, now: datetime) -> None:
        """Apply every entry with at <= now not applied yet."""
        timeline = self.scenario.timeline
        while self._next < len(timeline) and timeline[self._next].at <= now:
            self._apply(timeline[self._next], self._next)
            self._next += 1

    def _apply(self, entry: TimelineEntry, position: int) -> None:
        if entry.indicator is not None:
            ident = _indicator_id(entry, position)
            self.indicators[ident] = _indicator_in(entry.indicator, ident, entry.at, None)
            if entry.indicator.key:
                self.by_key[entry.indicator.key] = ident
        elif entry.end is not None:
            ident = self.by_key[entry.end.indicator_key]
            self.indicators[ident] = replace(self.indicators[ident], ended_at=entry.at)
        elif entry.route is not None:
            change = entry.route
            route = self.routes[change.key]
            self.routes[change.key] = replace(
                route,
                status=change.status if change.status is not None else route.status,
                seats_per_day=(
                    change.seats_per_day
                    if change.seats_per_day is not None
                    else route.seats_per_day
                ),
            )
        elif entry.community is not None:
            for name in self.community:
                value = getattr(entry.community, name)
                if value is not None:
                    self.community[name] = value
        elif entry.decision is not None:
            self.level = entry.decision.level
            self.decisions.append((entry.at, entry.decision))

    def inputs(
        self,
        now: datetime,
        last_indicated: Mapping[int, datetime],
        params: Params,
        indicated_since: Mapping[int, datetime] | None = None,
    ) -> Inputs:
        routes = tuple(replace(r, verified_at=now) for r in self.routes.values())
        return Inputs(
            now=now,
            current_level=self.level,
            # The standing decision lasts until the file records a decision of its own.
            ladder=self.scenario.ladder if self.decisions else self.standing_ladder,
            indicators=tuple(self.indicators.values()),
            routes=routes,
            population=population_from(self.scenario, self.community),
            readiness=neutral_readiness(self.scenario, now),
            last_indicated=last_indicated,
            indicated_since=indicated_since or {},
            params=params,
        )


def replay(scenario: Scenario, params: Params = DEFAULT_PARAMS, *, standing: bool = True) -> Replay:
    """Run the engine at the end of each day of the scenario; compare with its decisions."""
    state = _State(scenario, standing)
    zone = scenario.post.zone
    last_indicated: Mapping[int, datetime] = {}
    indicated_since: Mapping[int, datetime] = {}
    days: list[ReplayDay] = []
    for day in replay_days(scenario):
        now = evaluation_time(day, scenario)
        taken = len(state.decisions)
        state.advance_to(now)
        result = assess(state.inputs(now, last_indicated, params, indicated_since))
        last_indicated = result.last_indicated
        indicated_since = result.indicated_since
        todays = tuple(d for at, d in state.decisions[taken:] if at.astimezone(zone).date() == day)
        days.append(ReplayDay(date=day, at=now, assessment=result, decisions=todays))
    outcomes = []
    previous, since = scenario.post.level, None
    for at, decision in state.decisions:
        when = at.astimezone(zone).date()
        outcomes.append(decision_outcome(days, when, decision, previous, since))
        previous, since = decision.level, when
    return Replay(scenario=scenario, params=params, days=tuple(days), decisions=tuple(outcomes))


def first_day_at_or_above(days: Sequence[ReplayDay], level: int) -> dt.date | None:
    """The first day whose recommended level is `level` or higher; None if none."""
    return next((d.date for d in days if d.recommended_level >= level), None)


def decision_outcome(
    days: Sequence[ReplayDay],
    when: dt.date,
    decision: DecisionEvent,
    previous_level: int,
    since: dt.date | None = None,
) -> DecisionOutcome:
    """lead = decision date - first day the engine agreed: recommended >= the decided level
    for an escalation; <= it, counted from `since` (the day the post reached the level it
    leaves), for a step down."""
    level = decision.level
    up = level > previous_level

    def agrees(day: ReplayDay) -> bool:
        return day.recommended_level >= level if up else day.recommended_level <= level

    start = (
        0
        if up or since is None
        else next((i for i, d in enumerate(days) if d.date >= since), len(days))
    )
    first = next((d.date for d in days[start:] if agrees(d)), None)
    index = next((i for i, d in enumerate(days) if d.date >= when), len(days))
    # The unbroken run that reaches the decision day: walk back from the day before it (the
    # last advice given before the decision), or forward from it if the engine lagged.
    i = index - 1
    if start <= i < len(days) and agrees(days[i]):
        while i > start and agrees(days[i - 1]):
            i -= 1
        sustained: dt.date | None = days[i].date
    else:
        sustained = next((d.date for d in days[index:] if agrees(d)), None)
    before = days[index - 1] if index > 0 else None
    on_day = days[index] if index < len(days) else None
    return DecisionOutcome(
        date=when,
        level=level,
        previous_level=previous_level,
        rationale=decision.rationale,
        first_day=first,
        lead_days=(when - first).days if first is not None else None,
        sustained_from=sustained,
        sustained_lead_days=(when - sustained).days if sustained is not None else None,
        recommended_before=before.recommended_level if before else None,
        verdict_before=before.verdict if before else "",
        recommended_on_the_day=on_day.recommended_level if on_day else None,
        verdict_on_the_day=on_day.verdict if on_day else "",
    )


# Output -----------------------------------------------------------------------------------


def format_margin(margin: float | None) -> str:
    """'' when there is no higher level or no deadline; '-inf' when no means are left."""
    if margin is None:
        return ""
    if margin == -math.inf:
        return NO_MEANS_TEXT
    return f"{margin:.2f}"


def reasons_summary(assessment: Assessment) -> str:
    """The reasons in short: 'trigger 4; time 3 (pressing 6); hold 3', highest first."""
    parts = []
    for reason in assessment.reasons:
        if reason.kind == "baseline":
            continue
        parts.append(f"{reason.kind} {reason.level}")
    return "; ".join(parts)


def row(day: ReplayDay) -> dict[str, str | int]:
    """One day as the CSV writes it: the public columns first, then the extras."""
    a = day.assessment
    return {
        "date": day.date.isoformat(),
        "threat_index": f"{a.threat_index:.2f}",
        "trend_per_day": f"{a.trend_per_day:.3f}",
        "current_level": a.current_level,
        "recommended_level": a.recommended_level,
        "verdict": a.verdict,
        "next_level_margin_days": format_margin(a.next_level_margin_days),
        "next_level_margin_rank": ""
        if a.next_level_margin_rank is None
        else a.next_level_margin_rank,
        "decision": " ".join(str(d.level) for d in day.decisions),
        "reasons": reasons_summary(a),
    }


def write_csv(result: Replay, out: IO[str]) -> None:
    """The series as CSV: the columns of SCENARIO.md in their order, then the extras."""
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *EXTRA_COLUMNS], lineterminator="\n")
    writer.writeheader()
    for day in result.days:
        writer.writerow(row(day))


def describe_outcome(outcome: DecisionOutcome, names: Mapping[int, str]) -> str:
    """'2025-11-07 level 3 (Citizens advised to leave): the engine first recommended it or
    higher on 2025-10-09, lead 29 days; ...'."""
    head = (
        f"{outcome.date.isoformat()} level {outcome.previous_level} -> {outcome.level} "
        f"({names[outcome.level]}): "
    )
    what = "it or higher" if outcome.escalation else "it or lower"
    if outcome.first_day is None or outcome.lead_days is None:
        return head + f"the engine never recommended {what} in the replay"
    text = head + (
        f"the engine first recommended {what} on {outcome.first_day.isoformat()}, "
        f"{_lead_words(outcome.lead_days)}"
    )
    if outcome.sustained_from is not None and outcome.sustained_from != outcome.first_day:
        assert outcome.sustained_lead_days is not None
        text += (
            f"; without a break from {outcome.sustained_from.isoformat()}, "
            f"{_lead_words(outcome.sustained_lead_days)}"
        )
    if outcome.verdict_before:
        text += (
            f"; the evening before: recommended {outcome.recommended_before}, "
            f"{outcome.verdict_before}"
        )
    if outcome.verdict_on_the_day:
        text += (
            f"; on the day, at level {outcome.level}: recommended "
            f"{outcome.recommended_on_the_day}, {outcome.verdict_on_the_day}"
        )
    return text


def _lead_words(days: int) -> str:
    if days > 0:
        return f"lead {days} day{'s' if days != 1 else ''}"
    if days < 0:
        return f"lag {-days} day{'s' if days != -1 else ''}"
    return "the same day"
