"""Verify the hash chain of every complaint's event log (DESIGN section 4).

Reports events whose stored content no longer matches their hash (altered), links that do not
point at the previous row's hash (a row deleted or inserted), gaps in ``seq`` (missing),
complaints whose log does not end at the chain head kept on the complaint row (events deleted
at the end, or all of them), whose head's seal does not match (the head wound back to hide
deleted events), and whose status is not the one their last event left (the status column
changed behind the log's back). Each line names the complaint by id and
reference. Exit status 1 when anything is wrong, so it can run from cron or CI.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from complaints.models import Complaint, ComplaintEvent
from complaints.services.events import chain_seal, event_hash, event_payload

BATCH = 2000


def chain_problems(*, complaint_ids=None):
    """Yield ``(complaint_id, seq, problem)`` for every broken link, streaming in id order."""
    qs = ComplaintEvent.objects.order_by("complaint_id", "seq")
    if complaint_ids:
        qs = qs.filter(complaint_id__in=complaint_ids)
    current, expected_seq, prev_hash = None, 1, ""
    for event in qs.iterator(chunk_size=BATCH):
        if event.complaint_id != current:
            current, expected_seq, prev_hash = event.complaint_id, 1, ""
        if event.seq != expected_seq:
            yield (
                event.complaint_id,
                expected_seq,
                f"missing events {expected_seq}..{event.seq - 1}",
            )
        if event.prev_hash != prev_hash:
            yield event.complaint_id, event.seq, "broken link to the previous event"
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            complaint_id=event.complaint_id,
            seq=event.seq,
            payload=event_payload(event),
        )
        if recomputed != event.hash:
            yield event.complaint_id, event.seq, "altered: content does not match its hash"
        expected_seq, prev_hash = event.seq + 1, event.hash
    yield from _short_chains(complaint_ids)


def _short_chains(complaint_ids):
    """Complaints whose log does not end at the head kept on the complaint row (events deleted
    at the end, or all of them; the head's hash not its last event's), whose head is not sealed
    with the key (wound back to hide deleted events), or whose status is not the status their
    last event left."""
    last = ComplaintEvent.objects.filter(complaint=OuterRef("pk")).order_by("-seq")
    complaints = Complaint.objects.annotate(
        stored=Coalesce(Max("events__seq"), Value(0)),
        logged_status=Subquery(last.values("to_status")[:1]),
        logged_hash=Subquery(last.values("hash")[:1]),
    ).values_list(
        "pk",
        "last_event_seq",
        "last_event_hash",
        "chain_seal",
        "stored",
        "logged_hash",
        "status",
        "logged_status",
    )
    if complaint_ids:
        complaints = complaints.filter(pk__in=complaint_ids)
    for row in complaints.iterator(chunk_size=BATCH):
        pk, expected, head_hash, seal, stored, logged_hash, status, logged = row
        if seal != chain_seal(complaint_id=pk, seq=expected, last_hash=head_hash):
            yield pk, expected, "chain head altered: its seal does not match"
        if stored < expected:
            yield pk, stored + 1, f"missing events {stored + 1}..{expected} at the end"
        elif stored > expected:
            yield pk, expected + 1, f"events {expected + 1}..{stored} beyond the chain head"
        elif stored and logged_hash != head_hash:
            yield pk, stored, "the chain head's hash is not its last event's"
        elif stored and status != logged:
            yield pk, stored, f"status {status!r} is not {logged!r}, left by its last event"


class Command(BaseCommand):
    help = "Verify the hash-chained complaint event log; exit 1 on any altered or missing event."

    def add_arguments(self, parser):
        parser.add_argument("--complaint", type=int, action="append", help="complaint id(s)")

    def handle(self, *args, **options):
        problems = 0
        found = list(chain_problems(complaint_ids=options["complaint"]))
        references = dict(
            Complaint.objects.filter(pk__in={c for c, _s, _p in found}).values_list(
                "pk", "reference"
            )
        )
        for complaint_id, seq, problem in found:
            problems += 1
            reference = references.get(complaint_id, "?")
            self.stdout.write(f"complaint {complaint_id} ({reference}) event {seq}: {problem}")
        if problems:
            raise CommandError(f"{problems} problem(s) in the event chain")
        self.stdout.write(self.style.SUCCESS("event chain intact"))
