"""Speed of assess() on one post with 1,000 active indicators and 5 routes (default ladder).

Run: python bench/bench_engine.py   (target: median under 10 ms)

The baseline, measured in the same run on the same machine, is the bare minimum any engine
must do: one pass over the 1,000 indicators computing one float each (its decayed weight).
The ratio says how many such passes assess() costs, which travels better between machines
than milliseconds do.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness.engine import (
    DEFAULT_LADDER,
    IndicatorIn,
    Inputs,
    Population,
    Readiness,
    RouteIn,
    StaffIn,
    assess,
)
from readiness.engine.vocabulary import (
    Category,
    Reliability,
    RouteMode,
    RouteStatus,
)

NOW = datetime(2025, 11, 6, 12, tzinfo=UTC)
N_INDICATORS = 1000
REPEATS = 200


def build_inputs(seed: int = 7) -> Inputs:
    rng = random.Random(seed)
    cats = list(Category)
    rels = list(Reliability)
    indicators = []
    for i in range(N_INDICATORS):
        observed = NOW - timedelta(hours=rng.uniform(0, 24 * 40))
        ongoing = rng.random() < 0.1
        ended = None
        if ongoing and rng.random() < 0.5:
            ended = observed + (NOW - observed) * rng.random()
        indicators.append(
            IndicatorIn(
                id=f"ind-{i}",
                category=rng.choice(cats),
                severity=rng.randint(1, 5),
                reliability=rng.choice(rels),
                credibility=rng.randint(1, 6),
                observed_at=observed,
                expires_at=NOW + timedelta(days=rng.uniform(1, 60)),
                ongoing=ongoing,
                ended_at=ended,
                recorded_at=observed + timedelta(hours=rng.uniform(0, 12)),
            )
        )
    routes = (
        RouteIn("air-1", RouteMode.COMMERCIAL_AIR, RouteStatus.OPEN, 80, closes_at_threat=85),
        RouteIn("air-2", RouteMode.COMMERCIAL_AIR, RouteStatus.DEGRADED, 60, closes_at_threat=75),
        RouteIn("charter", RouteMode.CHARTER_AIR, RouteStatus.UNKNOWN, 150, 48, 90),
        RouteIn("road", RouteMode.ROAD, RouteStatus.CLOSED, 200),
        RouteIn("military", RouteMode.MILITARY_AIR, RouteStatus.OPEN, 100, 72),
    )
    staff = tuple(
        StaffIn(NOW - timedelta(days=rng.uniform(0, 60)), rng.random() < 0.95) for _ in range(40)
    )
    return Inputs(
        now=NOW,
        current_level=2,
        ladder=DEFAULT_LADDER,
        indicators=tuple(indicators),
        routes=routes,
        population=Population(4000, 2800, 300, 12, 28, 18, 60),
        readiness=Readiness(
            staff=staff,
            warden_zones=frozenset({"A", "B", "C"}),
            assembly_zones=frozenset({"A", "B", "C", "D"}),
            assembly_capacity=1500,
            checklists={3: (1, 3)},
        ),
        last_indicated={1: NOW - timedelta(days=3)},
    )


def baseline(inputs: Inputs) -> float:
    """One float per indicator: severity * 0.5^(age / 7)."""
    now = inputs.now
    total = 0.0
    for ind in inputs.indicators:
        age = (now - ind.observed_at).total_seconds() / 86400.0
        total += ind.severity * math.exp(-0.6931471805599453 * age / 7.0)
    return total


def median_ms(fn: object, arg: Inputs, repeats: int) -> float:
    assert callable(fn)
    fn(arg)  # warm caches, first-call imports
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(arg)
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def main() -> None:
    inputs = build_inputs()
    result = assess(inputs)
    assess_ms = median_ms(assess, inputs, REPEATS)
    base_ms = median_ms(baseline, inputs, REPEATS)
    # Timed on its own (a difference of two noisy medians can come out negative).
    to_dict_ms = median_ms(lambda _i: result.to_dict(), inputs, REPEATS // 4)
    # What the caller pays before assess(): Inputs validates the ladder and the ids.
    inputs_ms = median_ms(lambda i: replace(i, current_level=i.current_level), inputs, REPEATS)
    print(f"post: {N_INDICATORS} indicators, {len(inputs.routes)} routes, default ladder")
    print(
        f"result: T={result.threat_index:.1f}, slope {result.trend_per_day:+.2f}/day, "
        f"recommended {result.recommended_level}, verdict {result.verdict}"
    )
    print(f"assess() median:   {assess_ms:7.2f} ms  (target < 10 ms)")
    print(f"baseline median:   {base_ms:7.2f} ms  (one float per indicator)")
    print(f"ratio:             {assess_ms / base_ms:7.1f} x baseline")
    print(f"to_dict() extra:   {to_dict_ms:7.2f} ms  (not part of the target)")
    print(f"Inputs() checks:   {inputs_ms:7.2f} ms  (not part of the target)")
    print("OK" if assess_ms < 10 else "SLOWER THAN TARGET")


if __name__ == "__main__":
    main()
