"""Latency of the staff queue page and the filtered list API, and the deadline sweep's time,
on the data set of ``scale_generate.py`` (DESIGN section 10: p95 < 50 ms; sweep < 2 s).

Requests go through the whole Django stack in-process (middleware, sessions or token auth,
templates, serializers) against PostgreSQL on 127.0.0.1; no HTTP server is involved.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ip_scale \\
        .venv/bin/python benchmarks/scale_query.py --requests 200
"""

import argparse
import os
import random
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
from rest_framework.test import APIClient  # noqa: E402

from agencies.models import User  # noqa: E402


def measure(label: str, calls, repeat: int) -> None:
    times = []
    for i in range(repeat):
        call = calls[i % len(calls)]
        t = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (label, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        calls[0]()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:<58} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
        f"max {times[-1]:6.1f} ms   queries {len(ctx.captured_queries)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    handlers = list(User.objects.filter(role="handler").order_by("?")[:20])
    officer = User.objects.get(username="officer")
    from complaints.models import Complaint

    print(f"complaints: {Complaint.objects.count():,}   handlers sampled: {len(handlers)}")

    web = []
    for handler in handlers:
        client = Client()
        client.force_login(handler)
        web.append(client)
    queue = [lambda c=c: c.get("/console/") for c in web]
    measure("console queue (handler, open cases by due date)", queue, args.requests)
    page2 = [lambda c=c: c.get("/console/", {"page": 2, "overdue": "true"}) for c in web]
    measure("console queue, overdue filter, page 2", page2, args.requests)
    officer_web = Client()
    officer_web.force_login(officer)
    measure(
        "console supervision queue (credit office, all agencies)",
        [lambda: officer_web.get("/console/supervision/")],
        args.requests,
    )

    api = APIClient()
    api.force_authenticate(officer)
    domains = ["procurement", "payment_arrears", "ppp", "bidding"]
    filtered = [
        lambda d=d: api.get(
            "/api/v1/complaints/",
            {"status": ["verifying", "rectifying"], "domain": d, "overdue": "true"},
        )
        for d in domains
    ]
    measure("API list, credit office: status×2 + domain + overdue", filtered, args.requests)
    agency_ids = [rng.randint(1001, 10000) for _ in range(20)]
    by_agency = [
        lambda a=a: api.get("/api/v1/complaints/", {"respondent_agency": a, "status": "verifying"})
        for a in agency_ids
    ]
    measure("API list, credit office: respondent_agency + status", by_agency, args.requests)
    handler_api = []
    for handler in handlers:
        client = APIClient()
        client.force_authenticate(handler)
        handler_api.append(
            lambda c=client: c.get(
                "/api/v1/complaints/", {"status": "verifying", "submitted_after": "2025-01-01"}
            )
        )
    measure("API list, handler scope: status + submitted_after", handler_api, args.requests)
    measure(
        "API list, credit office: no filter (count over all rows)",
        [lambda: api.get("/api/v1/complaints/")],
        max(20, args.requests // 10),
    )
    measure(
        "API list, credit office: q (title substring, trigram index)",
        [lambda: api.get("/api/v1/complaints/", {"q": "合同款项未履约 12345"})],
        max(10, args.requests // 20),
    )

    from complaints.services.deadlines import sweep_deadlines

    for run in ("first (fresh work)", "second (nothing new)"):
        t = time.perf_counter()
        result = sweep_deadlines()
        print(f"deadline sweep, {run:<22} {time.perf_counter() - t:6.2f} s   {result}", flush=True)


if __name__ == "__main__":
    main()
