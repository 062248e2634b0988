"""Intake benchmark: accepted complaints per second and latency at N concurrent clients.

Starts gunicorn on 127.0.0.1 with docker/gunicorn.conf.py (as deployed) against the given
PostgreSQL database (migrated and seeded with a few agencies here), with INTAKE_RATE_LIMIT
empty and DEBUG off, then runs a load generator for a bounded time: ``--clients`` threads,
each with one keep-alive ``http.client`` connection (reconnecting when a sync worker closes
it), POSTing valid JSON complaints to /api/v1/complaints/. Prints accepted/s, p50/p95/p99
latency and error counts, then stops gunicorn. The load generator runs on the same machine
and shares its cores.

    .venv/bin/python benchmarks/intake.py \\
        --database-url postgres://postgres@127.0.0.1:5432/ip_bench_intake \\
        --broker-url redis://127.0.0.1:6379/4 --workers 3 --clients 50 --duration 20

Without ``--broker-url`` tasks run eagerly inside the request (embedded mode), which is not
the production set-up DESIGN section 10 measures. The Python clients are
``benchmarks/http_load.py`` and the server is started and stopped by
``benchmarks/gunicorn_server.py``, both shared with the other HTTP benchmarks.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu_share  # noqa: E402 — the benchmarks' own helper, beside this file
import gunicorn_server  # noqa: E402 — likewise
import http_load  # noqa: E402 — likewise
from pipeline import Pipeline  # noqa: E402 — likewise


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "integrity_portal.settings",
            "DATABASE_URL": args.database_url,
            "INTAKE_RATE_LIMIT": "",
            "DEBUG": "false",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    if args.broker_url:
        env["CELERY_BROKER_URL"] = args.broker_url
    else:
        env.pop("CELERY_BROKER_URL", None)
    return env


def database_create_if_missing(url: str) -> None:
    """Create the database ``url`` names when its server has none by that name."""
    from urllib.parse import urlsplit, urlunsplit

    from scratch_database import admin_execute, database_exists

    parts = urlsplit(url)
    name, server = parts.path.lstrip("/"), urlunsplit(parts._replace(path=""))
    if not database_exists(name, server=server):
        admin_execute(f'CREATE DATABASE "{name}"', server=server)


def prepare_database(args) -> list[int]:
    """Create (if missing) and migrate the database and make one supervising agency with 200
    respondents; return their ids."""
    database_create_if_missing(args.database_url)
    os.environ.update(server_env(args))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from agencies.models import Agency

    supervisor, _ = Agency.objects.get_or_create(
        name="基准测试主管部门", defaults={"kind": "department"}
    )
    existing = list(Agency.objects.filter(supervisor=supervisor).values_list("id", flat=True)[:200])
    if len(existing) < 200:
        Agency.objects.bulk_create(
            [
                Agency(name=f"基准测试被投诉单位{i}", kind="institution", supervisor=supervisor)
                for i in range(len(existing), 200)
            ]
        )
        existing = list(
            Agency.objects.filter(supervisor=supervisor).values_list("id", flat=True)[:200]
        )
    from django.db import connections

    connections.close_all()
    return existing


def uscc(n: int) -> str:
    from stdnum.cn import uscc as stdnum_uscc

    body = f"91330106{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


# What gunicorn serves: the product, or the yardstick of DESIGN section 10 (bare_drf_intake.py).
APPS = {
    "portal": ["integrity_portal.wsgi:application"],
    "bare-drf": ["bare_drf_intake:application", "--pythonpath", str(ROOT / "benchmarks")],
}


def start_gunicorn(args):
    return gunicorn_server.start(
        APPS[args.app],
        port=args.port,
        env=server_env(args),
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        options=["--backlog", "2048"],
    )


def client_loop(n, args, respondents, stop_at) -> http_load.Tally:
    """One client: valid complaints, one after another, until ``stop_at``."""
    rng = random.Random(n)
    code = uscc(1000 + n)
    client = http_load.KeepAliveClient(args.port, headers={"Content-Type": "application/json"})
    i = 0
    while time.monotonic() < stop_at:
        i += 1
        body = json.dumps(
            {
                "complainant_type": "enterprise",
                "complainant_name": f"基准测试建设有限公司{n}",
                "complainant_uscc": code,
                "contact_name": "张三",
                "contact_phone": f"139{n:04d}{i % 10000:04d}",
                "contact_email": f"c{n}@example.invalid",
                "respondent_agency": rng.choice(respondents),
                "domain": "payment_arrears",
                "title": "工程款拖欠",
                "description": "学校维修工程验收合格后至今未支付工程款。" * 5,
                "contract_title": f"维修合同{n}-{i}",
                "contract_signed_on": "2024-03-01",
                "amount_involved": "385000.50",
            },
            ensure_ascii=False,
        ).encode()
        client.request("POST", "/api/v1/complaints/", body=body, ok=201)
    client.close()
    return client.tally


WRK_SCRIPT = r"""
-- Generated by benchmarks/intake.py: one valid complaint per request, counted by status.
local usccs = {%(usccs)s}
local respondents = {%(respondents)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  created, other = 0, 0
  math.randomseed(id * 7919 + os.time())
end

function request()
  counter = counter + 1
  local n = id * 1000000 + counter
  local body = string.format(
    '{"complainant_type":"enterprise","complainant_name":"基准测试建设有限公司%%d",' ..
    '"complainant_uscc":"%%s","contact_name":"张三","contact_phone":"139%%08d",' ..
    '"contact_email":"c%%d@example.invalid","respondent_agency":%%d,' ..
    '"domain":"payment_arrears","title":"工程款拖欠",' ..
    '"description":"学校维修工程验收合格后至今未支付工程款。' ..
    '学校维修工程验收合格后至今未支付工程款。",' ..
    '"contract_title":"维修合同%%d","contract_signed_on":"2024-03-01",' ..
    '"amount_involved":"385000.50"}',
    n, usccs[(n %% #usccs) + 1], n %% 100000000, n, respondents[math.random(#respondents)], n)
  return wrk.format("POST", "/api/v1/complaints/", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_created, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_created = total_created + thread:get("created")
    total_other = total_other + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("accepted: %%d  (%%.1f/s)\n", total_created, total_created / seconds))
  io.write(string.format("latency ms: p50 %%.1f  p95 %%.1f  p99 %%.1f  mean %%.1f  max %%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
  io.write(string.format("errors: %%d non-201, %%d socket errors\n", total_other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def run_wrk(args, respondents, server_pid: int, pipeline=None, stop_servers=None):
    """Drive the server with wrk (C, event loop), which leaves the cores to the server;
    print the figures and return accepted complaints per second and the p99 latency (ms).
    With ``pipeline`` (a celery worker is running) the measured run is followed by the wait
    for its receipts and the end-to-end figures (``benchmarks/pipeline.py``)."""
    import shutil
    import tempfile

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package 'wrk')")
    script = WRK_SCRIPT % {
        "usccs": ",".join(f'"{uscc(1000 + n)}"' for n in range(args.clients)),
        "respondents": ",".join(str(r) for r in respondents),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    url = f"http://127.0.0.1:{args.port}"
    base = ["wrk", "-t2", f"-c{args.clients}", "-s", handle.name, "--timeout", "10s"]
    subprocess.run([*base, f"-d{args.warmup:.0f}s", url], check=True, capture_output=True)
    measured = {}

    def load() -> int:
        before, started = cpu_share.snapshot(server_pid), time.perf_counter()
        result = subprocess.run(
            [*base, f"-d{args.duration:.0f}s", url], check=True, capture_output=True, text=True
        )
        after, seconds = cpu_share.snapshot(server_pid), time.perf_counter() - started
        print(
            f"{args.app}: gunicorn {args.workers} x {args.worker_class}, {args.clients} "
            f"connections (wrk, 2 threads), {args.duration:.0f} s after {args.warmup:.0f} s "
            f"warm-up, broker: {args.broker_url or 'none (eager)'}, cores: {os.cpu_count()}"
        )
        lines = [line for line in result.stdout.splitlines() if ":" in line[:12]]
        print("\n".join(lines))
        accepted = int(next(line for line in lines if line.startswith("accepted:")).split()[1])
        latency = next(line for line in lines if line.startswith("latency ms:")).split()
        print(cpu_share.report(before, after, requests=accepted, seconds=seconds))
        measured.update(rate=accepted / seconds, p99=float(latency[latency.index("p99") + 1]))
        return accepted

    if pipeline is None:
        load()
    else:
        pipeline.measure(
            load,
            server_pid=server_pid,
            item="complaint",
            stop_servers=stop_servers,
            sample_every=args.sample_backlog,
        )
    os.unlink(handle.name)
    return measured["rate"], measured["p99"]


def medians(label: str, runs: list[tuple[float, float]]) -> None:
    """With ``--repeat``: the median of the runs, steadier than any one run on a shared
    machine whose speed moves between minutes."""
    if len(runs) > 1:
        rates, p99s = zip(*runs, strict=True)
        print(
            f"{label}, median of {len(runs)} runs: {statistics.median(rates):.1f}/s, "
            f"p99 {statistics.median(p99s):.1f} ms (runs: "
            + ", ".join(f"{rate:.0f}/s p99 {p99:.0f}" for rate, p99 in runs)
            + ")"
        )


def compare_with_yardstick(args, respondents) -> None:
    """``--app both``: the yardstick, then the product, under the same load, and their ratio
    (DESIGN section 10: the yardstick reaches ~430/s where the product must reach 400/s);
    ``--repeat`` alternates the two that many times."""
    runs: dict[str, list] = {"bare-drf": [], "portal": []}
    for _ in range(args.repeat):
        for app in runs:
            args.app = app
            process = start_gunicorn(args)
            try:
                runs[app].append(run_wrk(args, respondents, process.pid))
            finally:
                gunicorn_server.stop(process)
    for app, figures in runs.items():
        medians(app, figures)
    ratios = [p[0] / b[0] for p, b in zip(runs["portal"], runs["bare-drf"], strict=True)]
    print(
        f"portal / bare DRF: {statistics.median(ratios):.2f}x"
        f"{' (median)' if len(ratios) > 1 else ''}; DESIGN section 10 asks 400/s where the "
        f"bare view reaches ~430/s, i.e. at least 0.93x"
    )


def with_worker(args) -> bool:
    """The end-to-end run: a broker, a worker, one app (not the yardstick comparison)."""
    return bool(args.broker_url) and args.worker and args.app == "portal"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker-url", default="")
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument(
        "--app",
        choices=[*sorted(APPS), "both"],
        default="portal",
        help="bare-drf: the yardstick, a plain DRF view doing the same writes (same load); "
        "both: the yardstick, then the portal, and their ratio (with wrk)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="wrk: measure this many times, print the medians"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--load-generator",
        choices=["threads", "wrk"],
        default="threads",
        help="Python keep-alive threads (default) or wrk, which uses far less CPU",
    )
    parser.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --broker-url and wrk: run a celery worker beside gunicorn, as deployed, "
        "and print the end-to-end figures (receipts delivered, backlog, drain time, "
        "transactions and CPU per complaint); --no-worker measures the requests alone",
    )
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=2,
        help="the worker's processes (docker-compose's CELERY_WORKER_CONCURRENCY default)",
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=120.0, help="seconds to wait for the backlog"
    )
    parser.add_argument(
        "--sample-backlog",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with the worker: sample the backlog this often during the load and say whether "
        "it grows (the 5-minute run: --duration 300 --sample-backlog 10)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must point at PostgreSQL")

    if args.app == "both" and args.load_generator != "wrk":
        raise SystemExit("--app both needs --load-generator wrk")

    respondents = prepare_database(args)
    if args.app == "both":
        compare_with_yardstick(args, respondents)
        return
    process = start_gunicorn(args)
    try:
        if args.load_generator == "wrk" and with_worker(args):
            pipeline = Pipeline(
                env=server_env(args),
                database_url=args.database_url,
                concurrency=args.worker_concurrency,
                drain_timeout=args.drain_timeout,
            )
            pipeline.start()
            try:
                run_wrk(
                    args, respondents, process.pid, pipeline, lambda: gunicorn_server.stop(process)
                )
            finally:
                pipeline.stop()
            return
        if args.load_generator == "wrk":
            medians(args.app, [run_wrk(args, respondents, process.pid) for _ in range(args.repeat)])
            return
        for _phase, seconds in (("warm-up", args.warmup), ("measure", args.duration)):
            stop_at = time.monotonic() + seconds
            results, wall = http_load.run_clients(
                args.clients, lambda n, until=stop_at: client_loop(n, args, respondents, until)
            )
        print(
            f"{args.app}: gunicorn {args.workers} x {args.worker_class}"
            f"{f' ({args.threads} threads)' if args.worker_class == 'gthread' else ''}, "
            f"{args.clients} clients, {wall:.1f} s measured after {args.warmup:.0f} s warm-up, "
            f"broker: {args.broker_url or 'none (eager)'}, cores: {os.cpu_count()}"
        )
        print(f"accepted: {results.ok}  ({results.ok / wall:.1f}/s)")
        if results.latencies:
            print(http_load.latency_line(results.latencies))
        print(f"errors: {results.errors}  statuses: {results.statuses}")
    finally:
        gunicorn_server.stop(process)


if __name__ == "__main__":
    main()
