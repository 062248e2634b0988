"""Ingestion sweep benchmark: the beat's ``events_sweep`` over a long consumed history.

Creates the PostgreSQL database ``ip_sweep_bench`` (dropped at the end), migrates it, writes
``--consumed`` breach events already consumed (their ``ConsumedComplaintEvent`` rows, no
records: the sweep never reads those) and ``--other`` events that are not outcomes, then
times the sweep the way beat runs it (one process, downstream receivers disconnected):

- the first sweep, with ``--unconsumed`` new outcome events at the head of the log;
- ``--runs`` times: ``--unconsumed`` more events, then one sweep (median and max);
- ``--runs`` idle sweeps, nothing to consume (the every-minute cost; median and max).

With ``--explain`` it prints EXPLAIN (ANALYZE, BUFFERS) of the sweep's claim statement.

    .venv/bin/python benchmarks/sweep.py --consumed 200000 --unconsumed 10 --explain
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_database import scratch_database  # noqa: E402 — the benchmarks' own, beside this

DB_NAME = "ip_sweep_bench"
COMPLAINTS = 1000


def generate(consumed: int, other: int) -> None:
    """Agencies, complaints and the event history, in set-based SQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency
    from complaints.models import Complaint

    now = timezone.now()
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            [Agency(name=f"基准机构{i}", kind="department") for i in range(100)]
        )
        Complaint.objects.bulk_create(
            [
                Complaint(
                    reference=f"2026-S{i:08d}",
                    access_code_hash="0" * 64,
                    status="breach",
                    complainant_type="individual",
                    complainant_name="张三",
                    contact_name="张三",
                    contact_phone="13800000000",
                    respondent_agency_id=agencies[i % len(agencies)].pk,
                    domain="procurement",
                    title="拒不履约",
                    description="基准数据",
                    submitted_at=now,
                )
                for i in range(COMPLAINTS)
            ],
            batch_size=1000,
        )
    with connection.cursor() as cursor:
        # Interleaved as in a real log: every step of a case is an event, outcomes are a few.
        cursor.execute(
            "CREATE TEMP TABLE bench_kinds AS SELECT g AS n, "
            " CASE WHEN g <= %s THEN 'breach' ELSE 'other' END AS kind "
            "FROM generate_series(1, %s) g ORDER BY random()",
            [consumed, consumed + other],
        )
        cursor.execute(
            "INSERT INTO complaints_complaintevent (complaint_id, seq, action, from_status,"
            " to_status, actor_kind, is_public, message, note, data, created_at, prev_hash,"
            " hash) "
            "SELECT (SELECT min(id) FROM complaints_complaint) + n %% %s, 1000 + n,"
            " CASE kind WHEN 'breach' THEN 'determine_breach' ELSE 'accept' END,"
            " CASE kind WHEN 'breach' THEN 'rectifying' ELSE 'routed' END,"
            " CASE kind WHEN 'breach' THEN 'breach' ELSE 'verifying' END,"
            " 'staff', true, '', '', '{\"severity\": \"general\", \"facts\": \"拒不整改\"}',"
            " %s, '', repeat('0', 64) "
            "FROM bench_kinds ORDER BY random()",
            [COMPLAINTS, now],
        )
        cursor.execute(
            "INSERT INTO credit_records_consumedcomplaintevent (event_id, consumed_at) "
            "SELECT id, %s FROM complaints_complaintevent WHERE to_status = 'breach'",
            [now],
        )
        cursor.execute("DROP TABLE bench_kinds")


def add_unconsumed(count: int) -> None:
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_complaintevent (complaint_id, seq, action, from_status,"
            " to_status, actor_kind, is_public, message, note, data, created_at, prev_hash,"
            " hash) "
            "SELECT (SELECT min(id) FROM complaints_complaint) + g %% %s,"
            " (SELECT max(seq) FROM complaints_complaintevent) + g, 'determine_breach',"
            " 'rectifying', 'breach', 'staff', true, '', '',"
            ' \'{"severity": "general", "facts": "拒不整改"}\', %s, \'\', repeat(\'1\', 64) '
            "FROM generate_series(1, %s) g",
            [COMPLAINTS, timezone.now(), count],
        )


def timed_sweep() -> tuple[float, int]:
    from credit_records.services.ingestion_drain import events_sweep

    start = time.perf_counter()
    consumed = events_sweep()
    return time.perf_counter() - start, consumed


def explain_claim(unconsumed: int) -> None:
    """EXPLAIN ANALYZE of the claim statement the sweep sends (captured, then explained in a
    transaction that is rolled back)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    add_unconsumed(unconsumed)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            timed_sweep()
        transaction.set_rollback(True)
    claim = next(q["sql"] for q in queries if "SKIP LOCKED" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + claim)
        print("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consumed", type=int, default=200_000)
    parser.add_argument("--other", type=int, default=0, help="events that are not outcomes")
    parser.add_argument("--unconsumed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    with scratch_database(DB_NAME, keep=args.keep):
        from django.db import connection

        from credit_records.signals import agency_records_changed

        # The sweep alone: what the records set off downstream is not its cost.
        agency_records_changed.receivers.clear()
        agency_records_changed.sender_receivers_cache.clear()
        t0 = time.perf_counter()
        generate(args.consumed, args.other)
        add_unconsumed(args.unconsumed)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"history: {args.consumed:,} consumed outcome events, {args.other:,} other events, "
            f"{args.unconsumed} unconsumed ({time.perf_counter() - t0:.1f}s)"
        )
        elapsed, consumed = timed_sweep()
        print(f"first sweep: consumed {consumed} in {elapsed * 1000:.1f} ms")
        with_new, idle = [], []
        for _ in range(args.runs):
            add_unconsumed(args.unconsumed)
            elapsed, consumed = timed_sweep()
            assert consumed == args.unconsumed, consumed
            with_new.append(elapsed)
        for _ in range(args.runs):
            elapsed, consumed = timed_sweep()
            assert consumed == 0, consumed
            idle.append(elapsed)
        for name, times in (
            (f"sweep with {args.unconsumed} new events", with_new),
            ("idle sweep", idle),
        ):
            print(
                f"{name}: median {statistics.median(times) * 1000:.1f} ms, "
                f"max {max(times) * 1000:.1f} ms ({args.runs} runs)"
            )
        if args.explain:
            explain_claim(args.unconsumed)


if __name__ == "__main__":
    main()
