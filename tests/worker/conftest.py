"""A real Celery worker (subprocess) on a real Redis server.

The Redis server is started here, on a free port, so a test can stop and restart it
(the shared one on 6379 must not be touched). The worker reads the test database, so these
tests commit for real (``transactional_db``); that needs PostgreSQL, or at least a file
database: with SQLite's in-memory test database they are skipped (CI runs them on
PostgreSQL; under CI=true nothing here skips).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(up, 10, "redis-server to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Worker:
    def __init__(
        self,
        broker_url: str,
        database_url: str,
        tmp: Path,
        *,
        beat: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.env = {
            **os.environ,
            "REDIS_URL": broker_url,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "readiness.settings",
            "READINESS_TEST_STALL_FLAG": str(tmp / "stall"),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.log = tmp / "worker.log"
        self.stall_flag = tmp / "stall"
        self.beat = beat  # run beat inside the worker (-B), with the database's schedule
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.write_text("")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "readiness",
                "worker",
                "-I",
                "tests.worker.hooks",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}@%h",
                *(["-B"] if self.beat else []),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in self.log.read_text(), 30, "the worker to be ready")

    def exited_or_reconnected(self) -> str | None:
        if self.process is not None and self.process.poll() is not None:
            return "exited"
        lines = self.log.read_text().splitlines()
        lost = [i for i, line in enumerate(lines) if "Connection to broker lost" in line]
        if lost and any("Connected to redis" in line for line in lines[lost[-1] :]):
            return "reconnected"
        return None

    def kill(self) -> None:
        """kill -9 of the whole worker (main process, pool, embedded beat): nothing is
        handed back to the broker, unlike a pool child's death, which the main process
        reports and requeues."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"
    name = str(settings["NAME"])
    if connection.vendor == "sqlite" and "memory" not in name and name:
        return f"sqlite:///{name}"
    _unavailable("the worker tests need a database another process can open (set DATABASE_URL)")
    raise AssertionError("unreachable")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        _unavailable("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_on(redis_server: RedisServer) -> Iterator[RedisServer]:
    """Point this process's Celery app at the test Redis server, not eager."""
    from readiness.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = redis_server.url
    app.conf.broker_connection_retry_on_startup = False
    app.conf.task_publish_retry_policy = {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
    }
    _forget_connections(app)
    yield redis_server
    app.conf.broker_url = previous
    _forget_connections(app)


def _forget_connections(app) -> None:  # type: ignore[no-untyped-def]
    """Celery caches its connection and producer pools, and kombu keeps a process-wide
    registry of producer pools by connection; drop them all so the next publish connects
    to the URL configured now (a producer pool left in kombu's registry over a closed
    connection pool fails every later test's publish: found by random test order)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def worker(celery_on: RedisServer, transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    process = Worker(celery_on.url, _database_url(), tmp_path)
    process.start()
    yield process
    process.stop()
