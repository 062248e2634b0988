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

The drain looks back ``DRAIN_HORIZON`` only (an index range on ``created_at``). The beat
sweep is for a message lost for longer, so it cannot bound itself by time; it reads the log
above a watermark (``ComplaintEventWatermark.event_id``: every outcome event up to it is
consumed or has a failure row), an index range on the id, so its cost follows the events
not yet behind the watermark, never the consumed history. The complaint event log is
append-only (no flag can be set on a consumed event, hence no partial index of the
unconsumed ones) and ``ConsumedComplaintEvent`` only grows, so a watermark fits: what is
behind it stays behind it.

Why a late event is never skipped. The watermark passes only ids of the log that no open
transaction can still commit (``integrity_portal.settled``, which carries the proof: a
transaction that inserted an event holds a write lock on the table, listed in ``pg_locks``,
until it ends; the head it leaves pending is kept in ``pending_upto`` / ``pending_writers``
and checked by the next sweep). Up to that settled head every event is committed and visible,
or rolled back for good; the watermark then moves to just below the first outcome event up to
it that is neither consumed nor failed (so it stays below an event another worker has claimed
but not committed); consumption and failure rows are never undone, so it never has to move
back. A transaction that stays open holds the watermark where it is (the sweep reads more,
never less).
"""

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from complaints.models import ComplaintEvent
from integrity_portal.outbox import retry_at
from integrity_portal.settled import settled_head

from ..models import ComplaintEventIngestFailure, ComplaintEventWatermark, ConsumedComplaintEvent
from .ingestion import IngestResult, _ingest, relevant_events_condition
from .records import announce_changes

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
DRAIN_WINDOW = 1.0  # seconds a committed event may wait for its drain
DRAIN_TIME_LIMIT = 30.0  # seconds; what is left goes to the next drain or the sweep
DRAIN_HORIZON = timedelta(hours=1)

WATERMARK_PK = 1


def _claimable(*, since: datetime | None = None, after: int = 0):
    events = ComplaintEvent.objects.filter(relevant_events_condition()).filter(
        ~Exists(ConsumedComplaintEvent.objects.filter(event_id=OuterRef("pk"))),
        ~Exists(ComplaintEventIngestFailure.objects.filter(event_id=OuterRef("pk"))),
    )
    if since is not None:
        events = events.filter(created_at__gte=since)
    if after:
        events = events.filter(pk__gt=after)
    return events


def events_ingest_batch(
    *, limit: int = BATCH_SIZE, since: datetime | None = None, after: int = 0
) -> tuple[int, IngestResult]:
    """Claim and ingest one batch of unconsumed outcome events created ``since`` (all when
    None) with an id above ``after`` (the sweep's watermark); return (claimed, result). A batch
    that fails is redone event by event."""
    result, ids = IngestResult(), []
    try:
        with transaction.atomic():
            ids = list(
                _claimable(since=since, after=after)
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
    """The beat job: every unconsumed outcome event above the watermark in batches (a message
    lost, a worker dead), then the watermark moved over what is settled, then the failed
    events whose retry time has come, each alone; return how many events were consumed."""
    after = (
        ComplaintEventWatermark.objects.filter(pk=WATERMARK_PK)
        .values_list("event_id", flat=True)
        .first()
        or 0
    )
    consumed = 0
    while consumed < limit:
        claimed, result = events_ingest_batch(limit=batch, after=after)
        consumed += result.claimed
        if claimed < batch:
            break
    watermark_advance()
    due = list(
        ComplaintEventIngestFailure.objects.filter(retry_at__lte=timezone.now())
        .order_by("pk")
        .values_list("event_id", flat=True)[:batch]
    )
    result = IngestResult()
    for event_id in due:
        _ingest_alone(event_id, result)
    return consumed + result.claimed


def watermark_advance() -> int:
    """Move the watermark over the outcome events that are settled (consumed or failed) up
    to the last head of the log known to be final; return it. Why that never passes an event
    that commits late: the module docstring."""
    with transaction.atomic():
        # Locked: two sweeps at once take turns here (either one's result would be safe).
        mark, _created = ComplaintEventWatermark.objects.select_for_update().get_or_create(
            pk=WATERMARK_PK
        )
        head = settled_head(
            ComplaintEvent,
            pending_upto=mark.pending_upto,
            pending_writers=mark.pending_writers,
        )
        final, pending = head.upto, (head.pending_upto, head.pending_writers)
        event_id = mark.event_id
        if final > event_id:
            first_open = (
                _claimable(after=event_id)
                .filter(pk__lte=final)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            event_id = final if first_open is None else first_open - 1
        if (event_id, *pending) != (mark.event_id, mark.pending_upto, mark.pending_writers):
            mark.event_id = max(event_id, mark.event_id)
            mark.pending_upto, mark.pending_writers = pending
            mark.save(update_fields=["event_id", "pending_upto", "pending_writers", "updated_at"])
    return mark.event_id
