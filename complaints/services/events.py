"""The hash chain of a complaint's append-only event log (DESIGN section 4).

Each event stores the hash of the previous event of the same complaint and its own hash over
that link and its content; ``verify_event_chain`` recomputes them. Events are written only by
``transitions.write``.
"""

import hashlib
import json

from ..models import ComplaintEvent


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
    """The hashed content of an event: everything stored but the chain fields."""
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
