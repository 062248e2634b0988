"""The hash chain of a complaint's append-only event log (DESIGN section 4).

Each event stores the hash of the previous event of the same complaint and its own hash over
that link and its content; ``verify_event_chain`` recomputes them. Events are written only by
``transitions.write``. The hash is an HMAC-SHA256 keyed with ``settings.EVENT_CHAIN_KEY``, a
secret outside the database: someone who can edit rows cannot recompute the chain forward
after an edit (with a plain SHA-256 they could, and the edit would verify). The complaint row
keeps the chain's length (``last_event_seq``) so deleting events at the end shows, and
PostgreSQL refuses UPDATE and DELETE on the log (migration ``0010``).
"""

import hashlib
import hmac
import json

from django.conf import settings

from ..models import ComplaintEvent


def event_hash(*, prev_hash: str, complaint_id: int, seq: int, payload: dict) -> str:
    """HMAC-SHA256 (key ``EVENT_CHAIN_KEY``) over the previous hash and a canonical JSON of
    the event's content."""
    canonical = json.dumps(
        {"prev": prev_hash, "complaint": complaint_id, "seq": seq, **payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    key = settings.EVENT_CHAIN_KEY.encode()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


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
