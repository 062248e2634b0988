"""Sharing benchmarks (issue targets: a reader drains the change feed at >= 5,000 changes/s;
webhook delivery to a local receiver answering in 5 ms at >= 500 deliveries/s on one worker).

Needs PostgreSQL (DATABASE_URL) with the schema migrated; it empties the sharing tables of
that database first, so point it at a benchmark database only.

    DATABASE_URL=postgres://…/bench .venv/bin/python benchmarks/sharing.py \
        --changes 200000 --deliveries 3000 --subscriptions 8

- feed: N changes inserted unnumbered (as writers leave them), numbered by the sequencer, then
  read through ``GET /api/v1/changes/?limit=1000`` (the whole Django + DRF stack, in process)
  until ``next`` stops moving;
- webhooks: S subscriptions × D/S changes fanned out, delivered by ``webhooks_deliver`` (one
  process, ``WEBHOOK_DELIVERY_THREADS`` subscriptions at once) to a threaded local receiver that
  sleeps 5 ms per request.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integrity_portal.settings")
os.environ.setdefault("ALLOWED_HOSTS", "*")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from agencies.models import User  # noqa: E402
from sharing.models import WebhookSubscription  # noqa: E402
from sharing.services.changes import changes_sequence  # noqa: E402
from sharing.services.webhooks import webhooks_deliver, webhooks_fan_out  # noqa: E402


def reset():
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE sharing_webhookattempt, sharing_webhookdelivery, sharing_webhooksubscription,"
            " sharing_change RESTART IDENTITY CASCADE"
        )


def insert_changes(n: int):
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO sharing_change (entity, object_id, action, data, at)"
            " SELECT 'credit_record', g, 'created',"
            " jsonb_build_object('id', g, 'agency', g %% 1000, 'kind', 'breach',"
            " 'status', 'active', 'decided_on', '2026-05-20', 'source', 'court',"
            " 'source_ref', 'R-' || g), now() FROM generate_series(1, %s) g",
            [n],
        )


def bench_feed(n: int):
    reset()
    insert_changes(n)
    started = time.perf_counter()
    numbered = changes_sequence()
    seq_s = time.perf_counter() - started
    user = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", "root@example.invalid", "bench-root-pass-1"
    )
    client = Client()
    client.force_login(user)
    started, after, read = time.perf_counter(), "", 0
    while True:
        body = client.get("/api/v1/changes/", {"after": after, "limit": 1000}).json()
        read += len(body["results"])
        if not body["results"]:
            break
        after = body["next"]
    drain_s = time.perf_counter() - started
    assert read == n, (read, n)
    print(
        f"feed: sequenced {numbered} in {seq_s:.2f}s ({numbered / seq_s:,.0f}/s); "
        f"drained {read} in {drain_s:.2f}s ({read / drain_s:,.0f} changes/s)"
    )


def bench_webhooks(deliveries: int, subscriptions: int):
    reset()
    # The receiver runs in its own process, so it does not share this one's interpreter lock.
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sharing.receiver", "0.005"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    try:
        for i in range(subscriptions):
            WebhookSubscription.objects.create(
                url=url, secret="x" * 40, entities=["credit_record"], name=f"b{i}"
            )
        insert_changes(deliveries // subscriptions)
        changes_sequence()
        started = time.perf_counter()
        queued = webhooks_fan_out()
        fan_s = time.perf_counter() - started
        started, sent = time.perf_counter(), 0
        while sent < queued:
            got = webhooks_deliver(claim=subscriptions, max_per_subscription=1000)
            if not got:
                break
            sent += got
        send_s = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"webhooks: fanned out {queued} in {fan_s:.2f}s; delivered {sent} to "
        f"{subscriptions} subscriptions in {send_s:.2f}s ({sent / send_s:,.0f} deliveries/s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--subscriptions", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL")
    bench_feed(args.changes)
    bench_webhooks(args.deliveries, args.subscriptions)
    reset()
