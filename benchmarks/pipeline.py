"""What a benchmark's requests leave behind: the celery worker beside the web server, and the
end-to-end figures of the pipeline (the benchmarks' own helper, used by ``intake.py`` and
``workflow.py``).

A request that answers 201 has only written outbox rows; the receipts, the status notices and
the credit-record ingestion happen afterwards in the worker, on the same cores. Counting only
the requests hid a worker that fell behind. ``Pipeline`` starts a real worker (as
docker-compose runs it: ``celery -A integrity_portal worker``, concurrency as deployed), and
``measure`` wraps a load phase: it notes the database's counters before, and after the load
waits until every notification written since is sent and every outcome event is ingested,
then prints

- the backlog at the end of the load and the time until it drained,
- notifications delivered per second (over load + drain),
- the end-to-end rate: work items (complaints, actions) per second of load plus drain,
- database transactions per item, worker included (``pg_stat_database.xact_commit`` of the
  benchmark's database, read after the servers stopped so every backend has reported; the
  benchmark's own polling is subtracted),
- CPU per item of gunicorn, the worker, PostgreSQL and Redis (and of "other" processes: on a
  shared machine, whatever else ran).

With ``sample_every`` (``--sample-backlog 10`` of ``intake.py`` / ``workflow.py``) a thread
samples the backlog (unsent notifications + outcome events not ingested) during the load and
prints the series and whether it grows: the pipeline keeps up when it does not (the
5-minute run: ``--duration 300 --sample-backlog 10``).
"""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import cpu_share

ROOT = Path(__file__).resolve().parent.parent


class Stats:
    """Counters read through one autocommit connection of its own (each read is one
    transaction of the database, counted and subtracted)."""

    def __init__(self, database_url: str):
        import psycopg2

        self.connection = psycopg2.connect(database_url)
        self.connection.autocommit = True
        self.queries = 0

    def value(self, sql: str, params=()) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.queries += 1
            return int(cursor.fetchone()[0] or 0)

    def xact_commit(self) -> int:
        return self.value(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )

    def xids(self) -> int:
        """Transaction ids handed out so far, cluster-wide: each writing transaction takes one
        (and waits for a WAL flush at commit). Other databases' writes count too."""
        return self.value("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")

    def max_id(self, table: str) -> int:
        return self.value(f"SELECT max(id) FROM {table}")

    def unsent(self) -> int:
        return self.value("SELECT count(*) FROM complaints_notification WHERE sent_at IS NULL")

    def uningested(self, after_event: int) -> int:
        """Outcome events of the run not yet consumed by the credit-record ingestion."""
        return self.value(
            "SELECT count(*) FROM complaints_complaintevent e WHERE e.id > %s"
            " AND (e.to_status IN ('breach', 'rectified', 'settled') OR e.action = 'reopen')"
            " AND NOT EXISTS (SELECT 1 FROM"
            " credit_records_consumedcomplaintevent c WHERE c.event_id = e.id)",
            (after_event,),
        )

    def close(self):
        self.connection.close()


class BacklogSampler(threading.Thread):
    """Samples the backlog every ``every`` seconds through a connection of its own until
    stopped; ``samples`` is [(seconds since start, unsent notifications, events not
    ingested)]."""

    def __init__(self, database_url: str, *, every: float, after_event: int):
        super().__init__(daemon=True)
        self.stats = Stats(database_url)
        self.every, self.after_event = every, after_event
        self.samples: list[tuple[float, int, int]] = []
        self.stopped = threading.Event()

    def run(self):
        started = time.monotonic()
        while not self.stopped.wait(self.every):
            self.samples.append(
                (
                    time.monotonic() - started,
                    self.stats.unsent(),
                    self.stats.uningested(self.after_event),
                )
            )

    def finish(self) -> int:
        """Stop, close the connection; return how many queries it ran (to subtract)."""
        self.stopped.set()
        self.join()
        self.stats.close()
        return self.stats.queries


def backlog_verdict(samples: list[tuple[float, int, int]]) -> str:
    """Whether the backlog grew over the load: the least-squares slope of the total backlog,
    as growth over the whole run, against the largest backlog of the first minute (what the
    steady state looks like) plus 50 items of noise."""
    if len(samples) < 3:
        return "too few samples to tell"
    times = [t for t, _n, _e in samples]
    totals = [n + e for _t, n, e in samples]
    mean_t, mean_b = sum(times) / len(times), sum(totals) / len(totals)
    slope = sum((t - mean_t) * (b - mean_b) for t, b in zip(times, totals, strict=True)) / sum(
        (t - mean_t) ** 2 for t in times
    )
    growth = slope * (times[-1] - times[0])
    first_minute = max(b for t, b in zip(times, totals, strict=True) if t <= times[0] + 60)
    allowed = first_minute + 50
    verdict = "GROWS" if growth > allowed else "does not grow (bounded)"
    return (
        f"{verdict}: trend {slope * 60:+.1f} items/min, i.e. {growth:+.0f} over the run, "
        f"against {allowed} allowed (first minute's highest {first_minute} + 50)"
    )


def worker_command(concurrency: int) -> list[str]:
    return [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "integrity_portal",
        "worker",
        "--loglevel=WARNING",
        f"--concurrency={concurrency}",
    ]


class Pipeline:
    """A celery worker for the run and the end-to-end measurement around a load phase."""

    def __init__(self, *, env: dict, database_url: str, concurrency: int, drain_timeout: float):
        self.env, self.database_url = env, database_url
        self.concurrency, self.drain_timeout = concurrency, drain_timeout
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            worker_command(self.concurrency),
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)  # the worker connects to the broker and forks its children
        if self.process.poll() is not None:
            raise SystemExit("the celery worker did not start")
        return self.process

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def wait_idle(self, stats: Stats, *, timeout: float = 60.0) -> None:
        """Let the worker deliver what an earlier phase (the warm-up) left behind."""
        deadline = time.monotonic() + timeout
        while stats.unsent() and time.monotonic() < deadline:
            time.sleep(0.5)

    def measure(
        self, load, *, server_pid: int, item: str, stop_servers, sample_every: float = 0.0
    ) -> dict:
        """Run ``load()`` (returns how many items it was answered for), then wait for the
        backlog to drain, stop the servers (``stop_servers()``) and print the figures; with
        ``sample_every`` seconds, sample the backlog during the load and say if it grew."""
        stats = Stats(self.database_url)
        self.wait_idle(stats)
        others = {self.process.pid: "celery worker"} if self.process else {}
        first_complaint = stats.max_id("complaints_complaint")
        first_notification = stats.max_id("complaints_notification")
        first_event = stats.max_id("complaints_complaintevent")
        xids_before = stats.xids()
        xacts_before, own_before = stats.xact_commit(), stats.queries
        sampler = None
        if sample_every:
            sampler = BacklogSampler(self.database_url, every=sample_every, after_event=first_event)
        cpu_before, started = cpu_share.snapshot(server_pid, others), time.monotonic()
        if sampler:
            sampler.start()
        answered = load()
        load_seconds = time.monotonic() - started
        sampler_queries = sampler.finish() if sampler else 0
        backlog = stats.unsent()
        uningested = stats.uningested(first_event)
        drained_at = None
        while time.monotonic() - started < load_seconds + self.drain_timeout:
            if stats.unsent() == 0 and stats.uningested(first_event) == 0:
                drained_at = time.monotonic()
                break
            time.sleep(0.1)
        end = drained_at or time.monotonic()
        cpu_after = cpu_share.snapshot(server_pid, others)
        stop_servers()
        self.stop()
        complaints = stats.max_id("complaints_complaint") - first_complaint
        notifications = stats.value(
            "SELECT count(*) FROM complaints_notification WHERE id > %s AND sent_at IS NOT NULL",
            (first_notification,),
        )
        written = stats.max_id("complaints_notification") - first_notification
        own_queries = stats.queries - own_before + sampler_queries
        stats.close()
        # Every backend (web, worker, this one) reports its counters when it exits.
        time.sleep(1.5)
        final = Stats(self.database_url)
        xacts = final.xact_commit() - xacts_before - own_queries
        writes = final.xids() - xids_before
        final.close()
        total = end - started
        drain = end - started - load_seconds
        items = answered
        print(
            f"pipeline: celery worker (concurrency {self.concurrency}) on the same cores; "
            f"{complaints} complaints created, {written} notifications written"
        )
        print(
            f"backlog at the end of the load: {backlog} notifications unsent, "
            f"{uningested} outcome events not ingested"
        )
        if sampler:
            print(
                f"backlog every {sample_every:.0f} s during the load (unsent notifications + "
                "outcome events not ingested): "
                + ", ".join(f"{t:.0f}s {n}+{e}" for t, n, e in sampler.samples)
            )
            print(f"backlog over the load: {backlog_verdict(sampler.samples)}")
        if drained_at is None:
            print(f"drain: NOT drained within {self.drain_timeout:.0f} s of the load's end")
        else:
            print(f"drain: everything delivered {drain:.1f} s after the load ended")
        print(
            f"notifications delivered: {notifications} ({notifications / total:.1f}/s over "
            f"{load_seconds:.1f} s load + {drain:.1f} s drain)"
        )
        print(
            f"end to end: {items / total:.1f} {item}s/s with everything they caused done "
            f"(vs {items / load_seconds:.1f}/s answered)"
        )
        if items:
            print(
                f"database transactions per {item}, worker included: {xacts / items:.2f} "
                f"({xacts} commits in this database, read-only ones included, e.g. Django's "
                f"per-request health check when CONN_HEALTH_CHECKS is on); "
                f"writing ones: {writes / items:.2f} ({writes} xids, "
                f"cluster-wide: an upper bound when other databases are busy)"
            )
        print(cpu_share.report(cpu_before, cpu_after, requests=items, seconds=total, per=item))
        return {
            "backlog": backlog,
            "drain_s": drain if drained_at else None,
            "end_to_end": items / total,
            "xacts_per_item": xacts / items if items else None,
            "writes_per_item": writes / items if items else None,
            "backlog_samples": sampler.samples if sampler else [],
        }
