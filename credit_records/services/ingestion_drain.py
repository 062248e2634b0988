"""Ingestion of outcome events in batches: the outbox shape of ``integrity_portal.outbox``
applied to the complaint event log (what an event becomes is ``ingestion``'s business).

A committed outcome event asks for one delayed drain per second and process
(``enqueue_drain_on_commit``), not one task per event. A drain takes batches, each one
transaction of a fixed number of statements whatever its size:

1. claim — one ``SELECT … FOR NO KEY UPDATE SKIP LOCKED`` of up to ``limit`` recent outcome
   events that nobody consumed and that never failed, oldest first. Two workers draining at
   once skip each other's rows instead of waiting for them (``NO KEY`` so the claim does not
   block the inserts that reference the event);
2. mark — the ``ConsumedComplaintEvent`` rows, one ``INSERT … ON CONFLICT DO NOTHING
   RETURNING``: an event another worker consumed between its commit and our claim's snapshot
   comes back as not ours and is skipped, so an event is never counted twice;
3. the records of the batch, their events and the outbox of the change, bulk-inserted.

If the batch raises, it is rolled back and each of its events is ingested alone, in its own
transaction: the others go through, the failing one gets a ``ComplaintEventIngestFailure``
row with a backoff and leaves the drain; the beat sweep retries it alone when its time comes.
The drain looks back ``DRAIN_HORIZON`` only (an index range on ``created_at``); the sweep
scans the whole log, for a message lost for longer.
"""

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from complaints.models import ComplaintEvent
from integrity_portal.outbox import retry_at

from ..models import ComplaintEventIngestFailure, ConsumedComplaintEvent
from .ingestion import IngestResult, _ingest, relevant_events_condition
from .records import announce_changes

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
DRAIN_WINDOW = 1.0  # seconds a committed event may wait for its drain
DRAIN_TIME_LIMIT = 30.0  # seconds; what is left goes to the next drain or the sweep
DRAIN_HORIZON = timedelta(hours=1)


def _claimable(*, since: datetime | None):
    events = ComplaintEvent.objects.filter(relevant_events_condition()).filter(
        ~Exists(ConsumedComplaintEvent.objects.filter(event_id=OuterRef("pk"))),
        ~Exists(ComplaintEventIngestFailure.objects.filter(event_id=OuterRef("pk"))),
    )
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events


def events_ingest_batch(
    *, limit: int = BATCH_SIZE, since: datetime | None = None
) -> tuple[int, IngestResult]:
    """Claim and ingest one batch of unconsumed outcome events created ``since`` (all when
    None); return (claimed, result). A batch that fails is redone event by event."""
    result, ids = IngestResult(), []
    try:
        with transaction.atomic():
            ids = list(
                _claimable(since=since)
                .order_by("pk")
                .select_for_update(skip_locked=True, no_key=True)
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                _ingest(ids, result)
                announce_changes(result.changes)
    except Exception:
        if not ids:
            raise  # the claim itself failed (database away): the task's retry policy applies
        # Any failure of one event must not hold back the others.
        logger.warning("ingestion batch failed; ingesting its events one by one", exc_info=True)
        result = IngestResult()
        for event_id in ids:
            _ingest_alone(event_id, result)
    return len(ids), result


def _ingest_alone(event_id: int, result: IngestResult) -> None:
    """One event in its own transaction; a failure is recorded with its backoff."""
    alone = IngestResult()
    try:
        with transaction.atomic():
            _ingest([event_id], alone)
            announce_changes(alone.changes)
            ComplaintEventIngestFailure.objects.filter(event_id=event_id).delete()
    except Exception as exc:
        logger.warning("complaint event %s not ingested: %s", event_id, exc, exc_info=True)
        _record_failure(event_id, exc)
        return
    result.claimed += alone.claimed
    result.created += alone.created
    result.revoked += alone.revoked
    result.changes += alone.changes


def _record_failure(event_id: int, exc: BaseException) -> None:
    now = timezone.now()
    with transaction.atomic():
        failure, created = ComplaintEventIngestFailure.objects.select_for_update().get_or_create(
            event_id=event_id,
            defaults={"retry_at": retry_at(1, now=now), "last_error": str(exc)[:2000]},
        )
        if not created:
            failure.attempts += 1
            failure.retry_at = retry_at(failure.attempts, now=now)
            failure.last_error = str(exc)[:2000]
            failure.save(update_fields=["attempts", "retry_at", "last_error"])


def events_drain(*, batch: int = BATCH_SIZE) -> int:
    """Ingest every recent unconsumed outcome event, a batch at a time; return how many
    records were created."""
    created, stop_at = 0, time.monotonic() + DRAIN_TIME_LIMIT
    since = timezone.now() - DRAIN_HORIZON
    while time.monotonic() < stop_at:
        claimed, result = events_ingest_batch(limit=batch, since=since)
        created += result.created
        if claimed < batch:
            break
    return created


def events_sweep(*, batch: int = BATCH_SIZE, limit: int = 50_000) -> int:
    """The beat job: every unconsumed outcome event of the whole log in batches (a message
    lost, a worker dead), then the failed events whose retry time has come, each alone;
    return how many events were consumed."""
    consumed = 0
    while consumed < limit:
        claimed, result = events_ingest_batch(limit=batch)
        consumed += result.claimed
        if claimed < batch:
            break
    due = list(
        ComplaintEventIngestFailure.objects.filter(retry_at__lte=timezone.now())
        .order_by("pk")
        .values_list("event_id", flat=True)[:batch]
    )
    result = IngestResult()
    for event_id in due:
        _ingest_alone(event_id, result)
    return consumed + result.claimed
