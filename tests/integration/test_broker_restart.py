"""The worker survives a broker restart: a real ``celery worker`` on a private ``redis-server``
(started by the test on a free port; the machine's shared Redis is never touched) delivers a
task, the broker is stopped and started again on the same port, and the same worker process —
still alive, never restarted — delivers the task queued after the restart.

The fault this holds against: the worker exited while restoring unacknowledged messages after
a broker restart (``AttributeError: 'NoneType' object has no attribute 'hostname'``) and
delivered nothing until restarted by hand. The settings it relies on are in
``integrity_portal/settings.py`` (``CELERY_BROKER_CONNECTION_*``, cancel on connection loss).
"""

import time
import uuid

import pytest
from celery import Celery
from django.core.cache import cache

from integrity_portal.tasks import diagnostic_key
from tests.agencies.factories import StaffFactory
from tests.integration.conftest import (
    WorkerProcess,
    _require_services,
    running_worker,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RESTARTS = 2  # the fault showed in 2 of 3 restarts: more than one, still cheap


@pytest.fixture
def worker_on_private_broker(transactional_db, private_redis, monkeypatch):
    """A ``celery worker`` whose broker is the private Redis (cache and database as the test's),
    and a bare Celery app (``probe``) that publishes to and pings through that broker."""
    _require_services()
    url = f"redis://127.0.0.1:{private_redis.port}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration: the
    # probe (and the worker, which inherits it) must see the private broker's, not the run's.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    probe = Celery("broker-restart-probe", broker=url, set_as_current=False)
    probe.conf.broker_connection_retry_on_startup = False
    try:
        with running_worker(
            probe, prefix="portal-restart", extra_args=("--without-heartbeat",)
        ) as worker:
            yield worker, probe, private_redis
    finally:
        probe.close()


def _deliver(worker: WorkerProcess, probe: Celery, *, what: str) -> dict:
    """Queue a diagnostic ping through the private broker (retrying the publish while the
    broker comes back) and wait for the worker's report."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + 10
    while True:
        try:
            probe.send_task("integrity_portal.diagnostic_ping", args=[token], retry=False)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return worker.wait_for(lambda: cache.get(diagnostic_key(token)), what=what, timeout=20)


def test_the_worker_survives_broker_restarts_and_delivers_what_is_queued_after(
    worker_on_private_broker,
):
    worker, probe, broker = worker_on_private_broker
    StaffFactory()  # committed: the worker reads the test database
    pid = worker.process.pid
    assert _deliver(worker, probe, what="the task before any restart")["pid"] == pid

    started = time.monotonic()
    for restart in range(1, RESTARTS + 1):
        broker.stop()
        broker.start()  # same port, empty: whatever was queued is gone with it
        report = _deliver(worker, probe, what=f"the task queued after restart {restart}")
        assert worker.process.poll() is None, worker.log_tail()
        assert report["pid"] == pid  # the same process: it reconnected by itself
        assert report["users"] == 1
    elapsed = time.monotonic() - started
    print(f"\nbroker restarts: {RESTARTS}, delivered after each; {elapsed:.1f}s in all")
    assert "Unrecoverable error" not in worker.log_path.read_text(errors="replace")
