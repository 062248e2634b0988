"""The hash chain of a complaint's append-only event log (DESIGN section 4).

Each event stores the hash of the previous event of the same complaint and its own hash over
that link and its content; ``verify_event_chain`` recomputes them. Events are written only by
``transitions.write``. The hash is an HMAC-SHA256 keyed with ``settings.EVENT_CHAIN_KEY``, a
secret outside the database: someone who can edit rows cannot recompute the chain forward
after an edit (with a plain SHA-256 they could, and the edit would verify). The complaint row
keeps the chain's head — its length (``last_event_seq``) and last hash (``last_event_hash``) —
so deleting events at the end shows, sealed by ``chain_seal`` (an HMAC with the same key over
the complaint id and the head) so the head cannot be wound back to match; PostgreSQL refuses
UPDATE and DELETE on the log (migration ``0012``).
"""

import hashlib
import hmac
import json

from django.conf import settings

from ..models import ComplaintEvent


def _canonical(*, prev_hash: str, complaint_id: int, seq: int, payload: dict) -> bytes:
    return json.dumps(
        {"prev": prev_hash, "complaint": complaint_id, "seq": seq, **payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    ).encode()


def event_hash(*, prev_hash: str, complaint_id: int, seq: int, payload: dict) -> str:
    """HMAC-SHA256 (key ``EVENT_CHAIN_KEY``) over the previous hash and a canonical JSON of
    the event's content."""
    canonical = _canonical(prev_hash=prev_hash, complaint_id=complaint_id, seq=seq, payload=payload)
    key = settings.EVENT_CHAIN_KEY.encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def legacy_event_hash(*, prev_hash: str, complaint_id: int, seq: int, payload: dict) -> str:
    """The plain SHA-256 of the same content, as chains were written before the HMAC (read
    only by ``rehash_event_chain``, to re-hash a chain only if it was intact)."""
    canonical = _canonical(prev_hash=prev_hash, complaint_id=complaint_id, seq=seq, payload=payload)
    return hashlib.sha256(canonical).hexdigest()


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


def chain_seal(*, complaint_id: int, seq: int, last_hash: str) -> str:
    """HMAC-SHA256 (key ``EVENT_CHAIN_KEY``) over a complaint's chain head: whoever deletes
    the last events and winds ``last_event_seq`` / ``last_event_hash`` back cannot seal the
    wound-back head without the key."""
    message = f"head:{complaint_id}:{seq}:{last_hash}"
    key = settings.EVENT_CHAIN_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
