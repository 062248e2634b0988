"""Re-hashing complaint event chains written before the HMAC (``rehash_event_chain``).

Chains written when the event hash was a plain SHA-256 fail ``verify_event_chain`` as
"altered" once the hash is keyed. This re-hashes them with ``EVENT_CHAIN_KEY`` — but only a
chain that is intact under the old scheme (every link and plain hash right, no gap, its length
the one kept on the complaint): a chain tampered with before the upgrade is left as it is and
reported, never blessed. Chains that already verify with the key are left alone. Each
re-hashed complaint gets an ``event_chain_rehash`` row in the access log.

The event log is append-only in PostgreSQL too (trigger, complaints migration 0012): the
re-hash switches the trigger off inside its own transaction (``ALTER TABLE`` holds an
exclusive lock on the log until the commit, so nobody else writes or reads past it) and on
again before the commit.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction

from integrity_portal.models import AccessLog

from ..models import Complaint, ComplaintEvent
from .events import chain_seal, event_hash, event_payload, legacy_event_hash

TABLE = ComplaintEvent._meta.db_table
TRIGGER = f"{TABLE}_append_only"


@dataclass
class RehashReport:
    rehashed: list[str] = field(default_factory=list)  # references
    intact: int = 0  # already keyed and intact
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def _verifies(events, complaint, hasher) -> str | None:
    """None when ``events`` form an intact chain of ``complaint`` under ``hasher``, else why."""
    prev = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return f"event {expected_seq} missing"
        if event.prev_hash != prev:
            return f"event {event.seq}: broken link"
        recomputed = hasher(
            prev_hash=prev, complaint_id=complaint.pk, seq=event.seq, payload=event_payload(event)
        )
        if recomputed != event.hash:
            return f"event {event.seq}: altered"
        prev = event.hash
    if len(events) != complaint.last_event_seq:
        return f"the log ends at {len(events)}, the complaint counts {complaint.last_event_seq}"
    return None


def event_chains_rehash(*, complaint_ids=None, dry_run=False) -> RehashReport:
    """Re-hash every legacy chain (or those of ``complaint_ids``); see the module docstring."""
    report = RehashReport()
    complaints = Complaint.objects.order_by("pk").only("pk", "reference", "last_event_seq")
    if complaint_ids:
        complaints = complaints.filter(pk__in=complaint_ids)
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres and not dry_run:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        for complaint in complaints.select_for_update().iterator(chunk_size=500):
            events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("seq"))
            if _verifies(events, complaint, event_hash) is None:
                report.intact += 1
                continue
            why = _verifies(events, complaint, legacy_event_hash)
            if why is not None:
                report.refused.append((complaint.reference, why))
                continue
            report.rehashed.append(complaint.reference)
            if not dry_run:
                _rehash(complaint, events)
        if postgres and not dry_run:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
    return report


def _rehash(complaint, events) -> None:
    prev = ""
    for event in events:
        event.prev_hash = prev
        event.hash = event_hash(
            prev_hash=prev, complaint_id=complaint.pk, seq=event.seq, payload=event_payload(event)
        )
        prev = event.hash
    for event in events:  # the model's one way to update an event, for this command only
        event.save(update_fields=["prev_hash", "hash"], _allow_update=True)
    seal = chain_seal(complaint_id=complaint.pk, seq=complaint.last_event_seq, last_hash=prev)
    Complaint.objects.filter(pk=complaint.pk).update(last_event_hash=prev, chain_seal=seal)
    AccessLog.objects.create(
        user=None, what="event_chain_rehash", object_ref=complaint.reference, via="command"
    )
