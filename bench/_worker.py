"""A real Celery worker for the benchmarks that measure the worker's path
(bench_ingest.py, bench_live_update.py): started on a database of their own, stopped at the
end whatever happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_worker(
    database_url: str, log: Path, *, concurrency: int, name: str
) -> subprocess.Popen[bytes]:
    """A worker on ``database_url`` writing to ``log``, once it says it is ready (30 s at
    most, or the benchmark stops with the end of the log)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "readiness", "worker",
         "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip",
         "--without-mingle", "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text():
        if time.monotonic() > deadline or worker.poll() is not None:
            sys.exit(f"the worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    return worker


def stop_worker(worker: subprocess.Popen[bytes] | None) -> None:
    """Stops the worker and its children, if it still runs."""
    if worker and worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(15)
