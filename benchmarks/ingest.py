"""Ingestion benchmark: complaint outcome events → credit records on one worker process.

Creates the PostgreSQL database ``ip_credit_bench`` (dropped at the end), migrates it, writes
``--events`` outcome events (breach determinations, rectified and settled closures, and a few
reopens of breaches) for ``--agencies`` agencies, then runs the consumer in this one process
the way a worker runs it: ``complaint_events_ingest`` over batches of ``--batch`` event ids
(a worker's drain takes batches of 100, ``ingestion_drain.BATCH_SIZE``). Prints events/s,
then replays every event and shows that nothing changed (same record, event and outbox
counts and record rows).

Downstream apps subscribed to ``agency_records_changed`` (the sanctions reconcile enqueue)
run in the same process, as they would in the worker; ``--no-downstream`` disconnects them to
measure the consumer alone.

With ``--broker-url`` the score recompute that ingestion triggers is published to Redis (as in
production, where another task runs it); without it, it runs inline after each batch (the
embedded set-up), which the figure then includes.

    .venv/bin/python benchmarks/ingest.py --events 50000
    .venv/bin/python benchmarks/ingest.py --events 50000 --broker-url redis://127.0.0.1:6379/6
"""

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_database import scratch_database  # noqa: E402 — the benchmarks' own, beside this

DB_NAME = "ip_credit_bench"


def generate(n_events: int, n_agencies: int) -> list[int]:
    """Insert agencies, complaints and their outcome events; return the event ids."""
    from django.db import transaction
    from django.utils import timezone

    from agencies.models import Agency
    from complaints.models import Complaint, ComplaintEvent

    rng = random.Random(42)
    now = timezone.now()
    with transaction.atomic():
        Agency.objects.bulk_create(
            [Agency(name=f"基准机构{i}", kind="department") for i in range(n_agencies)],
            batch_size=1000,
        )
    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    reopen_every = 20  # one breach in 20 is reopened (an extra event)
    n_complaints = int(n_events / (1 + 0.6 / reopen_every))
    made = 0
    while made < n_complaints:
        chunk = min(5000, n_complaints - made)
        with transaction.atomic():
            complaints = Complaint.objects.bulk_create(
                [
                    Complaint(
                        reference=f"2026-B{made + i:08d}",
                        access_code_hash="0" * 64,
                        status="breach",
                        complainant_type="individual",
                        complainant_name="张三",
                        contact_name="张三",
                        contact_phone="13800000000",
                        respondent_agency_id=rng.choice(agency_ids),
                        domain="payment_arrears",
                        title="拖欠工程款",
                        description="基准数据",
                        submitted_at=now,
                    )
                    for i in range(chunk)
                ],
                batch_size=1000,
            )
            events = []
            for index, complaint in enumerate(complaints):
                roll = rng.random()
                if roll < 0.6:
                    events.append(
                        ComplaintEvent(
                            complaint=complaint,
                            seq=1,
                            action="determine_breach",
                            from_status="rectifying",
                            to_status="breach",
                            data={
                                "severity": rng.choice(["minor", "general", "serious"]),
                                "facts": "拒不整改",
                            },
                            created_at=now,
                            hash=hashlib.sha256(complaint.reference.encode()).hexdigest(),
                        )
                    )
                    if (made + index) % reopen_every == 0:
                        events.append(
                            ComplaintEvent(
                                complaint=complaint,
                                seq=2,
                                action="reopen",
                                from_status="breach",
                                to_status="verifying",
                                data={"reason": "重新核查"},
                                created_at=now,
                                hash="1" * 64,
                            )
                        )
                else:
                    to_status = "rectified" if roll < 0.9 else "settled"
                    events.append(
                        ComplaintEvent(
                            complaint=complaint,
                            seq=1,
                            action="record_rectified"
                            if to_status == "rectified"
                            else "record_settlement",
                            from_status="rectifying",
                            to_status=to_status,
                            note="已履约",
                            created_at=now,
                            hash="2" * 64,
                        )
                    )
            ComplaintEvent.objects.bulk_create(events, batch_size=1000)
        made += chunk
    return list(ComplaintEvent.objects.order_by("pk").values_list("pk", flat=True))


def state():
    from credit_records.models import AgencyRecordChange, CreditRecord, CreditRecordEvent

    rows = CreditRecord.objects.order_by("pk").values_list("pk", "status", "source_ref")
    digest = hashlib.sha256()
    for row in rows.iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    return {
        "records": CreditRecord.objects.count(),
        "revoked": CreditRecord.objects.filter(status="revoked").count(),
        "record_events": CreditRecordEvent.objects.count(),
        "outbox": AgencyRecordChange.objects.count(),
        "digest": digest.hexdigest()[:16],
    }


def run(event_ids: list[int], batch: int) -> tuple[float, int]:
    from credit_records.services.ingestion import complaint_events_ingest

    created = 0
    start = time.perf_counter()
    for i in range(0, len(event_ids), batch):
        created += complaint_events_ingest(event_ids=event_ids[i : i + batch]).created
    return time.perf_counter() - start, created


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--agencies", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--broker-url", default="")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--no-downstream",
        action="store_true",
        help="disconnect other apps' receivers of agency_records_changed (the sanctions "
        "reconcile enqueue) to measure the consumer alone",
    )
    args = parser.parse_args()

    with scratch_database(DB_NAME, broker_url=args.broker_url, keep=args.keep):
        if args.no_downstream:
            from credit_records.signals import agency_records_changed

            agency_records_changed.receivers.clear()
            agency_records_changed.sender_receivers_cache.clear()
        t0 = time.perf_counter()
        event_ids = generate(args.events, args.agencies)
        print(f"generated {len(event_ids)} outcome events in {time.perf_counter() - t0:.1f}s")
        mode = (
            "score recompute published to the broker"
            if args.broker_url
            else ("score recompute inline (embedded)")
        )
        downstream = "disconnected" if args.no_downstream else "connected"
        print(
            f"consumer: batches of {args.batch} event ids, one process ({mode}; "
            f"downstream receivers {downstream})"
        )

        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            elapsed, _created = run(event_ids, args.batch)
            profiler.disable()
            profiler.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            elapsed, _created = run(event_ids, args.batch)
        after_first = state()
        print(
            f"ingest: {len(event_ids)} events in {elapsed:.2f}s = "
            f"{len(event_ids) / elapsed:,.0f} events/s; records {after_first['records']} "
            f"(revoked {after_first['revoked']}), record events {after_first['record_events']}, "
            f"outbox rows {after_first['outbox']}"
        )
        shuffled = list(event_ids)
        random.Random(7).shuffle(shuffled)
        elapsed, created_again = run(shuffled, args.batch)
        after_replay = state()
        print(
            f"replay (shuffled): {len(event_ids)} events in {elapsed:.2f}s = "
            f"{len(event_ids) / elapsed:,.0f} events/s; created {created_again}; "
            f"state unchanged: {after_replay == after_first}"
        )
        if after_replay != after_first:
            print("REPLAY CHANGED STATE", after_first, after_replay)
            sys.exit(1)


if __name__ == "__main__":
    main()
