"""Ingestion of complaint outcome events into credit records (DESIGN sections 2 and 6).

The complaint event log is the outbox; this consumer claims each event once
(``ConsumedComplaintEvent``, unique on the event id) in the same transaction as the records
it writes, so redelivery, the sweep and a full replay never double-count:

* ``breach`` (determine_breach) → a negative ``breach`` record with the determined severity,
  or an ``arrears`` record (with the amount still owed) when the complaint is about payment
  arrears (DESIGN section 12; seed 004 二(四): late payment carries its own measures);
* ``rectified`` / ``settled`` — a founded complaint closed by performance or settlement →
  a positive ``promise_kept`` record;
* ``reopen`` from ``breach`` (or from ``rectified`` / ``settled``) → the record that outcome
  produced is ``revoked`` with the reason; a new determination later creates a new record.
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from complaints.choices import Action, Domain, Status
from complaints.models import ComplaintEvent

from ..choices import Kind, RecordAction, RecordStatus, Source
from ..models import ConsumedComplaintEvent, CreditRecord, CreditRecordEvent
from .records import announce_changes, build_record

OUTCOME_STATUSES = (Status.BREACH, Status.RECTIFIED, Status.SETTLED)
# Closed statuses whose reopening withdraws a record, and the kind of that record.
REOPEN_REVOKES = {
    Status.BREACH: Kind.BREACH,
    Status.RECTIFIED: Kind.PROMISE_KEPT,
    Status.SETTLED: Kind.PROMISE_KEPT,
}


def is_relevant(*, action: str, to_status: str) -> bool:
    """Whether an event can change credit records (the signal receiver filters with this)."""
    return to_status in OUTCOME_STATUSES or action == Action.REOPEN


def relevant_events_condition() -> Q:
    return Q(to_status__in=OUTCOME_STATUSES) | Q(action=Action.REOPEN)


def unconsumed_events():
    """Outcome events no consumer has claimed yet (what the beat sweep re-enqueues)."""
    return ComplaintEvent.objects.filter(relevant_events_condition()).filter(
        ~Exists(ConsumedComplaintEvent.objects.filter(event_id=OuterRef("pk")))
    )


@dataclass
class IngestResult:
    claimed: int = 0
    created: int = 0
    revoked: int = 0
    changes: list = field(default_factory=list)


def complaint_events_ingest(*, event_ids: list[int]) -> IngestResult:
    """Consume the given complaint events (any order, any number of times)."""
    result = IngestResult()
    if not event_ids:
        return result
    with transaction.atomic():
        _ingest(sorted(set(event_ids)), result)
        announce_changes(result.changes)
    return result


def _claim(event_ids: list[int]) -> list[int]:
    """Insert the claim rows of the given events that exist; return only the ids this
    transaction claimed.

    ``ON CONFLICT DO NOTHING`` makes a concurrent claimer of the same event wait on the unique
    index until the first commits, then skip it (PostgreSQL and SQLite >= 3.35 alike). Unknown
    ids (an event rolled back with its transaction) are never claimed.
    """
    if not event_ids:
        return []
    table = connection.ops.quote_name(ConsumedComplaintEvent._meta.db_table)
    events = connection.ops.quote_name(ComplaintEvent._meta.db_table)
    now = timezone.now()
    claimed: list[int] = []
    for start in range(0, len(event_ids), 1000):
        chunk = event_ids[start : start + 1000]
        placeholders = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (event_id, consumed_at) "  # noqa: S608 — names quoted
                f"SELECT id, %s FROM {events} WHERE id IN ({placeholders}) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                [now, *chunk],
            )
            claimed += [row[0] for row in cursor.fetchall()]
    return sorted(claimed)


class _Event(NamedTuple):
    pk: int
    seq: int
    action: str
    from_status: str
    to_status: str
    data: dict
    note: str
    message: str
    created_at: datetime.datetime
    complaint_id: int
    reference: str
    agency_id: int
    complaint_severity: str
    domain: str
    amount_outstanding: object


_EVENT_FIELDS = (
    "pk",
    "seq",
    "action",
    "from_status",
    "to_status",
    "data",
    "note",
    "message",
    "created_at",
    "complaint_id",
    "complaint__reference",
    "complaint__respondent_agency_id",
    "complaint__severity",
    "complaint__domain",
    "complaint__amount_outstanding",
)


def _ingest(event_ids: list[int], result: IngestResult) -> None:
    claimed = _claim(event_ids)
    result.claimed += len(claimed)
    if not claimed:
        return
    events = [
        _Event(*row)
        for row in ComplaintEvent.objects.filter(pk__in=claimed)
        .order_by("pk")
        .values_list(*_EVENT_FIELDS)
    ]
    records: list[CreditRecord] = []
    reopens: list[_Event] = []
    for event in events:
        if event.action == Action.REOPEN:
            reopens.append(event)
        elif event.to_status in OUTCOME_STATUSES:
            records.append(_record_of(event))
    # All records of the batch in one insert; then the (rare) reopens revoke exactly the
    # records of the outcomes that came before them.
    _flush(records, result)
    if reopens:
        _reopen(reopens, result)


def _record_of(event: _Event) -> CreditRecord:
    """The (unsaved) record an outcome event produces."""
    data = event.data or {}
    decided_on = timezone.localdate(event.created_at)
    amount = None
    if event.to_status == Status.BREACH and event.domain == Domain.PAYMENT_ARREARS:
        # DESIGN section 12: a breach on an arrears complaint is an arrears record, so the
        # arrears measures (公务消费, 办公用房, 经费安排; seed 004 二(四)) apply.
        kind, amount = Kind.ARREARS, event.amount_outstanding
        severity = data.get("severity") or event.complaint_severity
        facts = data.get("facts") or event.note or event.message or event.reference
    elif event.to_status == Status.BREACH:
        kind = Kind.BREACH
        severity = data.get("severity") or event.complaint_severity
        facts = data.get("facts") or event.note or event.message or event.reference
    else:
        kind, severity = Kind.PROMISE_KEPT, ""
        facts = (
            data.get("note") or event.note or event.message or str(Status(event.to_status).label)
        )
    return build_record(
        agency_id=event.agency_id,
        kind=kind,
        severity=severity,
        facts=facts,
        decided_on=decided_on,
        source=Source.COMPLAINT,
        # One record per outcome event: a determination after a reopen is a new record.
        source_ref=f"{event.reference}#{event.seq}",
        complaint_id=event.complaint_id,
        amount=amount,
    )


def _flush(records: list[CreditRecord], result: IngestResult) -> None:
    if not records:
        return
    records = CreditRecord.objects.bulk_create(records)
    # The source and reference are on the record itself.
    CreditRecordEvent.objects.bulk_create(
        [
            CreditRecordEvent(
                record=record, action=RecordAction.CREATE, to_status=RecordStatus.ACTIVE
            )
            for record in records
        ]
    )
    result.created += len(records)
    result.changes += [(r.agency_id, r.pk, RecordAction.CREATE) for r in records]


def _reopen(reopens: list[_Event], result: IngestResult) -> None:
    """Revoke the records of the outcomes before each reopen, consuming those outcomes first
    if their own message is late (so the order in which events arrive does not matter).

    Set-based: a handful of queries per batch whatever the number of reopens in it.
    """
    complaint_ids = {event.complaint_id for event in reopens}
    earlier_by_complaint: dict[int, list[tuple[int, int, str]]] = {}
    for pk, complaint_id, seq, to_status in ComplaintEvent.objects.filter(
        complaint_id__in=complaint_ids, to_status__in=OUTCOME_STATUSES
    ).values_list("pk", "complaint_id", "seq", "to_status"):
        earlier_by_complaint.setdefault(complaint_id, []).append((pk, seq, to_status))
    candidates = [pk for rows in earlier_by_complaint.values() for pk, _s, _t in rows]
    consumed = set(
        ConsumedComplaintEvent.objects.filter(event_id__in=candidates).values_list(
            "event_id", flat=True
        )
    )
    late = [pk for pk in candidates if pk not in consumed]
    if late:
        _ingest(late, result)
    reasons: dict[str, tuple[str, int]] = {}  # source_ref to revoke → (reason, reopen event)
    for event in reopens:
        kind = REOPEN_REVOKES.get(event.from_status)
        if kind is None:
            continue
        data = event.data or {}
        reason = data.get("reason") or event.note or event.message
        for _pk, seq, to_status in earlier_by_complaint.get(event.complaint_id, []):
            if seq < event.seq and REOPEN_REVOKES.get(to_status) == kind:
                reasons.setdefault(f"{event.reference}#{seq}", (reason, event.pk))
    if not reasons:
        return
    # Locked (in pk order) so an objection decision on the same record cannot interleave.
    records = list(
        CreditRecord.objects.select_for_update(no_key=True)
        .filter(source=Source.COMPLAINT, source_ref__in=list(reasons))
        .exclude(status=RecordStatus.REVOKED)
        .order_by("pk")
        .values_list("pk", "agency_id", "status", "source_ref")
    )
    if not records:
        return
    CreditRecord.objects.filter(pk__in=[pk for pk, _a, _s, _r in records]).update(
        status=RecordStatus.REVOKED, updated_at=timezone.now()
    )
    CreditRecordEvent.objects.bulk_create(
        [
            CreditRecordEvent(
                record_id=pk,
                action=RecordAction.REVOKE,
                from_status=status,
                to_status=RecordStatus.REVOKED,
                note=reasons[ref][0],
                data={"complaint_event": reasons[ref][1]},
            )
            for pk, _agency, status, ref in records
        ]
    )
    result.revoked += len(records)
    result.changes += [(agency, pk, RecordAction.REVOKE) for pk, agency, _s, _r in records]
