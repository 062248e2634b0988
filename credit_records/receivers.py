"""Subscriptions to other apps' signals (connected in ``CreditRecordsConfig.ready``, when
every app's models are loaded, so these imports are safe at module level)."""

from integrity_portal.tasking import enqueue

from .services.ingestion import is_relevant
from .tasks import ingest_complaint_events


def on_complaint_event_committed(sender, *, event_id, action, to_status, **kwargs):
    """Enqueue ingestion of an outcome event (the sweep covers a lost message)."""
    if is_relevant(action=action, to_status=to_status):
        enqueue(ingest_complaint_events, [event_id])
