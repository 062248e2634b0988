"""Load a city-sized data set into PostgreSQL with COPY: agencies, staff, complaints.

10,000 agencies (1,000 supervising departments, 9,000 respondents each under one of them),
one handler per department, a credit officer, and ``--complaints`` complaints (default 1M;
~90 % open, spread over every workflow state, with due dates around "now" so the queue and
the deadline sweep have realistic work). Cases already overdue are marked supervised (and
escalated after a second period) and reminders for cases due soon are marked claimed — the
steady state of a deployment whose beat job runs every 10 minutes — plus ``--fresh`` cases of
new work for each sweep.

    createdb -h 127.0.0.1 -U postgres ip_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ip_scale \\
        .venv/bin/python benchmarks/scale_generate.py --complaints 1000000

Prints the time of each step. Uses a separate database; drop it when done (``dropdb ip_scale``).
"""

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SUPERVISORS = 1000
AGENCIES = 10_000
CHUNK = 100_000
PASSWORD = "bench-password-123"

OPEN = [
    ("pending_routing", 2),
    ("routed", 20),
    ("verifying", 35),
    ("rectifying", 25),
    ("negotiating", 5),
    ("litigation", 3),
]
CLOSED = ["unfounded", "rectified", "settled", "breach", "dismissed", "rejected", "withdrawn"]
DOMAINS = [
    "procurement",
    "bidding",
    "investment_attraction",
    "ppp",
    "industrial_support",
    "government_investment",
    "payment_arrears",
    "policy_fulfilment",
    "other",
]
TIMED = {"routed", "verifying", "rectifying"}
HASH = "0" * 64


def ts(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def copy(table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(row))
        buf.write("\n")
    buf.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buf
        )


def agencies(now: dt.datetime) -> None:
    # Respondents spread over the seeded counties, so the evaluation's region grouping has work.
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM agencies_region WHERE level = 'county' ORDER BY code")
        counties = [code for (code,) in cursor.fetchall()] or ["\\N"]
    rows = []
    for i in range(1, AGENCIES + 1):
        supervisor = "\\N" if i <= SUPERVISORS else str(1 + (i % SUPERVISORS))
        name = f"主管部门{i}" if i <= SUPERVISORS else f"被投诉单位{i}"
        # Departments (the credit officer's among them) city-wide: no region, all in scope.
        region = "\\N" if i <= SUPERVISORS else counties[i % len(counties)]
        rows.append(
            [str(i), name, "\\N", "department", region, supervisor, "t", ts(now), ts(now), ""]
        )
    copy(
        "agencies_agency",
        [
            "id",
            "name",
            "uscc",
            "kind",
            "region_id",
            "supervisor_id",
            "is_active",
            "created_at",
            "updated_at",
            "name_initials",
        ],
        rows,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('agencies_agency', 'id'), %s)", [AGENCIES]
        )


def staff() -> None:
    from django.contrib.auth.hashers import make_password

    from agencies.models import User

    password = make_password(PASSWORD)
    users = [
        User(username=f"handler{i}", password=password, agency_id=i, role="handler")
        for i in range(1, SUPERVISORS + 1)
    ]
    users.append(User(username="officer", password=password, agency_id=1, role="credit_officer"))
    User.objects.bulk_create(users, batch_size=1000)


def complaint_rows(start: int, count: int, now: dt.datetime, rng: random.Random, claims: list):
    open_states = [s for s, w in OPEN for _ in range(w)]
    for n in range(start, start + count):
        respondent = rng.randint(SUPERVISORS + 1, AGENCIES)
        is_open = rng.random() < 0.9
        status = rng.choice(open_states) if is_open else rng.choice(CLOSED)
        handling = "\\N" if status == "pending_routing" else str(1 + (respondent % SUPERVISORS))
        submitted = now - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        started = due = supervised = escalated = closed = None
        if status in TIMED:
            started = now - dt.timedelta(minutes=rng.randint(0, 40 * 24 * 60))
            started = max(started, submitted)
            due = started + dt.timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 23))
            if due < now:
                supervised = due + dt.timedelta(hours=1)
                if due + (due - started) < now:
                    escalated = due + (due - started) + dt.timedelta(hours=1)
            elif due < now + dt.timedelta(days=5):
                claims.append((n, due))
        if not is_open:
            closed = submitted + dt.timedelta(days=rng.randint(1, 60))
        domain = rng.choice(DOMAINS)
        outcome = _outcomes(status, submitted, closed, rng)
        amount = f"{rng.randint(1, 5_000_000)}.00" if domain == "payment_arrears" else "\\N"
        yield [
            str(n),
            f"B{n:09d}",
            HASH,
            "web",
            status,
            "1",
            "enterprise",
            f"测试企业{n % 50000}有限公司",
            f"91330106{n:09d}X"[:18],
            "张三",
            f"139{n:08d}",
            "",
            "f",
            str(respondent),
            handling,
            "\\N",
            domain,
            f"{domain} 合同款项未履约 {n}",
            "合同约定的款项逾期未支付。",
            f"合同{n}",
            "\\N",
            amount,
            "",
            "\\N",
            "",
            "\\N",
            "",
            ts(started),
            ts(due),
            "\\N",
            ts(supervised),
            ts(escalated),
            ts(submitted),
            ts(closed),
            ts(now),
            *outcome,
            "",
            "0",
            "",
        ]


# The stage outcomes (``complaints.services.outcomes``), consistent with the status: the stages
# a case has passed were judged when they ended, mostly on time.
PAST_ACCEPTANCE = set(CLOSED) - {"rejected", "withdrawn"} | {"verifying", "rectifying",
    "negotiating", "litigation"}  # fmt: skip
PAST_VERIFICATION = PAST_ACCEPTANCE - {"verifying"}
FOUNDED = {"rectifying", "negotiating", "rectified", "settled", "breach"}


def _flag(rng: random.Random, p: float) -> str:
    return "t" if rng.random() < p else "f"


def _outcomes(status, submitted, closed, rng):
    routed = submitted + dt.timedelta(minutes=rng.randint(0, 3000))
    is_routed = status != "pending_routing"
    reopened = closed is not None and rng.random() < 0.02
    return [
        ts(routed if is_routed else None),
        _flag(rng, 0.9) if is_routed else "\\N",
        _flag(rng, 0.85) if status in PAST_ACCEPTANCE else "\\N",
        _flag(rng, 0.8) if status in PAST_VERIFICATION else "\\N",
        ts(routed + dt.timedelta(days=10) if status in FOUNDED else None),
        ts(closed),
        ts(closed + dt.timedelta(days=1) if reopened else None),
        str((closed - submitted).days * 5 // 7) if closed and status != "withdrawn" else "\\N",
    ]


COMPLAINT_COLUMNS = [
    "id", "reference", "access_code_hash", "channel", "status", "version", "complainant_type",
    "complainant_name", "complainant_uscc", "contact_name", "contact_phone", "contact_email",
    "consent_to_share_contact", "respondent_agency_id", "handling_agency_id", "registered_by_id",
    "domain", "title", "description", "contract_title", "contract_signed_on", "amount_involved",
    "remedy_sought", "duplicate_of_id", "severity", "rectification_due", "explanation",
    "stage_started_at", "due_at", "clock_paused_at", "supervised_at", "escalated_at",
    "submitted_at", "closed_at", "updated_at",
    "routed_at", "routed_on_time", "accepted_on_time", "verified_on_time", "founded_at",
    "first_closed_at", "reopened_at", "handling_workdays",
    "external_ref", "amount_cleared", "payment_term_warning",
]  # fmt: skip


def complaints(total: int, now: dt.datetime, fresh: int) -> None:
    rng = random.Random(20260401)
    claims: list = []
    for start in range(1, total + 1, CHUNK):
        count = min(CHUNK, total + 1 - start)
        t = time.perf_counter()
        copy(
            "complaints_complaint",
            COMPLAINT_COLUMNS,
            complaint_rows(start, count, now, rng, claims),
        )
        print(f"  complaints {start + count - 1:>9,} ({time.perf_counter() - t:.1f} s)", flush=True)
    # Steady state: reminders already sent for cases due soon, except ``fresh`` of them.
    keep_fresh = set(rng.sample(range(len(claims)), min(fresh, len(claims))))
    copy(
        "integrity_portal_sweepclaim",
        ["kind", "object_id", "at", "created_at"],
        (
            ["reminder", str(pk), ts(due), ts(now)]
            for i, (pk, due) in enumerate(claims)
            if i not in keep_fresh
        ),
    )
    # Fresh supervision work: ``fresh`` overdue cases not yet supervised.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET supervised_at = NULL, escalated_at = NULL "
            "WHERE id IN (SELECT id FROM complaints_complaint WHERE status = 'verifying' "
            "AND due_at < now() AND supervised_at IS NOT NULL ORDER BY id LIMIT %s)",
            [fresh],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('complaints_complaint', 'id'), %s)", [total]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--fresh", type=int, default=50, help="new work items per sweep kind")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs DATABASE_URL=postgres://… (a separate database, e.g. ip_scale)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE complaints_complaintevent, complaints_notification, complaints_complaint, "
            "integrity_portal_sweepclaim, integrity_portal_accesslog, "
            "authtoken_token, agencies_user CASCADE"
        )
        cursor.execute("TRUNCATE agencies_agency CASCADE")
    print(f"migrate + truncate {time.perf_counter() - started:.1f} s", flush=True)
    now = dt.datetime.now(dt.UTC)
    t = time.perf_counter()
    agencies(now)
    staff()
    print(f"10,000 agencies + 1,001 staff {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    complaints(args.complaints, now, args.fresh)
    print(f"{args.complaints:,} complaints {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
        cursor.execute("VACUUM ANALYZE agencies_agency")
        cursor.execute("VACUUM ANALYZE integrity_portal_sweepclaim")
    print(f"vacuum analyze {time.perf_counter() - t:.1f} s", flush=True)
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
