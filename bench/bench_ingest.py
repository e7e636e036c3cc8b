"""How fast does a feed's bulk delivery get stored, compared with a bare bulk_create?

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/bench_ingest.py [--indicators 10000] [--batch 500] [--posts 10]

Creates a throwaway test database next to DATABASE_URL's (PostgreSQL: the store path's
savepoints, triggers and constraints are what is measured) with a few posts and one feed,
and starts a real Celery worker on it. Sends the indicators in batches through the JSON API
(POST /api/v1/indicators, Django's test client: the whole request path, middleware, parsing,
validation, storage, history and the re-score requests); gives batches of the same kind,
already parsed, to the store path alone (``indicators_deliver``); and stores the same rows
(under other external ids) with a bare ``Indicator.objects.bulk_create`` per batch. The
three are interleaved batch by batch, so that they see the same machine; the rates and the
ratios to the bare bulk_create are printed. Also printed: the SQL statements one batch
runs, and how many re-scores the worker ran per post (the requests of a batch coalesce: a
post is re-scored far fewer times than it is written to). Without REDIS_URL the worker part
is skipped (re-scores then run in the process, as in development).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set a PostgreSQL DATABASE_URL: this measures the store path on PostgreSQL")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._worker import start_worker, stop_worker  # noqa: E402

CATEGORIES = ["incident", "threat_to_foreigners", "supply", "transport", "political", "peer_action"]


def observations(
    codes: list[str], count: int, prefix: str, rng: random.Random
) -> list[dict[str, Any]]:
    """A feed's observations, spread over the posts, with the variety a feed sends: events,
    expiries, ongoing conditions (some ended), de-escalations."""
    now = timezone.now().replace(microsecond=0)
    rows = []
    for n in range(count):
        observed = now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 60))
        row: dict[str, Any] = {
            "post": codes[n % len(codes)],
            "category": rng.choice(CATEGORIES),
            "severity": rng.randint(1, 5),
            "credibility": rng.randint(1, 6),
            "observed_at": observed.isoformat(),
            "text": f"Observation {n}: checkpoints reported on the road north of the city",
            "external_id": f"{prefix}-{n:06d}",
        }
        kind = n % 10
        if kind in (1, 2):
            row["expires_at"] = (observed + dt.timedelta(days=rng.randint(1, 30))).isoformat()
        elif kind == 3:
            row["ongoing"] = True
        elif kind == 4:
            row["ongoing"] = True
            row["ended_at"] = (observed + dt.timedelta(hours=rng.randint(1, 48))).isoformat()
        elif kind == 5:
            row["event"] = f"event-{n % 97}"
        elif kind == 6:
            row["de_escalation"] = True
            row["source"] = "Liaison officer"
        rows.append(row)
    return rows


def bare_rows(feed: Any, posts: dict[str, Any], batch: list[dict[str, Any]]) -> list[Any]:
    """The same rows as the API stores, built directly (no validation, no history)."""
    from django.utils.dateparse import parse_datetime

    from readiness.indicators.models import Indicator

    now = timezone.now()

    def date(value: str | None) -> dt.datetime | None:
        return parse_datetime(value) if value else None

    return [
        Indicator(
            post=posts[o["post"]],
            category=o["category"],
            severity=o["severity"],
            reliability=feed.reliability,
            credibility=o["credibility"],
            source=o.get("source") or feed.name,
            text=o["text"],
            observed_at=date(o["observed_at"]),
            expires_at=date(o.get("expires_at")),
            ongoing=o.get("ongoing", False),
            ended_at=date(o.get("ended_at")),
            external_id=o["external_id"],
            event=o.get("event", ""),
            de_escalation=o.get("de_escalation", False),
            recorded_at=now,
            feed=feed,
        )
        for o in batch
    ]


def as_observation(o: dict[str, Any]) -> Any:
    """An observation as the API hands it to the service once parsed."""
    from django.utils.dateparse import parse_datetime

    from readiness.indicators.services import Observation

    def date(value: str | None) -> dt.datetime | None:
        return parse_datetime(value) if value else None

    return Observation(
        post_code=o["post"], category=o["category"], severity=o["severity"],
        credibility=o["credibility"], observed_at=date(o["observed_at"]), text=o["text"],
        external_id=o["external_id"], expires_at=date(o.get("expires_at")),
        ongoing=o.get("ongoing", False), ended_at=date(o.get("ended_at")),
        source=o.get("source", ""), event=o.get("event", ""),
        de_escalation=o.get("de_escalation", False),
    )  # fmt: skip


def wait_for_worker(post_ids: list[int], timeout: float = 300) -> float:
    """Until no re-score is claimed or running for these posts, for longer than the
    coalescing delay. Returns the seconds waited."""
    from readiness.assessments.services import COALESCE_SECONDS
    from readiness.posts.models import Post

    started = time.monotonic()
    quiet_since = None
    while time.monotonic() - started < timeout:
        busy = Post.objects.filter(pk__in=post_ids, rescore_requested_at__isnull=False).exists()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > COALESCE_SECONDS + 1:
            return quiet_since - started
        time.sleep(0.2)
    sys.exit("the worker did not finish the re-scores in time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--posts", type=int, default=10)
    args = parser.parse_args()

    from readiness.assessments.models import Assessment
    from readiness.assessments.services import posts_rescore
    from readiness.indicators.models import Indicator
    from readiness.indicators.services import feed_create, indicators_deliver
    from readiness.posts.models import Post
    from readiness.posts.services import post_ladder_copy

    setup_test_environment()
    settings = connection.settings_dict
    # Its own throwaway database, so that a test run on the same server is left alone.
    settings["TEST"]["NAME"] = f"bench_ingest_{settings['NAME']}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    database_url = f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    log = ROOT / "var" / "bench-ingest-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = None
    try:
        posts = {}
        for n in range(args.posts):
            with transaction.atomic():
                post = Post.objects.create(
                    code=f"ZZ-I{n:03d}", name=f"Post {n}", country="ZZ", city=f"City {n}"
                )
                post_ladder_copy(post=post)
            posts[post.code] = post
        post_ids = [p.pk for p in posts.values()]
        posts_rescore(post_ids=post_ids)
        feed, token = feed_create(name="Bench feed", reliability="B", posts=posts.values())
        if os.environ.get("REDIS_URL"):
            worker = start_worker(database_url, log, concurrency=1, name="bench-ingest")
        rng = random.Random(12)
        sent = observations(list(posts), args.indicators, "api", rng)
        batches = [sent[i : i + args.batch] for i in range(0, len(sent), args.batch)]
        client = Client()
        headers = {"Authorization": f"Bearer {token}"}

        def send(batch: list[dict[str, Any]]) -> None:
            response = client.post(
                "/api/v1/indicators", json.dumps({"indicators": batch}),
                content_type="application/json", headers=headers,
            )  # fmt: skip
            assert response.status_code == 201, response.content[:500]

        # One batch first, its statements counted (not timed: capturing costs a little).
        probe = observations(list(posts), args.batch, "probe", rng)
        counted: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            send(probe)
        statements = len(counted)
        wait_for_worker(post_ids)
        assessments_before = Assessment.objects.filter(post_id__in=post_ids).count()
        log_before = log.read_text().count("rescore_post[") if worker else 0

        # Interleaved, batch by batch, so that the three see the same machine (its load
        # drifts; the worker re-scores throughout): through the API; the store path alone
        # (the same kind of batch already parsed, given to the service); a bare bulk_create.
        direct = [
            [as_observation(o) for o in observations(list(posts), len(b), f"svc{i}", rng)]
            for i, b in enumerate(batches)
        ]
        bare = [observations(list(posts), len(b), f"bare{i}", rng) for i, b in enumerate(batches)]
        api_seconds = service_seconds = bare_seconds = 0.0
        for batch, parsed, rows in zip(batches, direct, bare, strict=True):
            started = time.perf_counter()
            send(batch)
            api_seconds += time.perf_counter() - started
            started = time.perf_counter()
            indicators_deliver(feed=feed, observations=parsed)
            service_seconds += time.perf_counter() - started
            started = time.perf_counter()
            with transaction.atomic():
                Indicator.objects.bulk_create(bare_rows(feed, posts, rows))
            bare_seconds += time.perf_counter() - started
        waited = wait_for_worker(post_ids)
        rescored = Assessment.objects.filter(post_id__in=post_ids).count() - assessments_before
        tasks = (log.read_text().count("rescore_post[") - log_before) // 2 if worker else None
        stored = Indicator.objects.filter(external_id__startswith="api-").count()
        assert stored == args.indicators, f"{stored} stored of {args.indicators}"

        api_rate = args.indicators / api_seconds
        service_rate = args.indicators / service_seconds
        bare_rate = args.indicators / bare_seconds
        print(f"database: {connection.vendor} ({name}); {args.posts} posts, one feed; "
              f"{args.indicators} indicators in batches of {args.batch}")  # fmt: skip
        print(f"through the JSON API:        {api_rate:8.0f} indicators/s "
              f"({api_seconds:.2f} s, {api_seconds / len(batches) * 1000:.0f} ms a batch)")  # fmt: skip
        print(f"store path (indicators_deliver, parsed): {service_rate:8.0f} indicators/s "
              f"({service_seconds:.2f} s; {bare_rate / service_rate:.1f} x the bare bulk_create)")  # fmt: skip
        print(f"bare bulk_create, same rows: {bare_rate:8.0f} indicators/s ({bare_seconds:.2f} s)")
        print(f"ratio: the API takes {bare_rate / api_rate:.1f} x the bare bulk_create "
              f"(target <= 2 x; and >= 2000/s: {'OK' if api_rate >= 2000 else 'SLOWER'})")  # fmt: skip
        print(f"SQL statements for one batch of {args.batch}: {statements} "
              f"({statements / args.batch:.2f} per indicator)")  # fmt: skip
        if worker:
            print(f"re-scores by the worker after {len(batches)} batches: {rescored} assessments "
                  f"stored for {args.posts} posts ({rescored / args.posts:.1f} per post, "
                  f"{2 * len(batches)} writes to each: API and store path), {tasks} rescore_post tasks; "
                  f"idle {waited:.1f} s after the last batch")  # fmt: skip
        else:
            print("re-scores: no REDIS_URL, so no worker (set it to measure the coalescing)")
    finally:
        stop_worker(worker)
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
