"""CPU per request of the two high-rate endpoints, in this process, without an HTTP server.

The HTTP benchmarks (``intake.py``, ``credit_check.py``) measure what DESIGN section 10 asks,
but on a shared 2-core machine their figures move by 20% from one run to the next. This
script calls Django's WSGI handler directly (the whole middleware stack, DRF, the services,
real PostgreSQL and Redis) and prints the process's CPU time per request and that of the
PostgreSQL server process behind its connection (so the database must run on this machine):
the figures to compare before and after a change. ``--instructions`` counts instructions per
request under valgrind instead, a figure that hardly moves between runs (``instructions.py``).
``--profile`` prints the cProfile top (which inflates call-heavy code; read it for shape, not
for milliseconds).

    .venv/bin/python benchmarks/request_cpu.py intake \\
        --database-url postgres://postgres@127.0.0.1:5432/ip_bench_intake \\
        --broker-url redis://127.0.0.1:6379/4 --requests 1000
    .venv/bin/python benchmarks/request_cpu.py credit-check \\
        --database-url postgres://postgres@127.0.0.1:5432/ip_perf_cc \\
        --redis-url redis://127.0.0.1:6379/13 --requests 3000

``intake`` prepares its database as ``intake.py`` does (migrate, 200 respondents); with a
broker the receipts' drain is published, not run. ``credit-check`` needs a database left by
``credit_check.py --keep`` (agencies, sanctions and the benchmark account); it fills every
agency's cache entry first, as in that benchmark's steady state.
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def environ(method: str, path: str, *, query: str = "", body: bytes = b"", **headers) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    env.update(headers)
    return env


def intake_requests(respondents):
    from intake import uscc

    code, counter, rng = uscc(1000), itertools.count(), random.Random(1)
    stamp = time.time_ns()

    def make():
        n = next(counter)
        body = {
            "complainant_type": "enterprise",
            "complainant_name": f"基准测试建设有限公司{n}",
            "complainant_uscc": code,
            "contact_name": "张三",
            "contact_phone": f"139{n % 100_000_000:08d}",
            "contact_email": f"c{n}@example.invalid",
            "respondent_agency": rng.choice(respondents),
            "domain": "payment_arrears",
            "title": "工程款拖欠",
            "description": "学校维修工程验收合格后至今未支付工程款。" * 2,
            "contract_title": f"维修合同{stamp}-{n}",
            "contract_signed_on": "2024-03-01",
            "amount_involved": "385000.50",
        }
        raw = json.dumps(body, ensure_ascii=False).encode()
        return environ("POST", "/api/v1/complaints/", body=raw), "201"

    return make


def credit_check_requests():
    from credit_check import BENCH_USER, MEASURES
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency
    from sanctions.selectors import credit_check_state

    token = Token.objects.get(user__username=BENCH_USER).key
    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in agency_ids:
        credit_check_state(agency_id)
    rng = random.Random(1)

    def make():
        query = f"agency={rng.choice(agency_ids)}&measure={rng.choice(MEASURES)}&purpose=bench"
        env = environ(
            "GET", "/api/v1/credit-check/", query=query, HTTP_AUTHORIZATION=f"Token {token}"
        )
        return env, "200"

    return make


def database_backend_pid() -> int:
    """The PostgreSQL server process serving this process's (persistent) connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def run(app, make, count: int) -> None:
    statuses: list[str] = []

    def start_response(status, headers):
        statuses.append(status)

    for _ in range(count):
        env, expected = make()
        response = app(env, start_response)
        b"".join(response)
        response.close()
        if not statuses.pop().startswith(expected):
            raise SystemExit(f"unexpected answer (expected {expected})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint", choices=["intake", "credit-check"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order for --profile (e.g. tottime)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind (repeatable; see instructions.py)",
    )
    args = parser.parse_args()
    from cpu_share import process_cpu
    from instructions import counted, rerun_under_valgrind, under_valgrind

    if args.instructions and not under_valgrind():
        argv = [arg for arg in sys.argv if arg != "--instructions"]
        total = rerun_under_valgrind([*argv, "--instructions"])
        print(
            f"{args.endpoint}: {total / args.requests / 1e6:.3f} M instructions per request "
            f"in this process ({args.requests} requests, callgrind)"
        )
        return

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "integrity_portal.settings",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": args.broker_url,
            "REDIS_URL": args.redis_url,
            "INTAKE_RATE_LIMIT": "",
            "DEBUG": "false",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    if args.endpoint == "intake":
        from intake import prepare_database

        respondents = prepare_database(args)  # also sets up Django
        make = intake_requests(respondents)
    else:
        import django

        django.setup()
        make = credit_check_requests()
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    run(app, make, 100)  # warm-up: connections, caches, lazily built fields
    if args.instructions:  # the child under valgrind: count the measured loop only
        with counted():
            run(app, make, args.requests)
        return
    backend = database_backend_pid()
    database_cpu = process_cpu(backend)
    cpu, wall = time.process_time(), time.perf_counter()
    run(app, make, args.requests)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    database_cpu = process_cpu(backend) - database_cpu
    print(
        f"{args.endpoint}: {args.requests} requests, CPU {1000 * cpu / args.requests:.2f} ms "
        f"and wall {1000 * wall / args.requests:.2f} ms per request in this process; "
        f"PostgreSQL backend CPU {1000 * database_cpu / args.requests:.2f} ms per request"
    )
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        run(app, make, args.requests)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(30)


if __name__ == "__main__":
    main()
