"""Steps 1-3: indicator weights, the threat index and its sub-indices, the trend and the
post's baseline.

Evidence, not reports, adds up (docs/engine.md, step 1):

- reports that name the same `event` are one piece of evidence: the event weighs as its
  heaviest report, with the best credibility among them (raised when two or more sources
  report it): corroboration raises credibility, not weight;
- reports that name no event but are of the same kind and observed within a short window
  of an earlier-known one may be the same shock: the n-th counts repeat_factor^(n-1);
- an ongoing condition weighs fully until it ends, or until ongoing_full_days after it was
  last reported, whichever comes first; a de-escalation of the same event ends it;
- de-escalations (a route reopened, a ceasefire) weigh against their own category, which
  never goes below zero.

The trend and the baseline need the threat index of each past day as it stood then.
Rather than re-scoring every indicator for every day, each indicator is scored once (its
weight now) and its weight on day j is derived from it: an event's weight j days before now
is its weight now times 2^(j / half-life), valid over a contiguous range of days (known, not
yet expired). Those ranges are summed with difference arrays, one pass over the indicators.
Only events reported more than once (a named event with several reports, rare) are
evaluated day by day, because the heaviest report of a day is not a sum.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from statistics import median
from types import MappingProxyType
from typing import Any, NamedTuple

from .inputs import IndicatorIn
from .params import Params
from .vocabulary import Category, Reliability

DAY = timedelta(days=1)
_ZERO = timedelta(0)
_SECONDS_PER_DAY = 86400.0
_LN2 = math.log(2.0)

# Status of an indicator in an assessment (IndicatorContribution.status).
EVENT = "event"  # an event, weighing by its age
ONGOING = "ongoing"  # an ongoing condition not ended: full weight
ENDED = "ended"  # an ongoing condition that ended: weighing by the time since its end
STALE = "stale"  # an ongoing condition nobody re-reported: ageing since it went stale
EXPIRED = "expired"  # past expires_at: weight 0
NOT_YET_KNOWN = "not_yet_known"  # observed or recorded after the evaluation time: ignored

# Reports of these categories describe the same kind of shock (an attack logged as an
# incident and as a threat to foreigners): near-duplicates are looked for across them.
FAMILY: Mapping[Category, Category] = MappingProxyType(
    {Category.THREAT_TO_FOREIGNERS: Category.INCIDENT}
)


# The count triggers count one shock's unnamed reports once in these categories (an attack
# reported, updated and claimed); elsewhere each report counts: two governments ordering
# departure in one week are two countries drawing down.
_CLUSTERED = frozenset({Category.INCIDENT, Category.THREAT_TO_FOREIGNERS})
# Each government's action is its own decision, even when a file or a feed names the
# occasion they share as one event: peer actions are never merged into one; several
# governments' similar actions within the window get diminishing returns instead, and
# each counts for "several countries draw down".
_SEPARATE_ACTORS = frozenset({Category.PEER_ACTION})


class IndicatorContribution(NamedTuple):
    """One indicator's part in W, with every factor of its weight:
    weight = severity * r * k * decay * counted, negative for a de-escalation.
    A NamedTuple, not a dataclass: an assessment builds a thousand of them and a frozen
    dataclass's __init__ costs several times as much."""

    id: str
    category: Category
    severity: int
    reliability: Reliability
    credibility: int
    r: float
    k: float  # the credibility factor used: the event's best, raised when corroborated
    age_days: float | None  # None when it does not weigh (expired, not yet known)
    half_life_days: float
    decay: float
    weight: float  # signed: a de-escalation's is negative
    status: str
    share: float  # of W (weight / W)
    event: str = ""  # the event it reports ("" = an event of its own)
    counted: float = 1.0  # 1; repeat_factor^n for a near-duplicate; 0 for a named event's
    # other reports (the event weighs as its heaviest)
    de_escalation: bool = False
    repeats: int = 0  # near-duplicates known before it (counted = repeat_factor^repeats)


@dataclass(frozen=True, slots=True)
class CategoryIndex:
    category: Category
    weight: float  # max(0, sum of its indicators' signed weights)
    index: float  # 100 * (1 - exp(-weight / S))
    indicators: int  # how many of its indicators weigh


@dataclass(frozen=True, slots=True)
class TrendPoint:
    at: datetime
    days_ago: int
    threat_index: float


@dataclass(frozen=True, slots=True)
class Trend:
    """Step 3's trend, and the slope a route horizon may extrapolate (step 4).

    `slope_per_day` is DESIGN.md's trend: the least-squares slope through the daily T.
    `forecast_slope_per_day` is what step 4 extrapolates. It is read on the *underlying*
    series: the same daily T, but with every ongoing condition counted on the days of the
    window before it was known, so that its onset (a level shift, not a pace) does not read as
    a rise; and it is the smallest of that series' slope and the slopes of its two halves,
    floored at 0: a rise only when both halves rise (a single shock raises one half only),
    and a figure that moves continuously with the data rather than switching on and off.
    """

    points: tuple[TrendPoint, ...]  # oldest first; the last one is the evaluation time
    slope_per_day: float
    underlying_slope_per_day: float = 0.0
    older_half_slope_per_day: float = 0.0  # of the underlying series
    newer_half_slope_per_day: float = 0.0
    forecast_slope_per_day: float = 0.0

    @property
    def sustained(self) -> bool:
        """The underlying series rises in both halves of the window."""
        return self.older_half_slope_per_day > 0 and self.newer_half_slope_per_day > 0


@dataclass(frozen=True, slots=True)
class Baseline:
    """The post's own recent normal: the median daily W (and T) over the days before the
    trend window on which the post had a history (`days`), in all and per category; None
    when it has too little. Escalation above the current level is read against it."""

    threat_index: float | None
    days: int  # days of history the median was taken over
    window_days: int  # the days looked at
    weight: float = 0.0  # median daily W (0 without a baseline)
    category_weight: Mapping[Category, float] = field(default_factory=lambda: MappingProxyType({}))

    def above(self, weight: float, category: Category | None, saturation: float) -> float:
        """The index of what weighs above the baseline: 100 * (1 - exp(-(W - W_b)+ / S))."""
        base = self.weight if category is None else self.category_weight.get(category, 0.0)
        return threat_index(max(0.0, weight - base), saturation)


class InForce(NamedTuple):
    """A piece of evidence as the indicator-count triggers see it (known, not expired):
    one named event, one cluster of near-duplicate reports, or one report."""

    id: str  # the heaviest report's id
    category: Category
    severity: int
    confidence: float  # R * K
    last_in_force: datetime  # event: observed_at; ongoing: ended_at, or now if not ended
    reports: int = 1  # reports behind it
    # (severity, R * K) of each report behind it: a trigger counts the piece when one
    # report is grave and sure enough, not a rumour's severity with another's grading.
    graded: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True, slots=True)
class ThreatPicture:
    threat_index: float
    total_weight: float
    categories: tuple[CategoryIndex, ...]  # every category, in vocabulary order
    contributions: tuple[IndicatorContribution, ...]  # heaviest first
    trend: Trend
    in_force: Mapping[Category, tuple[InForce, ...]]  # by category
    baseline: Baseline = field(default_factory=lambda: Baseline(None, 0, 0))


def indicator_weight(
    severity: int, r: float, k: float, age_days: float, half_life_days: float
) -> float:
    """w = severity * R * K * 0.5^(age / half_life)."""
    return severity * r * k * math.exp(-_LN2 * age_days / half_life_days)


def threat_index(total_weight: float, saturation: float) -> float:
    """T = 100 * (1 - exp(-W / S))."""
    return 100.0 * (1.0 - math.exp(-total_weight / saturation))


def least_squares_slope(xs: list[float], ys: list[float]) -> float:
    """slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def _repeats(indicators: Sequence[IndicatorIn], params: Params) -> dict[str, int]:
    """For each report that names no event (an ongoing condition too: a siege reported as
    a condition and as an attack on foreigners is one shock): how many reports of
    the same family and direction, known before it, were observed within the family's
    window of it. Depends only on earlier-known reports, so a past day's value is the same
    as today's: the difference arrays stay exact."""
    by_family: dict[tuple[Category, bool], list[IndicatorIn]] = defaultdict(list)
    for ind in indicators:
        if not ind.event or ind.category in _SEPARATE_ACTORS:
            by_family[(FAMILY.get(ind.category, ind.category), ind.de_escalation)].append(ind)
    out: dict[str, int] = {}
    hours = params.repeat_window_hours
    for members in by_family.values():
        if len(members) == 1:
            continue
        members.sort(key=lambda i: i.observed_at)
        seen = [i.observed_at.timestamp() for i in members]
        order = [(i.known_at.timestamp(), i.id) for i in members]
        windows = [hours[i.category] * 3600.0 for i in members]
        count = len(members)
        for pos in range(count):
            t, mine, window = seen[pos], order[pos], windows[pos]
            lo = bisect_left(seen, t - window)
            hi = bisect_right(seen, t + window)
            n = 0
            for q in range(lo, hi):
                # Arrival order only, whatever the weights: then raising one report's
                # severity or credibility never lowers the index (a property tested). The
                # price: a rumour known first halves the confirmed report that follows,
                # unless they name their event (docs/engine.md, "Limits").
                if order[q] < mine:
                    n += 1
            if n:
                out[members[pos].id] = n
    return out


class _Group(NamedTuple):
    """Several reports naming one event, in one direction (raising or lowering)."""

    event: str
    de_escalation: bool
    members: tuple[IndicatorIn, ...]


def _direct_weights(
    group: _Group,
    lowered: Mapping[str, list[datetime]],
    at: datetime,
    params: Params,
    rel: Mapping[Reliability, float],
    cred: Mapping[int, float],
    *,
    underlying: bool = False,
) -> tuple[float, IndicatorIn | None, list[tuple[IndicatorIn, float, float, float, str, float]]]:
    """The event's weight at `at` (its heaviest report's, unsigned), that report, and per
    report known then (report, k, age, decay, status, weight). `underlying`: its ongoing
    reports count as if known from the start (the trend's underlying series)."""
    known = [m for m in group.members if m.known_at <= at or (underlying and m.ongoing)]
    if not known:
        return 0.0, None, []
    k = max(cred[m.credibility] for m in known)
    if len({m.source.strip().lower() for m in known if m.source.strip()}) >= 2:
        k = min(1.0, k + params.corroboration_step)
    reported = [m.known_at for m in known if m.known_at <= at]
    last_report = max(reported) if reported else at
    rows = []
    best = 0.0
    best_m: IndicatorIn | None = None
    for m in known:
        if m.expires_at is not None and m.expires_at <= at:
            continue
        base = m.severity * rel[m.reliability] * k
        if m.ongoing:
            lowered_at = None if group.de_escalation else _lowered_after(lowered, m)
            end = _end(m, last_report, lowered_at, params.ongoing_full_days)
            if end[0] > at:
                age, status = 0.0, ONGOING
            else:
                age, status = (at - end[0]).total_seconds() / _SECONDS_PER_DAY, end[1]
        else:
            age, status = (at - m.observed_at).total_seconds() / _SECONDS_PER_DAY, EVENT
        decay = math.exp(-_LN2 * max(0.0, age) / params.half_life_days[m.category])
        w = base * decay
        rows.append((m, k, age, decay, status, w))
        if w > best:
            best, best_m = w, m
    return best, best_m, rows


def _lowered_after(lowered: Mapping[str, list[datetime]], ind: IndicatorIn) -> datetime | None:
    """The first de-escalation of the indicator's event known after it became known (a
    de-escalation is not ended by itself or another one)."""
    if not ind.event or ind.de_escalation:
        return None
    start = ind.known_at
    return next((t for t in lowered.get(ind.event, ()) if t >= start), None)


def _end(
    ind: IndicatorIn, last_report: datetime, lowered_at: datetime | None, full_days: float
) -> tuple[datetime, str]:
    """When an ongoing condition stops weighing fully: its end, a de-escalation of the same
    event, or the day it goes stale (ongoing_full_days after it was last reported),
    whichever comes first. Compared with the evaluation time by the caller."""
    ends = [(last_report + timedelta(days=full_days), STALE)]
    if ind.ended_at is not None:
        ends.append((ind.ended_at, ENDED))
    if lowered_at is not None:
        ends.append((lowered_at, ENDED))
    return min(ends)


def evaluate_threat(
    indicators: tuple[IndicatorIn, ...] | list[IndicatorIn], now: datetime, params: Params
) -> ThreatPicture:
    """W = sum over categories of max(0, signed weights); T = 100 * (1 - exp(-W / S)); T_j on
    each of the last n days and the baseline window; slope; baseline."""
    n = params.trend_window_days
    gap = params.baseline_gap_days
    span = max(n, gap + params.baseline_window_days)  # days of history evaluated
    last = span - 1
    # Plain dicts: a lookup in a MappingProxyType costs noticeably more in this loop.
    rel = dict(params.reliability_factor)
    cred = dict(params.credibility_factor)
    half = dict(params.half_life_days)
    rate = {c: _LN2 / h for c, h in half.items()}
    cats = list(Category)
    # Per category: day-indexed difference arrays of constant weights (ongoing conditions in
    # force on that day) and of decaying weights expressed at now (to be scaled by 2^(j/h)),
    # and plain per-day weights of the events evaluated day by day.
    const = {c: [0.0] * (span + 1) for c in cats}
    decay = {c: [0.0] * (span + 1) for c in cats}
    direct = {c: [0.0] * span for c in cats}
    # The underlying series (Trend): an ongoing condition's full weight on the window's days
    # before it was known, as if it had always been there. Plain, not per category.
    onset = [0.0] * (n + 1)
    direct_onset = [0.0] * n
    cat_now = dict.fromkeys(cats, 0.0)
    cat_count = dict.fromkeys(cats, 0)
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    exp = math.exp
    zero = _ZERO
    day = DAY

    known: list[IndicatorIn] = []
    for ind in indicators:
        if ind.known_at > now:
            r, k = rel[ind.reliability], cred[ind.credibility]
            append(
                (ind.id, ind.category, ind.severity, ind.reliability, ind.credibility, r, k,
                 None, half[ind.category], 0.0, 0.0, NOT_YET_KNOWN, ind.event, 0.0,
                 ind.de_escalation, 0)
            )  # fmt: skip
        else:
            known.append(ind)

    # Named events: who reports them, when they were last reported, when a de-escalation
    # of the same event ended them.
    named: dict[tuple[str, bool], list[IndicatorIn]] = defaultdict(list)
    for ind in known:
        if ind.event and ind.category not in _SEPARATE_ACTORS:
            named[(ind.event, ind.de_escalation)].append(ind)
    # When each named event was lowered (de-escalations of it, oldest first): a
    # de-escalation ends the event's conditions known before it, not later ones.
    lowered: dict[str, list[datetime]] = defaultdict(list)
    for ind in known:
        if ind.event and ind.de_escalation:
            lowered[ind.event].append(ind.known_at)
    for times in lowered.values():
        times.sort()
    groups = [
        _Group(event, down, tuple(members))
        for (event, down), members in named.items()
        if len(members) > 1
    ]
    in_groups = {m.id for g in groups for m in g.members}
    repeats = _repeats([i for i in known if i.id not in in_groups], params)
    factor_of = params.repeat_factor
    earliest = min((i.known_at for i in known), default=now)

    for ind in known:
        if ind.id in in_groups:
            continue
        cat = ind.category
        r = rel[ind.reliability]
        k = cred[ind.credibility]
        j_known = (now - ind.known_at) // day
        if j_known > last:
            j_known = last
        expires_at = ind.expires_at
        if expires_at is None:
            j_first = 0
        else:
            since_exp = now - expires_at
            j_first = 0 if since_exp < zero else since_exp // day + 1
        nrep = repeats.get(ind.id, 0)
        counted = factor_of**nrep if nrep else 1.0
        sign = -1.0 if ind.de_escalation else 1.0
        base = sign * ind.severity * r * k * counted
        observed = ind.observed_at

        if not ind.ongoing:
            age = (now - observed).total_seconds() / _SECONDS_PER_DAY
            factor = exp(-rate[cat] * age)
            w_now = base * factor
            if j_first <= j_known:
                arr = decay[cat]
                arr[j_first] += w_now
                arr[j_known + 1] -= w_now
            status = EVENT
        else:
            # Reported once (or its event's other reports lower it): it goes stale
            # ongoing_full_days after it became known, and a de-escalation of its event
            # ends it; the end that comes first counts. Fixed instants, so exact by day.
            end = _end(
                ind,
                ind.known_at,
                _lowered_after(lowered, ind),
                params.ongoing_full_days,
            )
            if end[0] > now:
                age = 0.0
                factor = 1.0
                w_now = base
                status = ONGOING
                j_end = -1  # not ended on any day of the window
            else:
                since_end = now - end[0]
                age = since_end.total_seconds() / _SECONDS_PER_DAY
                factor = exp(-rate[cat] * age)
                w_now = base * factor
                status = end[1]
                j_end = since_end // day
            # Days on which it had ended: decaying; earlier days: full weight.
            hi = min(j_known, j_end)
            if j_first <= hi:
                arr = decay[cat]
                arr[j_first] += w_now
                arr[hi + 1] -= w_now
            lo = max(j_first, j_end + 1)
            if lo <= j_known:
                arr = const[cat]
                arr[lo] += base
                arr[j_known + 1] -= base
            if j_known < n - 1 and j_first <= j_known and not ind.de_escalation:
                # Only days on which it weighed fully are levelled (hi < j: before its end).
                onset[j_known + 1] += base
                onset[n] -= base

        if j_first > 0:
            append(
                (ind.id, cat, ind.severity, ind.reliability, ind.credibility, r, k, None,
                 half[cat], 0.0, 0.0, EXPIRED, ind.event, counted, ind.de_escalation, nrep)
            )  # fmt: skip
            continue
        append(
            (ind.id, cat, ind.severity, ind.reliability, ind.credibility, r, k, age,
             half[cat], factor, w_now, status, ind.event, counted, ind.de_escalation, nrep)
        )  # fmt: skip
        cat_now[cat] += w_now
        cat_count[cat] += 1

    # Named events reported more than once: day by day, the heaviest report of the day.
    for group in groups:
        sign = -1.0 if group.de_escalation else 1.0
        for j in range(span):
            at = now - j * day
            w, best_m, members = _direct_weights(group, lowered, at, params, rel, cred)
            if best_m is not None:
                direct[best_m.category][j] += sign * w
            if j < n and not group.de_escalation:
                wu, _bu, _ = _direct_weights(group, lowered, at, params, rel, cred, underlying=True)
                direct_onset[j] += max(0.0, wu - w)
            if j == 0:
                counted_ids = {best_m.id} if best_m is not None else set()
                seen: set[str] = set()
                for m, k, age, dec, status, wm in members:
                    seen.add(m.id)
                    share = 1.0 if m.id in counted_ids else 0.0
                    append(
                        (m.id, m.category, m.severity, m.reliability, m.credibility,
                         rel[m.reliability], k, age, half[m.category], dec, sign * wm * share,
                         status, group.event, share, group.de_escalation, 0)
                    )  # fmt: skip
                    if share:
                        cat_now[m.category] += sign * wm
                        cat_count[m.category] += 1
                for m in group.members:
                    if m.id not in seen:
                        append(
                            (m.id, m.category, m.severity, m.reliability, m.credibility,
                             rel[m.reliability], cred[m.credibility], None, half[m.category],
                             0.0, 0.0, EXPIRED, group.event, 0.0, group.de_escalation, 0)
                        )  # fmt: skip

    s = params.saturation
    cat_weight = {c: max(0.0, cat_now[c]) for c in cats}
    total = sum(cat_weight.values())
    t_now = threat_index(total, s)
    inv = 1.0 / total if total > 0 else 0.0
    rows.sort(key=itemgetter(10), reverse=True)  # heaviest first; stable among equals
    contributions = tuple(
        [IndicatorContribution._make((*row[:12], row[10] * inv, *row[12:])) for row in rows]
    )

    # Daily totals: W_j = sum over categories of max(0, C_c[j] + 2^(j / h_c) * D_c[j] + E_c[j]).
    day_cat: list[list[float]] = []
    for c in cats:
        c_arr, d_arr, e_arr = const[c], decay[c], direct[c]
        values = list(e_arr)
        if any(c_arr) or any(d_arr):
            growth = 2.0 ** (1.0 / half[c])
            run_c = run_d = 0.0
            scale = 1.0
            for j in range(span):
                run_c += c_arr[j]
                run_d += d_arr[j]
                values[j] += run_c + scale * run_d
                scale *= growth
        day_cat.append(values)
    day_weight = [0.0] * span
    for values in day_cat:
        for j in range(span):
            v = values[j]
            if v > 1e-12:
                day_weight[j] += v

    points = []
    underlying = []
    run_onset = 0.0
    onset_by_day = []
    for j in range(n):
        run_onset += onset[j]
        onset_by_day.append(run_onset + direct_onset[j])
    for j in range(n - 1, -1, -1):
        # Day 0 is the evaluation itself: use the direct sum, free of difference-array rounding.
        t_j = t_now if j == 0 else threat_index(max(0.0, day_weight[j]), s)
        points.append(TrendPoint(at=now - j * DAY, days_ago=j, threat_index=t_j))
        extra = onset_by_day[j]
        underlying.append(t_j if extra == 0 else threat_index(max(0.0, day_weight[j] + extra), s))
    xs = [float(-p.days_ago) for p in points]
    ys = [p.threat_index for p in points]
    slope = least_squares_slope(xs, ys)
    base_slope = least_squares_slope(xs, underlying)
    mid = n // 2  # the two halves: the oldest `mid` points and the newest `mid`
    older = least_squares_slope(xs[:mid], underlying[:mid])
    newer = least_squares_slope(xs[n - mid :], underlying[n - mid :])

    # Baseline: the median daily T over the days before the trend window on which the post
    # had a history (the first indicator it ever knew of was known by then).
    history_days = (now - earliest) // day
    days = [j for j in range(gap, span) if j <= history_days]
    if len(days) >= params.baseline_min_days:
        w_base = median(day_weight[j] for j in days)
        baseline = Baseline(
            threat_index(w_base, s),
            len(days),
            span - gap,
            w_base,
            MappingProxyType(
                {
                    c: median(max(0.0, values[j]) for j in days)
                    for c, values in zip(cats, day_cat, strict=True)
                }
            ),
        )
    else:
        baseline = Baseline(None, len(days), span - gap)

    categories = tuple(
        CategoryIndex(c, cat_weight[c], threat_index(cat_weight[c], s), cat_count[c]) for c in cats
    )
    return ThreatPicture(
        threat_index=t_now,
        total_weight=total,
        categories=categories,
        contributions=contributions,
        trend=Trend(
            points=tuple(points),
            slope_per_day=slope,
            underlying_slope_per_day=base_slope,
            older_half_slope_per_day=older,
            newer_half_slope_per_day=newer,
            forecast_slope_per_day=max(0.0, min(base_slope, older, newer)),
        ),
        in_force=MappingProxyType(_in_force(known, groups, lowered, now, params, rel, cred)),
        baseline=baseline,
    )


def _in_force(
    known: Sequence[IndicatorIn],
    groups: Sequence[_Group],
    lowered: Mapping[str, list[datetime]],
    now: datetime,
    params: Params,
    rel: Mapping[Reliability, float],
    cred: Mapping[int, float],
) -> dict[Category, tuple[InForce, ...]]:
    """The pieces of evidence the count triggers count, by category: a named event once
    (its heaviest report); in the security categories, a cluster of unnamed reports of one
    category observed within its window of the cluster's first report once (an ongoing
    report too, as in the weights: a siege logged as a condition and then updated is one
    shock; the cluster is in force while its condition is); any other report once. De-escalations and expired reports are not counted."""
    out: dict[Category, list[InForce]] = {c: [] for c in Category}
    in_groups: set[str] = set()
    for g in groups:
        in_groups.update(m.id for m in g.members)
        if g.de_escalation:
            continue
        live = [m for m in g.members if m.expires_at is None or m.expires_at > now]
        if not live:
            continue
        top = max(live, key=lambda m: (m.severity, rel[m.reliability] * cred[m.credibility]))
        last_report = max(r.known_at for r in g.members)  # all known by now (in `known`)
        out[top.category].append(
            InForce(
                top.id,
                top.category,
                max(m.severity for m in live),
                max(rel[m.reliability] * cred[m.credibility] for m in live),
                max(
                    _last_in_force(m, lowered, now, params.ongoing_full_days, last_report)
                    for m in live
                ),
                len(live),
                tuple((m.severity, rel[m.reliability] * cred[m.credibility]) for m in live),
            )
        )
    clusters: dict[Category, list[IndicatorIn]] = defaultdict(list)
    for ind in known:
        if ind.id in in_groups or ind.de_escalation:
            continue
        if ind.expires_at is not None and ind.expires_at <= now:
            continue
        if ind.event or ind.category not in _CLUSTERED:
            out[ind.category].append(
                InForce(
                    ind.id,
                    ind.category,
                    ind.severity,
                    rel[ind.reliability] * cred[ind.credibility],
                    _last_in_force(ind, lowered, now, params.ongoing_full_days),
                )
            )
        else:
            clusters[ind.category].append(ind)
    for cat, members in clusters.items():
        members.sort(key=lambda i: i.observed_at)
        window = timedelta(hours=params.repeat_window_hours[cat])
        runs: list[list[IndicatorIn]] = []
        for ind in members:
            if runs and ind.observed_at - runs[-1][0].observed_at <= window:
                runs[-1].append(ind)
            else:
                runs.append([ind])
        for cluster in runs:
            top = max(cluster, key=lambda m: (m.severity, rel[m.reliability] * cred[m.credibility]))
            out[cat].append(
                InForce(
                    top.id,
                    cat,
                    top.severity,
                    max(rel[m.reliability] * cred[m.credibility] for m in cluster),
                    max(_last_in_force(m, lowered, now, params.ongoing_full_days) for m in cluster),
                    len(cluster),
                    tuple((m.severity, rel[m.reliability] * cred[m.credibility]) for m in cluster),
                )
            )
    return {c: tuple(v) for c, v in out.items()}


def _last_in_force(
    ind: IndicatorIn,
    lowered: Mapping[str, list[datetime]],
    now: datetime,
    full_days: float,
    last_report: datetime | None = None,
) -> datetime:
    """An event: when observed; an ongoing condition: now, or when it ended or went stale
    (full_days after it was last reported)."""
    if not ind.ongoing:
        return ind.observed_at
    stale = (last_report or ind.known_at) + timedelta(days=full_days)
    ends = [t for t in (ind.ended_at, _lowered_after(lowered, ind), stale) if t]
    end = min(ends) if ends else None
    return now if end is None or end > now else end
