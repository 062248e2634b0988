"""A real ``celery worker`` process for tests that send tasks through Redis.

The worker runs as a subprocess against the same broker and cache as the test process and
against pytest-django's *test* database, so it sees the rows a ``transactional_db`` test
commits. That needs PostgreSQL: an in-memory SQLite test database cannot be shared between
processes.

Usage::

    @pytest.mark.postgres
    @pytest.mark.redis
    def test_something(transactional_db, celery_worker_process):
        enqueue(my_task, 42)
        celery_worker_process.wait_for(lambda: ..., what="the effect")
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def worker_database_url() -> str:
    """DATABASE_URL with its database name replaced by the test database's name."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    nodename: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_for(self, condition, *, what: str, timeout: float = 30.0, interval: float = 0.1):
        """Poll ``condition()`` until it returns a truthy value; fail with the worker log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(
                    f"celery worker exited with {self.process.returncode} while waiting for "
                    f"{what}:\n{self.log_tail()}"
                )
            time.sleep(interval)
        pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}:\n{self.log_tail()}")


def _require_services():
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("needs a Redis broker: set CELERY_BROKER_URL=redis://…")
    if not settings.REDIS_URL:
        skip_or_fail("needs a shared Redis cache: set REDIS_URL=redis://…")
    if not settings.USING_POSTGRES:
        skip_or_fail("needs PostgreSQL so the worker can share the test database")


def _ping(app, nodename: str) -> bool:
    try:
        return bool(app.control.ping(destination=[nodename], timeout=0.5))
    except Exception:  # broker hiccup while the worker starts: keep polling
        return False


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start ``celery -A integrity_portal worker`` on the test database; stop it afterwards."""
    _require_services()
    from integrity_portal.celery import app

    # Messages published by earlier tests refer to rows their transactions rolled back.
    app.control.purge()

    with running_worker(app, prefix="portal-test") as worker:
        yield worker


@contextmanager
def running_worker(app, *, prefix: str, extra_args: tuple[str, ...] = ()):
    """A ``celery -A integrity_portal worker`` process on the test database (solo pool, its
    log in a temporary file), once it answers ``app``'s ping; warm shutdown on exit. The
    broker is the one in the environment (CELERY_BROKER_URL)."""
    nodename = f"{prefix}-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "PYTHONUNBUFFERED": "1"}
    log = tempfile.NamedTemporaryFile(  # closed in the finally below
        prefix=f"{prefix}-", suffix=".log", delete=False
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "integrity_portal",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        *extra_args,
        "-n",
        nodename,
    ]
    process = subprocess.Popen(  # noqa: S603  (fixed argument list)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    worker = WorkerProcess(process=process, nodename=nodename, log_path=Path(log.name))
    try:
        worker.wait_for(
            lambda: _ping(app, nodename), what="the worker to answer a ping", timeout=START_TIMEOUT
        )
        yield worker
    finally:
        process.terminate()  # SIGTERM = warm shutdown: finish the current task, then exit
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        # The worker's connections are gone; nothing keeps the test database open.


# A private redis-server for the fault tests (stopped and started again on the same port).


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private ``redis-server``; ``stop()`` and ``start()`` on the same port."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603  (fixed argument list)
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        skip_or_fail("needs the redis-server binary (Debian package redis-server)")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
