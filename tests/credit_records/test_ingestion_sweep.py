"""The beat sweep reads the complaint event log above a watermark: it finds what is left
without reading the consumed history, and an event that commits late (a lower id than
events already consumed) is still ingested."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import ComplaintEvent
from credit_records.models import (
    ComplaintEventWatermark,
    ConsumedComplaintEvent,
    CreditRecord,
)
from credit_records.services import ingestion
from credit_records.services.ingestion_drain import events_sweep
from tests.complaints.factories import ComplaintFactory
from tests.late_writer import LateWriter

from .test_ingestion_batches import outcome_events

pytestmark = pytest.mark.django_db

HISTORY = 400


def watermark() -> int:
    return ComplaintEventWatermark.objects.get().event_id


def consumed_history(count: int) -> list[int]:
    """``count`` outcome events consumed long ago (their claims only: the sweep never reads
    the records)."""
    ids = outcome_events(count)
    now = timezone.now()
    ConsumedComplaintEvent.objects.bulk_create(
        [ConsumedComplaintEvent(event_id=pk, consumed_at=now) for pk in ids]
    )
    return ids


def test_the_sweep_moves_the_watermark_over_what_it_consumed():
    ids = outcome_events(5)
    assert events_sweep() == 5
    assert watermark() == ComplaintEvent.objects.order_by("pk").last().pk >= max(ids)
    assert events_sweep() == 0
    more = outcome_events(3)
    assert events_sweep() == 3
    assert watermark() == max(more)
    assert CreditRecord.objects.count() == 8


def test_the_watermark_passes_a_failed_event_which_is_still_retried(monkeypatch, time_machine):
    import datetime

    time_machine.move_to(timezone.now(), tick=False)
    ids = outcome_events(4)
    real_record_of = ingestion._record_of

    def record_of(event):
        if event.pk == ids[1]:
            raise ValueError("unreadable determination")
        return real_record_of(event)

    monkeypatch.setattr(ingestion, "_record_of", record_of)
    assert events_sweep() == 3
    assert watermark() >= max(ids)  # the failure row has it: the retry does not need the log
    monkeypatch.setattr(ingestion, "_record_of", real_record_of)
    time_machine.shift(datetime.timedelta(minutes=1))
    assert events_sweep() == 1
    assert ConsumedComplaintEvent.objects.filter(event_id=ids[1]).exists()


def _claim_rows_read(sql: str) -> int:
    """Rows the claim statement reads from the event log and its claims (EXPLAIN ANALYZE,
    in a savepoint rolled back)."""
    read = 0

    def walk(node):
        nonlocal read
        if node.get("Relation Name") in (
            ComplaintEvent._meta.db_table,
            ConsumedComplaintEvent._meta.db_table,
        ):
            rows = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            rows += node.get("Rows Removed by Index Recheck", 0)
            read += rows * node["Actual Loops"]
        for child in node.get("Plans", []):
            walk(child)

    with transaction.atomic(), connection.cursor() as cursor:
        # The plan a long history gets (index range, a look-up per event: what EXPLAIN
        # shows with 200,000 consumed events, benchmarks/sweep.py); on a few hundred rows the
        # planner may prefer reading a whole table, cheap there, which would hide the range.
        for setting in ("enable_seqscan", "enable_mergejoin", "enable_hashjoin"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        transaction.set_rollback(True)
    walk(json.loads(plan)[0]["Plan"] if isinstance(plan, str) else plan[0]["Plan"])
    return read


@pytest.mark.postgres
def test_the_sweep_does_not_read_the_consumed_history():
    consumed_history(HISTORY)
    events_sweep()  # moves the watermark over the history
    new = outcome_events(5)
    with CaptureQueriesContext(connection) as queries:
        assert events_sweep() == 5
    claim = next(q["sql"] for q in queries if "SKIP LOCKED" in q["sql"])
    read = _claim_rows_read(claim)
    # The new events (with the other events of their complaints) and their claim look-ups,
    # not the history of 400: before the watermark the claim read all of it.
    assert read < HISTORY / 8, read
    assert set(new) <= set(ConsumedComplaintEvent.objects.values_list("event_id", flat=True))


def late_event(complaint, seq: int) -> LateWriter:
    """An outcome event written in a transaction that stays open until ``commit``."""

    def write() -> int:
        return ComplaintEvent.objects.create(
            complaint=complaint,
            seq=seq,
            action="determine_breach",
            from_status="rectifying",
            to_status="breach",
            data={"severity": "general", "facts": "拒不整改"},
            created_at=timezone.now(),
            hash="f" * 64,
        ).pk

    return LateWriter(write)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_after_higher_ids_were_consumed_is_still_ingested():
    outcome_events(3)
    assert events_sweep() == 3
    behind = watermark()
    complaint = ComplaintFactory(domain="procurement")

    late = late_event(complaint, seq=500)
    try:
        higher = outcome_events(4)
        assert min(higher) > late.row_id
        assert events_sweep() == 4  # the late event is not visible yet
        # Its transaction still writes to the log: the watermark stays below its id.
        assert watermark() < late.row_id
        assert watermark() >= behind

        # While a second writer is open, the first commits: the next sweep takes it, and
        # the head read while the first was open is final now, but not the second's.
        later = late_event(complaint, seq=501)
    finally:
        late.commit()
    try:
        assert events_sweep() == 1
        assert ConsumedComplaintEvent.objects.filter(event_id=late.row_id).exists()
        assert late.row_id <= watermark() < later.row_id
    finally:
        later.commit()
    assert events_sweep() == 1
    assert watermark() >= later.row_id
    assert ConsumedComplaintEvent.objects.count() == 3 + 4 + 2
    assert CreditRecord.objects.count() == 3 + 4 + 2
