"""Re-score 200 posts end to end (load from the database, score, store) and print the time.

    DJANGO_SETTINGS_MODULE=readiness.settings python bench/bench_rescore.py [--posts 200]

Runs on a throwaway test database (SQLite by default, PostgreSQL when DATABASE_URL points
at one). Each post has 250 indicators (50,000 in all), 25 staff rows, 5 routes and a
community, like the dashboard benchmark. Prints the median of several rounds for one
process and for two processes (the worker's concurrency on two cores), and the ratio to a
baseline measured in the same run: the time to merely read the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings")

import django

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

CATEGORIES = ["incident", "threat_to_foreigners", "supply", "transport", "political", "peer_action"]


def populate(posts: int) -> list[int]:
    from readiness.indicators.models import Indicator
    from readiness.posts.models import ExitRoute, Post
    from readiness.posts.services import post_ladder_copy
    from readiness.rosters.models import Community, School, StaffMember

    rng = random.Random(7)
    now = timezone.now()
    ids = []
    for n in range(posts):
        with transaction.atomic():
            post = Post.objects.create(
                code=f"ZZ-B{n:04d}", name=f"Post {n}", country="ZZ", city=f"City {n}"
            )
            post_ladder_copy(post=post)
        ids.append(post.pk)
        Community.objects.create(
            post=post, registered=3000, dual_nationals=1800, unregistered_estimate=300
        )
        School.objects.create(post=post, name="School", pupils=300, expatriate_staff=20)
        ExitRoute.objects.bulk_create(
            ExitRoute(
                post=post,
                key=f"r{i}",
                mode=mode,
                from_place="A",
                to_place="B",
                status=status,
                seats_per_day=seats,
                lead_time_hours=lead,
                closes_at_threat=closes,
            )
            for i, (mode, status, seats, lead, closes) in enumerate(
                [
                    ("commercial_air", "open", 120, 0, 85),
                    ("commercial_air", "degraded", 60, 0, 80),
                    ("charter_air", "unknown", 150, 48, 75),
                    ("road", "closed", 200, 0, 40),
                    ("military_air", "open", 150, 72, 97),
                ]
            )
        )
        StaffMember.objects.bulk_create(
            StaffMember(
                post=post,
                name=f"Staff {i}",
                category="expatriate" if i % 3 else "local",
                essential=i % 4 == 0,
                dependants=i % 3,
                email=f"s{i}@x.example",
                last_confirmed_at=now - dt.timedelta(days=rng.randint(0, 60)),
            )
            for i in range(25)
        )
        Indicator.objects.bulk_create(
            Indicator(
                post=post,
                category=rng.choice(CATEGORIES),
                severity=rng.randint(1, 5),
                reliability=rng.choice("ABCDEF"),
                credibility=rng.randint(1, 6),
                source="bench",
                text="observation",
                observed_at=now - dt.timedelta(hours=rng.uniform(1, 24 * 90)),
                ongoing=rng.random() < 0.05,
                recorded_at=now - dt.timedelta(hours=1),
            )
            for _ in range(250)
        )
    return ids


def rescore_all(ids: list[int]) -> None:
    """As the periodic job does: chunks of posts, each scored and stored in one go."""
    from readiness.assessments.services import posts_rescore
    from readiness.assessments.tasks import REEVALUATION_CHUNK

    now = timezone.now()
    for start in range(0, len(ids), REEVALUATION_CHUNK):
        posts_rescore(post_ids=ids[start : start + REEVALUATION_CHUNK], now=now)


def forget_assessments() -> None:
    """Worst case: every post stores a new assessment (none is a duplicate)."""
    from readiness.assessments.models import Assessment

    Assessment.objects.all().delete()


def read_only(ids: list[int]) -> None:
    """Baseline: fetch the rows a re-score reads, nothing else."""
    from readiness.indicators.models import Indicator
    from readiness.posts.models import AlertLevel, ExitRoute
    from readiness.rosters.models import StaffMember

    for post_id in ids:
        list(Indicator.objects.filter(post_id=post_id).values_list())
        list(StaffMember.objects.filter(post_id=post_id).values_list())
        list(ExitRoute.objects.filter(post_id=post_id).values_list())
        list(AlertLevel.objects.filter(post_id=post_id).values_list())


def sweep_quiet() -> None:
    """One round of the sweeper when every post is scored and nothing was lost: the
    steady-state cost of recovery (it runs every RESCORE_SWEEP_SECONDS)."""
    from readiness.assessments.services import rescores_sweep

    assert rescores_sweep() == []


def all_scored(ids: list[int]) -> None:
    from readiness.posts.models import Post

    if Post.objects.filter(newest_assessment__isnull=True).exists():
        rescore_all(ids)
    Post.objects.update(rescore_requested_at=None)


def _child(ids: list[int]) -> float:
    connections.close_all()
    started = time.perf_counter()
    rescore_all(ids)
    return time.perf_counter() - started


def timed(fn, *args, rounds: int = 3, before=None) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        if before:
            before()
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()

    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"].endswith("sqlite3"):
        # A file, so the two-process round can share it.
        settings_dict["TEST"]["NAME"] = str(
            Path(__file__).resolve().parents[1] / "var" / "bench.sqlite3"
        )
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        ids = populate(args.posts)
        print(
            f"database: {connection.vendor} ({name}); {args.posts} posts populated in {time.perf_counter() - started:.1f}s"
        )
        baseline = timed(read_only, ids)
        one = timed(rescore_all, ids, before=forget_assessments)

        def two_processes() -> None:
            halves = [ids[0::2], ids[1::2]]
            connections.close_all()
            with ProcessPoolExecutor(2) as pool:
                list(pool.map(_child, halves))

        print(f"read the same rows (baseline): {baseline * 1000:7.0f} ms")
        print(
            f"re-score {args.posts} posts (load, score, store), 1 process: {one * 1000:7.0f} ms  ({one / baseline:.1f} x baseline, {one / args.posts * 1000:.1f} ms/post)"
        )
        best = one
        if connection.vendor == "sqlite":
            print(
                "2 processes: skipped on SQLite (one writer at a time); set DATABASE_URL to PostgreSQL"
            )
        else:
            two = timed(two_processes, before=forget_assessments)
            best = min(one, two)
            print(
                f"re-score {args.posts} posts, 2 processes: {two * 1000:7.0f} ms  ({two / baseline:.1f} x baseline)"
            )
        print(f"target < 2000 ms: {'OK' if best < 2.0 else 'SLOWER THAN TARGET'}")
        sweep = timed(sweep_quiet, before=lambda: all_scored(ids))
        print(
            f"sweep for lost re-scores over {args.posts} posts, nothing due: {sweep * 1000:7.1f} ms"
            " (every 30 s)"
        )
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
