"""The benchmarks' Python load generator (the benchmarks' own helper, used by ``intake.py``,
``workflow.py`` and ``credit_check.py``): client threads, each with one keep-alive
``http.client`` connection to the server on 127.0.0.1, reopened when a sync worker closes it
or the connection fails; each thread tallies answers by status and the latency of the ones
that succeeded, and the tallies are added up when the threads end. It runs on the same cores
as the server (wrk, where a benchmark offers it, costs far less CPU).
"""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Tally:
    """What clients saw: successful answers (with their latencies), errors by status."""

    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)

    def add(self, other: "Tally") -> None:
        self.latencies.extend(other.latencies)
        self.ok += other.ok
        self.errors += other.errors
        for key, value in other.statuses.items():
            self.statuses[key] = self.statuses.get(key, 0) + value

    def count(self, key) -> None:
        self.statuses[key] = self.statuses.get(key, 0) + 1


class KeepAliveClient:
    """One keep-alive connection and its tally."""

    def __init__(self, port: int, *, headers: dict | None = None, timeout: float = 30.0):
        self.port, self.timeout = port, timeout
        self.headers = {"Connection": "keep-alive", **(headers or {})}
        self.tally = Tally()
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, *, body: bytes | None = None, ok: int = 200):
        """Send one request; return the body of a successful (``ok``) answer, else None."""
        started = time.perf_counter()
        try:
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            self._conn.request(method, path, body=body, headers=self.headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.tally.errors += 1
            self.tally.count("connection")
            self.close()
            return None
        elapsed = time.perf_counter() - started
        self.tally.count(response.status)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        if response.status != ok:
            self.tally.errors += 1
            return None
        self.tally.ok += 1
        self.tally.latencies.append(elapsed)
        return data

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None


def run_clients(count: int, client_loop: Callable[[int], Tally]) -> tuple[Tally, float]:
    """Run ``client_loop(n)`` for n in 0..count-1 in threads; return the summed tally and the
    wall time."""
    total, lock = Tally(), threading.Lock()

    def run(n: int) -> None:
        tally = client_loop(n)
        with lock:
            total.add(tally)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total, time.monotonic() - started


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(q / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def latency_line(latencies: list[float]) -> str:
    """``latency ms: p50 … p95 … p99 … mean … max …`` of the given latencies (seconds)."""
    values = sorted(latencies)
    if not values:
        return "latency ms: no successful request"
    p50, p95, p99 = (1000 * percentile(values, q) for q in (50, 95, 99))
    return (
        f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  "
        f"mean {1000 * statistics.fmean(values):.1f}  max {1000 * values[-1]:.1f}"
    )
