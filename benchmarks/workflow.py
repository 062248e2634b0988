"""Workflow benchmark: a stream of handlers' actions over HTTP and everything they leave to the
worker (status notices to the complainant, credit-record ingestion of breach determinations),
end to end.

Starts gunicorn (docker/gunicorn.conf.py, as deployed) and a celery worker on the same cores
against the given PostgreSQL database, with routed complaints made beforehand (topped up to
``--complaints``). ``--clients`` threads, each with one keep-alive connection and the handler's
token, take complaints one by one and walk each through accept → find_founded →
determine_breach (three POSTs to /api/v1/complaints/{reference}/{action}/) until
``--duration`` has passed. Prints actions/s and latency, then the pipeline's figures
(``benchmarks/pipeline.py``): notices delivered, backlog, drain time, end-to-end actions/s,
transactions and CPU per action.

    .venv/bin/python benchmarks/workflow.py \\
        --database-url postgres://postgres@127.0.0.1:5432/ip_bench_workflow \\
        --broker-url redis://127.0.0.1:6379/4 --workers 4 --clients 20 --duration 20
"""

import argparse
import http.client
import json
import os
import queue
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gunicorn_server
import http_load
import intake
from pipeline import Pipeline

USERNAME, PASSWORD = "bench_handler", "bench-handler-password-1"
STEPS = (
    ("accept", {}),
    ("find_founded", {"note": "经核实，投诉事项属实。"}),
    ("determine_breach", {"severity": "general", "facts": "逾期未整改，认定违约失信。"}),
)


def prepare(args) -> list[str]:
    """Migrate, make the handler, and top the routed complaints up to ``--complaints``; return
    their references (oldest first)."""
    intake.database_create_if_missing(args.database_url)
    os.environ.update(intake.server_env(args))
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from agencies.models import Agency, User
    from complaints.models import Complaint, Notification
    from complaints.services.intake import complaint_submit

    supervisor, _ = Agency.objects.get_or_create(
        name="基准测试主管部门", defaults={"kind": "department"}
    )
    respondents = list(Agency.objects.filter(supervisor=supervisor).values_list("id", flat=True))
    if len(respondents) < 50:
        Agency.objects.bulk_create(
            [
                Agency(name=f"基准测试被投诉单位{i}", kind="institution", supervisor=supervisor)
                for i in range(len(respondents), 50)
            ]
        )
        respondents = list(
            Agency.objects.filter(supervisor=supervisor).values_list("id", flat=True)
        )
    if not User.objects.filter(username=USERNAME).exists():
        User.objects.create_user(
            username=USERNAME, password=PASSWORD, agency=supervisor, role="handler"
        )
    routed = Complaint.objects.filter(handling_agency=supervisor, status="routed")
    missing = args.complaints - routed.count()
    for i in range(max(missing, 0)):
        complaint_submit(
            data={
                "complainant_type": "individual",
                "complainant_name": f"张三{i}",
                "contact_name": "张三",
                "contact_phone": f"139{i % 100_000_000:08d}",
                "contact_email": f"c{i}@example.invalid",
                "respondent_agency": respondents[i % len(respondents)],
                "domain": "procurement",
                "title": f"工程款拖欠 {time.time_ns()}-{i}",
                "description": "学校维修工程验收合格后至今未支付工程款。" * 5,
            }
        )
    # The receipts of the set-up are not the workflow's: count them as delivered.
    Notification.objects.filter(sent_at__isnull=True).update(sent_at=django.utils.timezone.now())
    references = list(routed.order_by("id").values_list("reference", flat=True))
    from django.db import connections

    connections.close_all()
    return references


def token(args) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/auth/token/",
        body=json.dumps({"username": USERNAME, "password": PASSWORD}),
        headers={"Content-Type": "application/json"},
    )
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return body["token"]


def client_loop(args, key, work: queue.Queue, stop_at) -> http_load.Tally:
    """One handler's client: takes complaints off ``work`` and walks each through ``STEPS``."""
    client = http_load.KeepAliveClient(
        args.port, headers={"Content-Type": "application/json", "Authorization": f"Token {key}"}
    )
    while time.monotonic() < stop_at:
        try:
            reference = work.get_nowait()
        except queue.Empty:
            break
        for action, body in STEPS:
            if time.monotonic() >= stop_at:
                break
            client.request(
                "POST",
                f"/api/v1/complaints/{reference}/{action}/",
                body=json.dumps(body, ensure_ascii=False).encode(),
            )
    client.close()
    return client.tally


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--port", type=int, default=18732)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--complaints", type=int, default=1500, help="routed complaints ready")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    parser.add_argument(
        "--sample-backlog",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="sample the backlog this often during the load and say whether it grows",
    )
    args = parser.parse_args()
    args.app, args.worker_class, args.threads = "portal", "sync", 1

    references = prepare(args)
    work: queue.Queue = queue.Queue()
    for reference in references:
        work.put(reference)
    server = intake.start_gunicorn(args)
    pipeline = Pipeline(
        env=intake.server_env(args),
        database_url=args.database_url,
        concurrency=args.worker_concurrency,
        drain_timeout=args.drain_timeout,
    )
    pipeline.start()
    try:
        key = token(args)

        def load() -> int:
            stop_at = time.monotonic() + args.duration
            results, wall = http_load.run_clients(
                args.clients, lambda _n: client_loop(args, key, work, stop_at)
            )
            print(
                f"workflow: gunicorn {args.workers} x sync, {args.clients} clients (Python "
                f"threads, sharing the cores), {wall:.1f} s, cores: {os.cpu_count()}"
            )
            print(
                f"actions: {results.ok} ({results.ok / wall:.1f}/s); "
                f"errors: {results.errors} {results.statuses}"
            )
            if results.latencies:
                print(http_load.latency_line(results.latencies))
            if work.empty():
                print("note: every prepared complaint was used; raise --complaints")
            return results.ok

        pipeline.measure(
            load,
            server_pid=server.pid,
            item="action",
            stop_servers=lambda: gunicorn_server.stop(server),
            sample_every=args.sample_backlog,
        )
    finally:
        pipeline.stop()
        gunicorn_server.stop(server)


if __name__ == "__main__":
    main()
