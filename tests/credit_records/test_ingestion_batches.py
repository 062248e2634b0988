"""Outcome events are ingested in batches: claim, mark and write a batch in a fixed number of
statements; a failing event is retried alone and holds back nobody; two workers draining at
once consume each event exactly once."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import ComplaintEvent
from credit_records.models import (
    ComplaintEventIngestFailure,
    ConsumedComplaintEvent,
    CreditRecord,
)
from credit_records.services import ingestion
from credit_records.services.ingestion_drain import (
    events_drain,
    events_ingest_batch,
    events_sweep,
)
from credit_records.tasks import drain_complaint_events
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

# One batch, whatever its size: claim (SELECT … FOR NO KEY UPDATE SKIP LOCKED), mark (INSERT
# … ON CONFLICT), read the events, insert the records, their events, the change outbox, read
# the records for the sharing feed and insert its entries; plus the SAVEPOINT / RELEASE the
# test's own transaction adds (outside a test the batch's transaction is BEGIN … COMMIT).
BATCH_STATEMENTS = 10
# SQLite (embedded) binds at most 999 parameters per statement, so Django splits the records'
# and the feed's INSERT of a batch of 100 in two; PostgreSQL sends each as one statement.
SQLITE_SPLITS_AT_100 = 2


def outcome_events(count: int, *, complaints: int = 5) -> list[int]:
    """``count`` breach events written as the workflow commits them, without its signal (so
    nothing consumes them before the test does)."""
    now = timezone.now()
    owners = [ComplaintFactory(domain="procurement") for _ in range(complaints)]
    events = [
        ComplaintEvent(
            complaint=owners[i % complaints],
            seq=100 + i,
            action="determine_breach",
            from_status="rectifying",
            to_status="breach",
            data={"severity": "general", "facts": "拒不整改"},
            created_at=now,
            hash=f"{i:064d}",
        )
        for i in range(count)
    ]
    return [event.pk for event in ComplaintEvent.objects.bulk_create(events)]


@pytest.mark.parametrize("size", [10, 100])
def test_a_batch_costs_the_same_statements_whatever_its_size(size):
    ids = outcome_events(size)
    with CaptureQueriesContext(connection) as queries:
        claimed, result = events_ingest_batch(limit=100)
    assert (claimed, result.created) == (size, size)
    expected = BATCH_STATEMENTS
    if connection.vendor == "sqlite" and size == 100:
        expected += SQLITE_SPLITS_AT_100
    assert len(queries) == expected, "\n".join(q["sql"][:60] for q in queries)
    assert set(ConsumedComplaintEvent.objects.values_list("event_id", flat=True)) == set(ids)
    with CaptureQueriesContext(connection) as queries:
        assert events_ingest_batch(limit=100)[0] == 0  # nothing left: the claim alone
    assert len(queries) == 3  # SAVEPOINT, claim, RELEASE


def test_a_failing_event_is_retried_alone_and_holds_back_nobody(monkeypatch, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ids = outcome_events(20)
    bad = ids[7]
    real_record_of = ingestion._record_of

    def record_of(event):
        if event.pk == bad:
            raise ValueError("unreadable determination")
        return real_record_of(event)

    monkeypatch.setattr(ingestion, "_record_of", record_of)
    assert events_drain() == 19
    assert CreditRecord.objects.count() == 19
    assert not ConsumedComplaintEvent.objects.filter(event_id=bad).exists()
    failure = ComplaintEventIngestFailure.objects.get()
    assert (failure.event_id, failure.attempts) == (bad, 1)
    assert "unreadable determination" in failure.last_error
    assert failure.retry_at == timezone.now() + datetime.timedelta(minutes=1)
    # The drain no longer picks it; the sweep waits for its retry time.
    assert events_drain() == 0
    assert events_sweep() == 0
    assert ComplaintEventIngestFailure.objects.get().attempts == 1
    time_machine.shift(datetime.timedelta(minutes=1))
    assert events_sweep() == 0  # still failing: retried alone, backoff doubles
    failure.refresh_from_db()
    assert failure.attempts == 2
    assert failure.retry_at == timezone.now() + datetime.timedelta(minutes=2)
    monkeypatch.setattr(ingestion, "_record_of", real_record_of)
    time_machine.shift(datetime.timedelta(minutes=2))
    assert events_sweep() == 1
    assert not ComplaintEventIngestFailure.objects.exists()
    assert CreditRecord.objects.count() == 20
    assert ConsumedComplaintEvent.objects.count() == 20


def test_the_drain_task_consumes_what_the_commits_left(eager_tasks):
    outcome_events(3)
    assert drain_complaint_events.delay().get() == 3
    assert CreditRecord.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_ingest_each_event_exactly_once():
    ids = outcome_events(600, complaints=6)
    barrier = threading.Barrier(2)
    created, errors = [], []

    def worker():
        try:
            barrier.wait()
            created.append(events_drain(batch=50))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(created) == 600
    assert ConsumedComplaintEvent.objects.count() == 600
    assert CreditRecord.objects.count() == 600
    per_event = CreditRecord.objects.values("source_ref").annotate(n=Count("pk"))
    assert {row["n"] for row in per_event} == {1}
    assert set(ConsumedComplaintEvent.objects.values_list("event_id", flat=True)) == set(ids)
