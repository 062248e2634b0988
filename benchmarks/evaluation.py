"""Latency of the evaluation (考核) API and dashboard, and the ledger (台账) export's time and
memory, on the data set of ``scale_generate.py`` (issue targets: quarter by respondent p95
< 500 ms, year by region p95 < 300 ms, dashboard p95 < 500 ms, 100,000 ledger rows in < 10 s
in constant memory).

Requests go through the whole Django stack in-process (middleware, session or token auth,
serializers, templates) against PostgreSQL on 127.0.0.1; no HTTP server is involved.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ip_scale \\
        .venv/bin/python benchmarks/evaluation.py --requests 20

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the figures' aggregate for the quarter.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from agencies.models import User  # noqa: E402


def rss_mb() -> float:
    """This process's resident memory now (Linux ``/proc``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(label: str, call, repeat: int) -> None:
    call()  # warm: per-process caches (policies, calendar) fill on the first request
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        call()
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label:<52} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {times[-1]:7.1f} ms   queries {len(ctx.captured_queries)}",
        flush=True,
    )


def explain(start: dt.date, end: dt.date) -> None:
    from evaluation.figures import Period, count_tallies

    period = Period(start, end)
    with CaptureQueriesContext(connection) as ctx:
        count_tallies(period=period, group_by="respondent")
    sql = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        print("\n".join(row[0] for row in cursor.fetchall()))


def ledger(client, start: dt.date, end: dt.date, rows_wanted: int) -> None:
    """Stream the ledger CSV of a period holding about ``rows_wanted`` rows; print the time,
    the rows, and the resident memory at the start, after the first 10,000 rows and at most
    (sampled every 10,000 rows): constant memory means the last two stay level."""
    before = rss_mb()
    t = time.perf_counter()
    response = client.get("/api/v1/ledger/", {"from": start, "to": end, "format": "csv"})
    assert response.status_code == 200, response.status_code
    lines, peak, at_10k = 0, before, None
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        if lines // 10_000 != (lines - chunk.count(b"\n")) // 10_000:
            peak = max(peak, rss_mb())
            if at_10k is None:
                at_10k = rss_mb()
    seconds = time.perf_counter() - t
    peak = max(peak, rss_mb())
    print(
        f"ledger CSV {start}..{end}: {lines - 1:,} rows in {seconds:.2f} s   RSS before "
        f"{before:.0f} MB, after 10k rows {at_10k or 0:.0f} MB, peak {peak:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--ledger-rows", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    from complaints.models import Complaint

    total = Complaint.objects.count()
    today = timezone.localdate()
    quarter = (today - dt.timedelta(days=91), today)
    year = (today - dt.timedelta(days=365), today)
    print(f"complaints: {total:,}   quarter {quarter[0]}..{quarter[1]}", flush=True)
    if args.explain:
        explain(*quarter)
    officer = User.objects.get(username="officer")
    api = APIClient()
    api.force_authenticate(officer)
    web = Client()
    web.force_login(officer)

    def evaluation(period, **extra):
        query = {"from": period[0], "to": period[1], **extra}
        return lambda: api.get("/api/v1/evaluation/", query)

    measure(
        "API quarter by respondent (page 1 of 1000 rows)",
        evaluation(quarter, group_by="respondent"),
        args.requests,
    )
    measure(
        "API quarter by respondent (page 5 of 100 rows)",
        evaluation(quarter, group_by="respondent", page_size=100, page=5),
        args.requests,
    )
    measure("API year by region (county)", evaluation(year, group_by="region"), args.requests)
    measure(
        "API year by region (city)",
        evaluation(year, group_by="region", level="city"),
        args.requests,
    )
    measure(
        "dashboard, quarter by respondent",
        lambda: web.get(
            "/console/evaluation/",
            {"from": quarter[0], "to": quarter[1], "group_by": "respondent"},
        ),
        args.requests,
    )
    # The ledger: a period holding about ``--ledger-rows`` complaints (submissions are spread
    # evenly over three years).
    oldest = Complaint.objects.order_by("submitted_at").values_list("submitted_at", flat=True)[:1]
    span = (today - timezone.localtime(oldest[0]).date()).days if oldest else 1
    days = max(1, round(span * args.ledger_rows / max(total, 1)))
    ledger(api, today - dt.timedelta(days=days), today, args.ledger_rows)


if __name__ == "__main__":
    main()
