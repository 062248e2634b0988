"""Credit-check benchmark: latency p50/p95/p99 and requests/s of
``GET /api/v1/credit-check/`` against gunicorn on 127.0.0.1 (DESIGN section 10: p99 < 10 ms,
≥ 1,000 req/s).

Creates the PostgreSQL database ``ip_sanctions_bench`` (dropped at the end), migrates it,
inserts ``--agencies`` agencies with records for 30% of them, runs the full reconcile, makes a
handler account with an API token, starts gunicorn (gthread workers, DEBUG off, Redis cache),
warms the cache, then runs a load generator for ``--duration`` seconds: ``--procs`` processes ×
``--threads`` threads, each with one keep-alive ``http.client`` connection, asking about random
agencies and measures. Every request is a real check: token authentication, agency lookup,
cached sanction state, and one log row written before the answer. The load generator shares
the machine's cores with gunicorn, PostgreSQL and Redis.

    .venv/bin/python benchmarks/credit_check.py --redis-url redis://127.0.0.1:6379/7
"""

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reconcile import DB_NAME, SERVER, admin_execute, generate  # noqa: E402

MEASURES = [
    "central_budget_funding",
    "special_bonds",
    "awards",
    "government_procurement",
    "government_funding",
    "office_space",
]


def client_worker(args) -> tuple[list[float], int, int]:
    port, token, agency_ids, duration, threads, seed = args
    latencies: list[float] = []
    errors = [0]
    restricted = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def run(thread_seed):
        rng = random.Random(thread_seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": f"Token {token}", "Connection": "keep-alive"}
        local, local_errors, local_restricted = [], 0, 0
        while time.perf_counter() < stop_at:
            path = (
                f"/api/v1/credit-check/?agency={rng.choice(agency_ids)}"
                f"&measure={rng.choice(MEASURES)}&purpose=bench"
            )
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                local_errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            local.append(time.perf_counter() - start)
            if response.status != 200:
                local_errors += 1
            elif b'"restricted":true' in body:
                local_restricted += 1
        with lock:
            latencies.extend(local)
            errors[0] += local_errors
            restricted[0] += local_restricted

    pool = [threading.Thread(target=run, args=(seed * 100 + i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0], restricted[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    database_url = f"{SERVER}/{DB_NAME}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "integrity_portal.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": "",
            "REDIS_URL": args.redis_url,
        }
    )
    admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    admin_execute(f'CREATE DATABASE "{DB_NAME}"')
    server = None
    try:
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connections
        from rest_framework.authtoken.models import Token

        from agencies.models import Agency, User
        from sanctions.models import CreditCheck
        from sanctions.tasks import reconcile_all

        call_command("migrate", verbosity=0)
        generate(args.agencies, 0.3)
        cache.clear()
        reconcile_all()
        funding_dept = Agency.objects.create(name="市发展和改革委员会", kind="department")
        user = User.objects.create_user(
            "bench-funding", password="bench-pass-123456", agency=funding_dept, role="handler"
        )
        token = Token.objects.create(user=user).key
        agency_ids = list(Agency.objects.values_list("pk", flat=True))
        connections.close_all()

        env = {
            **os.environ,
            "PRODUCTION": "false",
            "DEBUG": "false",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "integrity_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.worker_threads),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # Warm-up: fill the cache and the workers' connections.
        client_worker((args.port, token, agency_ids, 3.0, args.threads, 999))
        before = CreditCheck.objects.count()
        connections.close_all()

        jobs = [
            (args.port, token, agency_ids, args.duration, args.threads, i)
            for i in range(args.procs)
        ]
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(args.procs) as pool:
            results = pool.map(client_worker, jobs)
        wall = time.perf_counter() - started
        latencies = sorted(x for lats, _e, _r in results for x in lats)
        errors = sum(e for _l, e, _r in results)
        restricted = sum(r for _l, _e, r in results)
        logged = CreditCheck.objects.count() - before

        def pct(p):
            return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

        n = len(latencies)
        print(
            f"{n} checks in {wall:.1f}s = {n / wall:,.0f} req/s with "
            f"{args.procs}x{args.threads} keep-alive clients; gunicorn {args.workers} gthread "
            f"workers x {args.worker_threads} threads"
        )
        print(
            f"latency ms: p50 {pct(0.50):.2f}  p95 {pct(0.95):.2f}  p99 {pct(0.99):.2f}  "
            f"max {latencies[-1] * 1000:.1f}  mean {statistics.fmean(latencies) * 1000:.2f}"
        )
        print(
            f"errors {errors}; restricted answers {restricted} ({restricted / max(n, 1):.0%}); "
            f"log rows written {logged} (one per check: {logged == n})"
        )
        print(
            f"targets: p99 < 10 ms {'OK' if pct(0.99) < 10 else 'MISSED'}; "
            f">= 1000 req/s {'OK' if n / wall >= 1000 else 'MISSED'}"
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')


if __name__ == "__main__":
    main()
