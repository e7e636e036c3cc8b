"""How long until a new indicator shows on an open overview, through the real worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/bench_live_update.py [--rounds 10]

Creates a throwaway test database with the Bamako post and starts a real Celery worker on
it. An open overview is played by a thread reading the overview's event stream (as the
page's EventSource does) and, on each new version, fetching the rows as the page's HTMX
request does. Each round records an indicator as the dashboard form does (one committed
transaction) and measures the time from the commit to the new rows in hand.

Two kinds of rounds: an indicator after a quiet spell (no assessment for the post in the
last QUIET_SECONDS: scored at once; target under 1 s at the 95th percentile), and one in
the middle of a burst (writes a second apart: they coalesce for COALESCE_SECONDS, so a
burst costs one re-score, not one per write). Also printed: the old way, the page's poll
interval added to the time to the new rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings")
if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set REDIS_URL and a PostgreSQL DATABASE_URL: this measures the real worker path")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._worker import start_worker, stop_worker  # noqa: E402

STOP = threading.Event()


def listen(client: Client, seen: queue.Queue[tuple[float, str]]) -> None:
    """An open overview's event stream, read until STOP (it reconnects as a browser does)."""
    from readiness.dashboard import views

    views.STREAM_SECONDS = 5  # short streams, so the bench can end
    try:
        while not STOP.is_set():
            response = client.get("/events/")
            for chunk in response.streaming_content:
                text = chunk.decode()
                if text.startswith("event: version"):
                    seen.put((time.perf_counter(), text.split("data: ")[1].strip()))
            response.close()
    finally:
        connection.close()


def t0(started: float) -> object:
    """The wall-clock time of a perf_counter reading."""
    return timezone.now() - dt.timedelta(seconds=time.perf_counter() - started)


def report(name: str, delays: list[float], *, target: float | None) -> None:
    delays = sorted(delays)
    p95 = delays[max(0, math.ceil(0.95 * len(delays)) - 1)]
    verdict = (
        ""
        if target is None
        else f" (target < {target:.0f} s: {'OK' if p95 < target else 'SLOWER'})"
    )
    print(f"indicator -> new rows on an open overview, {name}: median "
          f"{statistics.median(delays):.2f} s, p95 {p95:.2f} s, max {max(delays):.2f} s "
          f"over {len(delays)} rounds{verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from readiness.assessments.models import Assessment
    from readiness.assessments.services import QUIET_SECONDS, post_rescore
    from readiness.dashboard.pages import POLL_SECONDS
    from readiness.indicators.services import indicator_record
    from readiness.scenarios.schema import load_scenario_file
    from readiness.scenarios.services import scenario_load

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings = connection.settings_dict
    database_url = f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    log = ROOT / "var" / "bench-worker.log"
    worker = None
    try:
        post = scenario_load(load_scenario_file(ROOT / "seeds" / "bamako-2025.yaml")).post
        post_rescore(post_id=post.pk)
        worker = start_worker(database_url, log, concurrency=2, name="bench")
        user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
        client = Client()
        client.force_login(user)
        seen: queue.Queue[tuple[float, str]] = queue.Queue()
        browser = Client()  # the open page's own session
        browser.force_login(user)
        listener = threading.Thread(target=listen, args=(browser, seen), daemon=True)
        listener.start()
        seen.get(timeout=10)  # the stream is open and sent the version it started with

        def round_(text: str) -> float:
            started = time.perf_counter()
            indicator_record(
                post=post, category="incident", severity=4, reliability="B", credibility=2,
                source="bench", text=text, observed_at=timezone.now(), user=user,
            )  # fmt: skip
            while True:
                at, _version = seen.get(timeout=60)
                if at < started:
                    continue  # an older version (e.g. a new minute), before this write
                response = client.get("/", {"since": "old"}, headers={"HX-Request": "true"})
                assert response.status_code == 200
                if Assessment.objects.filter(post=post, created_at__gte=t0(started)).exists():
                    return time.perf_counter() - started

        quiet, burst = [], []
        for n in range(args.rounds):
            time.sleep(QUIET_SECONDS + 1)
            quiet.append(round_(f"quiet {n}"))
        for n in range(args.rounds):
            time.sleep(1)
            burst.append(round_(f"burst {n}"))
        report("after a quiet spell", quiet, target=1.0)
        report("within a burst", burst, target=None)
        rescores = Assessment.objects.filter(post=post).count()
        print(f"assessments stored: {rescores - 1} for {2 * args.rounds} indicators "
              "(each round waits for its own)")  # fmt: skip
        print(f"the old way (poll every {POLL_SECONDS} s): worst case after a quiet spell "
              f"{max(quiet) + POLL_SECONDS:.2f} s")  # fmt: skip
        STOP.set()
        listener.join(15)
    finally:
        stop_worker(worker)
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
