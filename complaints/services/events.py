"""The append-only, hash-chained event log of a complaint, and the transition check.

Every service that changes a complaint calls ``check_transition`` before and ``event_append``
after, inside the same ``transaction.atomic`` block, with the complaint row locked by
``select_for_update`` (so the per-complaint ``seq`` and the chain cannot fork).
"""

import hashlib
import json

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from integrity_portal.api import InvalidTransition

from ..choices import TRANSITIONS, Action, ActorKind, Status
from ..models import Complaint, ComplaintEvent
from ..signals import complaint_event_committed


def check_transition(complaint: Complaint, action: str) -> str | None:
    """Return the target status of ``action`` from the complaint's status, or raise 409.

    ``None`` means the service decides the target (``record_judgment``).
    """
    allowed_from, target = TRANSITIONS[Action(action)]
    if complaint.status not in allowed_from:
        raise InvalidTransition(
            detail=_transition_message(complaint.status, action),
            status=complaint.status,
            action=str(action),
        )
    return target


def _transition_message(status: str, action: str) -> str:
    from django.utils.translation import gettext as _

    return _("投诉当前状态为“%(status)s”，不能执行“%(action)s”。") % {
        "status": Status(status).label,
        "action": Action(action).label,
    }


def event_hash(*, prev_hash: str, complaint_id: int, seq: int, payload: dict) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the event's content."""
    canonical = json.dumps(
        {"prev": prev_hash, "complaint": complaint_id, "seq": seq, **payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_payload(event: ComplaintEvent) -> dict:
    """The hashed content of an event (what ``verify_event_chain`` recomputes)."""
    return {
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "actor_kind": event.actor_kind,
        "public": event.is_public,
        "message": event.message,
        "note": event.note,
        "data": event.data,
        "at": event.created_at.isoformat(),
    }


def event_append(
    *,
    complaint: Complaint,
    action: str,
    from_status: str = "",
    to_status: str = "",
    actor=None,
    actor_kind: str = ActorKind.STAFF,
    is_public: bool = True,
    message: str = "",
    note: str = "",
    data: dict | None = None,
    at=None,
) -> ComplaintEvent:
    """Append one event to the complaint's chain. Call with the complaint row locked."""
    last = (
        ComplaintEvent.objects.filter(complaint=complaint)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    seq = (last["seq"] + 1) if last else 1
    prev_hash = last["hash"] if last else ""
    event = ComplaintEvent(
        complaint=complaint,
        seq=seq,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        actor_kind=actor_kind,
        is_public=is_public,
        message=message,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(
        prev_hash=prev_hash, complaint_id=complaint.pk, seq=seq, payload=event_payload(event)
    )
    event.save()
    if is_public:
        # Status changes reach the complainant by email/SMS through the outbox, written in
        # this same transaction (complaints.services.notifications).
        from .notifications import notify_public_event

        notify_public_event(event)
    event_id, complaint_id = event.pk, complaint.pk
    transaction.on_commit(
        lambda: complaint_event_committed.send(
            sender=ComplaintEvent,
            event_id=event_id,
            complaint_id=complaint_id,
            action=action,
            to_status=to_status,
        )
    )
    return event


def last_event_seq(complaint: Complaint) -> int:
    return ComplaintEvent.objects.filter(complaint=complaint).aggregate(m=Max("seq"))["m"] or 0
