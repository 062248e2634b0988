"""Sanctions reconcile benchmark: the nightly full reconcile of every agency (DESIGN section 10:
10k agencies < 30 s).

Creates the PostgreSQL database ``ip_sanctions_bench`` (dropped at the end), migrates it (the
default rules are seeded by the migration), inserts ``--agencies`` agencies and negative credit
records for ``--sanctioned`` of them (mixed kinds and severities, some with two records within
12 months), then times three full passes of ``sanctions.services.reconcile.reconcile_all`` —
the body of the nightly beat task — in this one process:

1. cold: every required sanction is imposed (with basis records and notice tasks);
2. steady: nothing changed, nothing is written (the nightly case);
3. after repairs: 20% of the records were repaired, their sanctions are lifted.

    .venv/bin/python benchmarks/reconcile.py
    .venv/bin/python benchmarks/reconcile.py --agencies 10000 --sanctioned 0.3 --batch 500
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_database import scratch_database  # noqa: E402 — the benchmarks' own, beside this

DB_NAME = "ip_sanctions_bench"
TARGET_SECONDS = 30.0


def generate(n_agencies: int, share: float) -> int:
    from django.db import transaction

    from agencies.models import Agency
    from credit_records.choices import POLARITY_OF_KIND
    from credit_records.models import CreditRecord
    from credit_records.publicity import publicity_dates

    rng = random.Random(42)
    with transaction.atomic():
        Agency.objects.bulk_create(
            [Agency(name=f"基准机构{i}", kind="department") for i in range(n_agencies)],
            batch_size=2000,
        )
    ids = list(Agency.objects.values_list("pk", flat=True))
    sanctioned = rng.sample(ids, int(len(ids) * share))
    kinds = ["breach", "breach", "arrears", "arrears", "dishonest_debtor", "policy_unfulfilled"]
    severities = ["minor", "general", "general", "general", "serious"]
    today = datetime.date.today()
    rows, n = [], 0
    for agency_id in sanctioned:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kind = rng.choice(kinds)
            severity = rng.choice(severities)
            decided_on = today - datetime.timedelta(days=rng.randint(1, 300))
            eligible, ends = publicity_dates(severity=severity, decided_on=decided_on)
            rows.append(
                CreditRecord(
                    agency_id=agency_id,
                    kind=kind,
                    polarity=POLARITY_OF_KIND[kind],
                    severity=severity,
                    facts="基准数据",
                    decided_on=decided_on,
                    source="court",
                    source_ref=f"BENCH-{n}",
                    status="active",
                    repair_eligible_on=eligible,
                    publicity_ends=ends,
                )
            )
            n += 1
    with transaction.atomic():
        CreditRecord.objects.bulk_create(rows, batch_size=2000)
    return n


def counts() -> dict:
    from sanctions.models import OfficeTask, Sanction

    return {
        "active": Sanction.objects.filter(status="active").count(),
        "lifted": Sanction.objects.filter(status="lifted").count(),
        "tasks": OfficeTask.objects.count(),
    }


def timed(label: str, n_agencies: int, batch: int) -> float:
    from sanctions.services.reconcile import reconcile_all

    start = time.perf_counter()
    changed = reconcile_all(batch_size=batch)
    elapsed = time.perf_counter() - start
    verdict = "OK" if elapsed < TARGET_SECONDS else "OVER TARGET"
    print(
        f"{label:<15} {n_agencies} agencies in {elapsed:6.2f}s "
        f"({n_agencies / elapsed:,.0f} agencies/s), imposed+lifted {changed:>6} "
        f"→ {counts()}  [{verdict}: < {TARGET_SECONDS:.0f}s]"
    )
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--sanctioned", type=float, default=0.3, help="share with records")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    with scratch_database(DB_NAME, keep=args.keep):
        from django.db import connection

        t0 = time.perf_counter()
        n_records = generate(args.agencies, args.sanctioned)
        print(
            f"generated {args.agencies} agencies, {n_records} negative records "
            f"in {time.perf_counter() - t0:.1f}s; batches of {args.batch} agencies"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timed("cold (impose)", args.agencies, args.batch)
        timed("steady (no-op)", args.agencies, args.batch)

        from credit_records.models import CreditRecord

        ids = list(CreditRecord.objects.values_list("pk", flat=True))
        repaired = random.Random(3).sample(ids, len(ids) // 5)
        CreditRecord.objects.filter(pk__in=repaired).update(status="repaired")
        timed("after repairs", args.agencies, args.batch)


if __name__ == "__main__":
    main()
