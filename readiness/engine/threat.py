"""Steps 1-3: indicator weights, the threat index and its sub-indices, and the trend.

The trend needs the threat index of each of the last 14 days as it stood then. Rather than
re-scoring every indicator 14 times, each indicator is scored once (its weight now) and its
weight on day j is derived from it: an event's weight on the day j days before now is its
weight now times 2^(j / half-life), valid over a contiguous range of days (known, not yet
expired). Those ranges are summed with difference arrays, one pass over the indicators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
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
EXPIRED = "expired"  # past expires_at: weight 0
NOT_YET_KNOWN = "not_yet_known"  # observed or recorded after the evaluation time: ignored


class IndicatorContribution(NamedTuple):
    """One indicator's part in W, with every factor of its weight. A NamedTuple, not a
    dataclass: an assessment builds a thousand of them and a frozen dataclass's __init__
    costs several times as much."""

    id: str
    category: Category
    severity: int
    reliability: Reliability
    credibility: int
    r: float
    k: float
    age_days: float | None  # None when it does not weigh (expired, not yet known)
    half_life_days: float
    decay: float
    weight: float
    status: str
    share: float  # of W, 0..1


@dataclass(frozen=True, slots=True)
class CategoryIndex:
    category: Category
    weight: float  # sum of its indicators' weights
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
    a rise; and it is used only when that series rises in both halves of the window (a single
    shock raises one half only). Otherwise it is 0: no trend estimate.
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


def _row(
    ind: IndicatorIn,
    r: float,
    k: float,
    half_life: float,
    age: float | None,
    decay: float,
    weight: float,
    status: str,
) -> tuple[Any, ...]:
    """An IndicatorContribution's fields but its share (known once W is summed)."""
    return (
        ind.id,
        ind.category,
        ind.severity,
        ind.reliability,
        ind.credibility,
        r,
        k,
        age,
        half_life,
        decay,
        weight,
        status,
    )


class InForce(NamedTuple):
    """An indicator as the indicator-count triggers see it (known, not expired)."""

    id: str
    category: Category
    severity: int
    confidence: float  # R * K
    last_in_force: datetime  # event: observed_at; ongoing: ended_at, or now if not ended


@dataclass(frozen=True, slots=True)
class ThreatPicture:
    threat_index: float
    total_weight: float
    categories: tuple[CategoryIndex, ...]  # every category, in vocabulary order
    contributions: tuple[IndicatorContribution, ...]  # heaviest first
    trend: Trend
    in_force: Mapping[Category, tuple[InForce, ...]]  # by category


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


def evaluate_threat(
    indicators: tuple[IndicatorIn, ...] | list[IndicatorIn], now: datetime, params: Params
) -> ThreatPicture:
    """W = sum of weights; T = 100 * (1 - exp(-W / S)); T_j on each of the last n days; slope."""
    n = params.trend_window_days
    last = n - 1
    # Plain dicts: a lookup in a MappingProxyType costs noticeably more in this loop.
    rel = dict(params.reliability_factor)
    cred = dict(params.credibility_factor)
    half = dict(params.half_life_days)
    rate = {c: _LN2 / h for c, h in half.items()}
    cats = list(Category)
    # Per category: day-indexed difference arrays of constant weights (ongoing conditions in
    # force on that day) and of decaying weights expressed at now (to be scaled by 2^(j/h)).
    const = {c: [0.0] * (n + 1) for c in cats}
    decay = {c: [0.0] * (n + 1) for c in cats}
    # The underlying series (Trend): an ongoing condition's full weight on the window's days
    # before it was known, as if it had always been there. Plain, not per category.
    onset = [0.0] * (n + 1)
    cat_weight = dict.fromkeys(cats, 0.0)
    cat_count = dict.fromkeys(cats, 0)
    in_force: dict[Category, list[InForce]] = {c: [] for c in cats}
    rows: list[
        tuple[
            str,
            Category,
            int,
            Reliability,
            int,
            float,
            float,
            float | None,
            float,
            float,
            float,
            str,
        ]
    ] = []
    append = rows.append
    exp = math.exp
    zero = _ZERO
    day = DAY
    total = 0.0

    for ind in indicators:
        cat = ind.category
        r = rel[ind.reliability]
        k = cred[ind.credibility]
        observed = ind.observed_at
        recorded = ind.recorded_at
        since_known = now - (recorded if recorded is not None and recorded > observed else observed)
        if since_known < zero:
            append(_row(ind, r, k, half[cat], None, 0.0, 0.0, NOT_YET_KNOWN))
            continue
        j_known = since_known // day
        if j_known > last:
            j_known = last
        expires_at = ind.expires_at
        if expires_at is None:
            j_first = 0
        else:
            since_exp = now - expires_at
            j_first = 0 if since_exp < zero else since_exp // day + 1
        base = ind.severity * r * k

        if not ind.ongoing:
            age = (now - observed).total_seconds() / _SECONDS_PER_DAY
            factor = exp(-rate[cat] * age)
            w_now = base * factor
            if j_first <= j_known:
                arr = decay[cat]
                arr[j_first] += w_now
                arr[j_known + 1] -= w_now
            status = EVENT
            last_in_force = observed
        else:
            ended_at = ind.ended_at
            if ended_at is None or ended_at > now:
                age = 0.0
                factor = 1.0
                w_now = base
                status = ONGOING
                j_end = -1  # not ended on any day of the window
                last_in_force = now
            else:
                since_end = now - ended_at
                age = since_end.total_seconds() / _SECONDS_PER_DAY
                factor = exp(-rate[cat] * age)
                w_now = base * factor
                status = ENDED
                j_end = since_end // day
                last_in_force = ended_at
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
            if j_known < last and j_first <= j_known:
                onset[j_known + 1] += base
                onset[last + 1] -= base

        if j_first > 0:
            append(_row(ind, r, k, half[cat], None, 0.0, 0.0, EXPIRED))
            continue
        append(_row(ind, r, k, half[cat], age, factor, w_now, status))
        total += w_now
        cat_weight[cat] += w_now
        cat_count[cat] += 1
        in_force[cat].append(InForce(ind.id, cat, ind.severity, r * k, last_in_force))

    s = params.saturation
    t_now = threat_index(total, s)
    inv = 1.0 / total if total > 0 else 0.0
    rows.sort(key=itemgetter(10), reverse=True)  # heaviest first; stable among equals
    contributions = tuple([IndicatorContribution(*row, row[10] * inv) for row in rows])

    # Daily totals: W_j = sum over categories of C_c[j] + 2^(j / h_c) * D_c[j].
    day_weight = [0.0] * n
    for c in cats:
        c_arr, d_arr = const[c], decay[c]
        if not any(c_arr) and not any(d_arr):
            continue
        growth = 2.0 ** (1.0 / half[c])
        run_c = run_d = 0.0
        scale = 1.0
        for j in range(n):
            run_c += c_arr[j]
            run_d += d_arr[j]
            day_weight[j] += run_c + scale * run_d
            scale *= growth
    points = []
    underlying = []
    run_onset = 0.0
    onset_by_day = []
    for j in range(n):
        run_onset += onset[j]
        onset_by_day.append(run_onset)
    for j in range(last, -1, -1):
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
    sustained = older > 0 and newer > 0 and base_slope > 0

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
            forecast_slope_per_day=base_slope if sustained else 0.0,
        ),
        in_force=MappingProxyType({c: tuple(v) for c, v in in_force.items()}),
    )
