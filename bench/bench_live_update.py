"""How long until a new indicator shows on an open overview, through the real worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        python bench/bench_live_update.py [--rounds 5]

Creates a throwaway test database with the Bamako post, starts a real Celery worker on it,
then, each round, records an indicator as the dashboard form does (one committed
transaction) and polls the overview as an open browser tab does (HTMX request with the
version it holds) until it answers with new rows instead of 204. Prints the time from the
commit to that answer, and the same plus the page's polling interval (the worst case a
person waits). Target: under 5 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
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


def start_worker(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "readiness", "worker", "--concurrency", "2",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text():
        if time.monotonic() > deadline or worker.poll() is not None:
            sys.exit(f"the worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    return worker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from readiness.assessments.services import post_rescore
    from readiness.dashboard.pages import POLL_SECONDS, OverviewPage
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
        worker = start_worker(database_url, log)
        user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
        client = Client()
        client.force_login(user)
        delays = []
        for round_ in range(args.rounds):
            version = OverviewPage(user=user, params={}).version
            started = time.perf_counter()
            indicator_record(
                post=post, category="incident", severity=4, reliability="B", credibility=2,
                source="bench", text=f"round {round_}", observed_at=timezone.now(), user=user,
            )  # fmt: skip
            while True:
                response = client.get("/", {"since": version}, headers={"HX-Request": "true"})
                if response.status_code == 200:
                    break
                if time.perf_counter() - started > 60:
                    sys.exit(f"no new rows after 60 s; worker log:\n{log.read_text()[-2000:]}")
                time.sleep(0.05)
            delays.append(time.perf_counter() - started)
        print(f"indicator committed -> overview poll answers new rows: median {statistics.median(delays):.2f} s, "
              f"max {max(delays):.2f} s over {len(delays)} rounds")  # fmt: skip
        worst = max(delays) + POLL_SECONDS
        print(f"plus the page's {POLL_SECONDS} s polling interval: worst case {worst:.2f} s (target < 5 s): "
              f"{'OK' if worst < 5 else 'SLOWER THAN TARGET'}")  # fmt: skip
    finally:
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(15)
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
