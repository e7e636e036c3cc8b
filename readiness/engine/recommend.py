"""Steps 8 and 9: the recommended level (triggers, time, hold) and the timing verdict, with
their reasons as codes and facts (readiness.wording says them)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .assessment import LevelOut, Reason
from .triggers import TriggerOut
from .vocabulary import LevelSpec


@dataclass(frozen=True, slots=True)
class Recommendation:
    level: int
    reasons: tuple[Reason, ...]  # highest level first
    indicated: frozenset[int]  # by their triggers, now
    held: Mapping[int, datetime]  # rank -> held until
    time_level: int | None  # the level the time trigger asks for
    pressing_level: int | None  # the level whose margin set off the time trigger
    last_indicated: Mapping[int, datetime]  # to carry to the next assessment
    indicated_since: Mapping[int, datetime]  # start of each level's unbroken run; carried too
    means_level: int | None = None  # the level whose means can still carry the people called


def hold_period(
    last: datetime,
    since: datetime | None,
    hold: timedelta,
    minimum: timedelta,
    per_day: float,
) -> timedelta:
    """How long a level is held after it was last indicated: `per_day` times as long as it
    had been indicated without a break (last - since), at least `minimum`, at most `hold`.
    Without a known start (an assessment stored before the rule), the full hold."""
    if since is None or since > last:
        return hold
    return max(minimum, min(hold, (last - since) * per_day))


def held_levels(
    last_indicated: Mapping[int, datetime],
    ranks: Sequence[int],
    now: datetime,
    hold: timedelta,
    indicated_since: Mapping[int, datetime] | None = None,
    minimum: timedelta | None = None,
    per_day: float = 1.0,
) -> dict[int, datetime]:
    """held(k) iff last(k) <= now < last(k) + hold(k); value: last(k) + hold(k), hold(k) the
    length of k's last unbroken run, between `minimum` and `hold` (hold_period)."""
    out = {}
    for rank, at in last_indicated.items():
        # An entry later than `now` comes from a later evaluation (a replay restarted
        # earlier): it says nothing about what was known at `now`.
        if rank not in ranks or at > now:
            continue
        period = (
            hold
            if indicated_since is None or minimum is None
            else hold_period(at, indicated_since.get(rank), hold, minimum, per_day)
        )
        if now < at + period:
            out[rank] = at + period
    return out


def deadline_margins(
    ladder: Sequence[LevelSpec], margins: Mapping[int, float | None]
) -> dict[int, float | None]:
    """The margins of the levels that move people; the others have no deadline of their own.

    A level that calls nobody new (Shelter and regroup) has the cumulative load of the levels
    below it, so its margin only repeats theirs. Above the current level, that repeated
    deadline belongs to people who have already been called: escalating cannot make them
    leave sooner, so it is no reason to escalate (the time rule) and no deadline ahead (the
    verdict). Without this, a post at Reduced presence whose commercial seats cannot carry
    the citizens who were advised to leave was told to evacuate (docs/engine.md, step 8).
    """
    movers = {lv.rank for lv in ladder if lv.moves_people}
    return {k: m for k, m in margins.items() if k in movers}


def time_trigger(
    ladder: Sequence[LevelSpec],
    current: int,
    margins: Mapping[int, float | None],
    buffer_days: float,
) -> tuple[int | None, int | None]:
    """If min over k > current of margin(k) < buffer: (next rank > current that moves people,
    the rank with that margin); else (None, None)."""
    pressing = [
        (m, k) for k, m in margins.items() if k > current and m is not None and m < buffer_days
    ]
    if not pressing:
        return None, None
    _, pressing_rank = min(pressing)
    movers = [lv.rank for lv in ladder if lv.rank > current and lv.moves_people]
    return (min(movers) if movers else None), pressing_rank


def recommend(
    ladder: Sequence[LevelSpec],
    levels: Sequence[LevelOut],
    triggers: Sequence[TriggerOut],
    indicated: frozenset[int],
    current: int,
    last_indicated: Mapping[int, datetime],
    now: datetime,
    hold_days: float,
    buffer_days: float,
    *,
    indicated_since: Mapping[int, datetime] | None = None,
    hold_min_days: float = 0.0,
    hold_per_day: float = 1.0,
    means: MeansShortfall | None = None,
) -> Recommendation:
    """recommended = max(0, indicated levels, held levels, time-trigger level, the level
    whose means can still carry the people already called)."""
    ranks = [lv.rank for lv in ladder]
    names = {lv.rank: lv.name for lv in ladder}
    # Only the deadlines of levels that move people press (deadline_margins): a level that
    # calls nobody new repeats the deadline of the people already called below it.
    margins = deadline_margins(ladder, {lv.rank: lv.margin_days for lv in levels})
    time_level, pressing = time_trigger(ladder, current, margins, buffer_days)
    since_before = dict(indicated_since or {})
    held = {
        k: until
        for k, until in held_levels(
            last_indicated,
            ranks,
            now,
            timedelta(days=hold_days),
            since_before,
            timedelta(days=hold_min_days),
            hold_per_day,
        ).items()
        if k not in indicated and k != time_level
    }
    means_level = means.level if means is not None else None
    candidates = {0} | set(indicated) | set(held)
    if time_level is not None:
        candidates.add(time_level)
    if means is not None:
        # The people already called cannot all leave by the current level's means: never
        # advise less than the current level, and ask for the level whose means can.
        candidates.add(current if means_level is None else means_level)
    level = max(candidates)
    stepped_from = None
    if level < current:
        # A step down must not go to a level whose own people could not all leave by its
        # means: stop at the first one (at the latest the current level) whose can.
        floor = level
        while floor < current and _stuck(levels[floor]):
            floor += 1
        if floor > level:
            stepped_from, level = level, floor

    reasons: list[Reason] = []
    for k in sorted(indicated, reverse=True):
        met = [
            {
                "name": t.name,
                "detail_code": t.detail_code,
                "detail_facts": t.detail_facts,
            }
            for t in triggers
            if t.level == k and t.met
        ]
        reasons.append(_reason("trigger", k, "reason_trigger", level_name=names[k], triggers=met))
    for k in sorted(held, reverse=True):
        reasons.append(
            _reason(
                "hold",
                k,
                "reason_hold",
                level_name=names[k],
                held_until=held[k],
                last=last_indicated[k],
            )
        )
    if pressing is not None:
        m = levels[pressing].margin_days
        reasons.append(
            _reason(
                "time",
                time_level or level,
                "reason_time",
                level_name=levels[pressing].name,
                people=levels[pressing].load,
                due=_due(m),
                days=_days(m),
                buffer=buffer_days,
                target_name=names[time_level] if time_level is not None else None,
            )
        )
    if means is not None:
        reasons.append(
            _means_reason(names, levels, current, means.people, means.margin, means.level)
        )
    if stepped_from is not None:
        below = levels[stepped_from]
        assert below.margin_days is not None  # _stuck: a negative margin
        reasons.append(
            _means_reason(names, levels, stepped_from, below.load, below.margin_days, level)
        )
    reasons.sort(key=lambda r: -r.level)
    if not reasons:
        reasons.append(
            _reason("baseline", 0, "reason_baseline", buffer=buffer_days, level_name=names[0])
        )

    new_last = dict(last_indicated)
    new_since = {k: v for k, v in since_before.items() if k in new_last}
    fresh = set(indicated)
    if time_level is not None:
        # Time is a trigger too: holding its level stops the recommendation flapping as the
        # trend (and with it every deadline) moves from one day to the next.
        fresh.add(time_level)
    if means_level is not None:
        fresh.add(means_level)
    gap = timedelta(days=max(hold_min_days, 0.0))
    for k in fresh:
        before = last_indicated.get(k)
        # An unbroken run: indicated last time, and not longer ago than the shortest hold.
        if before is None or before > now or now - before > gap or k not in new_since:
            new_since[k] = now
        new_last[k] = now
    return Recommendation(
        level=level,
        reasons=tuple(reasons),
        indicated=indicated,
        held=held,
        time_level=time_level,
        pressing_level=pressing,
        last_indicated=new_last,
        indicated_since=new_since,
        means_level=means_level,
    )


def _stuck(level: LevelOut) -> bool:
    """Its people cannot all leave by the means usable at it before those close."""
    m = level.margin_days
    return level.load > 0 and m is not None and m < 0


def _days(margin: float | None) -> float | None:
    """The number of days a reason states: none for no deadline or no means left."""
    return None if margin is None or margin == -math.inf else abs(margin)


def _means_reason(
    names: Mapping[int, str],
    levels: Sequence[LevelOut],
    stuck: int,
    people: float,
    margin: float,
    target: int | None,
) -> Reason:
    """The people called at `stuck` cannot all leave by its means (margin < 0); `target`,
    the level whose means can (None: none can), is asked for with its own deadline."""
    target_margin = levels[target].margin_days if target is not None else None
    return _reason(
        "means",
        target if target is not None else stuck,
        "reason_means",
        level_name=names[stuck],
        people=people,
        due=_due(margin),
        days=_days(margin),
        target_name=names[target] if target is not None else None,
        target_due=_due(target_margin) if target is not None else None,
        target_days=_days(target_margin),
    )


def _due(margin: float | None) -> str:
    """A margin as the reasons say it: no_deadline, no_means, overdue or due."""
    if margin is None:
        return "no_deadline"
    if margin == -math.inf:
        return "no_means"
    return "overdue" if margin < 0 else "due"


@dataclass(frozen=True, slots=True)
class MeansShortfall:
    """The people already called (the current level's load) cannot all leave by the means
    usable at the current level before those close (`margin` < 0); `level`: the lowest
    level above whose means still can (None: none can)."""

    people: float
    margin: float
    level: int | None


def _reason(kind: str, level: int, code: str, **facts: Any) -> Reason:
    return Reason(kind, level, code, facts)


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    next_margin_days: float | None
    next_margin_rank: int | None


def timing_verdict(
    current: int,
    recommended: int,
    margins: Mapping[int, float | None],
    watch_days: float,
    deadlines: Mapping[int, float | None] | None = None,
    called_margin: float | None = None,
) -> Verdict:
    """late: rec > cur and margin(rec) < 0, or rec <= cur and the people already called
    cannot all leave (called_margin < 0); act_now: rec > cur; watch: min deadline above cur <
    watch; too_early: cur > rec and no deadline above rec < watch; else on_time.

    `deadlines`: the margins that count as deadlines ahead (`deadline_margins`); default all.
    `called_margin`: the current level's own margin when it has people to move: a gauge
    never says on time, watch or too early while they cannot all leave in time.
    """
    if deadlines is None:
        deadlines = margins
    ahead = [(m, k) for k, m in deadlines.items() if k > current and m is not None]
    tight_m, tight_k = min(ahead) if ahead else (None, None)
    if recommended > current:
        m = margins.get(recommended)
        verdict = "late" if m is not None and m < 0 else "act_now"
    elif called_margin is not None and called_margin < 0:
        verdict = "late"
    else:
        pressure = any(
            m is not None and m < watch_days for k, m in deadlines.items() if k > recommended
        )
        if current > recommended and not pressure:
            verdict = "too_early"
        elif tight_m is not None and tight_m < watch_days:
            verdict = "watch"
        else:
            verdict = "on_time"
    return Verdict(verdict, tight_m, tight_k)
