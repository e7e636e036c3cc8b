"""Import a generated 100,000-row ACLED file and print the time and the peak memory.

    DJANGO_SETTINGS_MODULE=readiness.settings python bench/bench_acled.py [--rows 100000]

Runs on a throwaway test database (SQLite by default, PostgreSQL when DATABASE_URL points
at one), with one post in Bamako and one in Dakar. Half the events are in Bamako, half
elsewhere in Mali (the graver of those become context indicators); the files are written
to a temporary directory first. A tenth of the file is imported first, then the whole:
the process's peak resident memory (ru_maxrss) after each shows what the larger file
added (bounded memory: about nothing). The re-score the import asks for is counted, not
run (the worker's job; bench_rescore.py times it). A baseline measured in the same run: a
bare ``bulk_create`` of as many indicators.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

FIELDS = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
          "civilian_targeting", "country", "admin1", "location", "latitude", "longitude",
          "fatalities", "source", "notes", "timestamp"]  # fmt: skip


def generate(path: Path, rows: int, offset: int) -> None:
    today = timezone.now().date()
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS)
        writer.writeheader()
        for n in range(rows):
            bamako = n % 2 == 1
            writer.writerow(
                {
                    "event_id_cnty": f"MLI{offset + n}",
                    "event_date": (today - dt.timedelta(days=1 + n % 1500)).isoformat(),
                    "event_type": "Battles",
                    "sub_event_type": "Armed clash",
                    "actor1": "JNIM: Group for Support of Islam and Muslims",
                    "actor2": "Military Forces of Mali (2021-)",
                    "civilian_targeting": "",
                    "country": "Mali",
                    "admin1": "Bamako" if bamako else "Mopti",
                    "location": "Bamako" if bamako else "Konna",
                    "latitude": "12.64",
                    "longitude": "-8.00",
                    "fatalities": str(n % 60),
                    "source": "Studio Tamani",
                    "notes": "Militants and soldiers clashed on the road out of town; "
                    "local sources report casualties on both sides.",
                    "timestamp": "1764200000",
                }
            )


def measured(feed, path: Path) -> tuple[float, int, int, int]:  # type: ignore[no-untyped-def]
    from readiness.feeds.services import acled_import

    shown = -1

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if done * 10 // total > shown:
            shown = done * 10 // total
            print(f"  {done:,}/{total:,} rows", flush=True)

    started = time.perf_counter()
    with (
        mock.patch("readiness.feeds.services.post_rescore_enqueue") as enqueue,
        path.open(encoding="utf-8", newline="") as file,
    ):
        result = acled_import(feed=feed, file=file, file_name=path.name, progress=progress)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return seconds, peak_kb, result.created, enqueue.call_count


def baseline(post, count: int) -> float:  # type: ignore[no-untyped-def]
    """A bare bulk_create of as many indicators, in batches of 1,000, in one transaction."""
    from django.db import transaction

    from readiness.indicators.models import Indicator

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, count, 1000):
            Indicator.objects.bulk_create(
                Indicator(
                    post=post,
                    category="incident",
                    severity=3,
                    reliability="B",
                    credibility=2,
                    source="baseline",
                    text="Militants and soldiers clashed on the road out of town.",
                    observed_at=now - dt.timedelta(days=1 + n % 1500),
                    external_id=f"base:{n}",
                )
                for n in range(start, min(start + 1000, count))
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)  # as in production: no query log kept
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from readiness.indicators.services import feed_create
        from readiness.posts.models import Post
        from readiness.posts.services import post_ladder_copy

        bamako = Post.objects.create(code="ML-BKO", name="Bamako", country="ML", city="Bamako")
        dakar = Post.objects.create(code="SN-DKR", name="Dakar", country="SN", city="Dakar")
        for post in (bamako, dakar):
            post_ladder_copy(post=post)
        feed = feed_create(name="ACLED", reliability="B", posts=[bamako, dakar])[0]
        with tempfile.TemporaryDirectory() as tmp:
            small, large = Path(tmp) / "small.csv", Path(tmp) / "large.csv"
            generate(small, args.rows // 10, offset=10_000_000)
            generate(large, args.rows, offset=0)
            print(f"database: {connection.vendor} ({name})")
            before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(f"{args.rows // 10:,} rows:")
            small_s, small_kb, _n, _r = measured(feed, small)
            print(f"{args.rows:,} rows:")
            seconds, peak_kb, created, rescores = measured(feed, large)
        base = baseline(bamako, created)
        print(
            f"peak resident memory before: {before_kb / 1e3:.0f} MB\n"
            f"{args.rows // 10:,} rows: {small_s:.1f} s, peak {small_kb / 1e3:.0f} MB\n"
            f"{args.rows:,} rows: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), "
            f"{created:,} indicators, {rescores} re-score asked for; peak {peak_kb / 1e3:.0f} MB "
            f"(+{(peak_kb - small_kb) / 1e3:.0f} MB over the tenth of the file)\n"
            f"baseline, bare bulk_create of {created:,} indicators: {base:.1f} s "
            f"(the import takes {seconds / base:.1f}x)"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
