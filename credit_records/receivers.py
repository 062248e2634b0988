"""Subscriptions to other apps' signals (connected in ``CreditRecordsConfig.ready``)."""

from integrity_portal.tasking import enqueue


def on_complaint_event_committed(sender, *, event_id, action, to_status, **kwargs):
    """Enqueue ingestion of an outcome event (the sweep covers a lost message)."""
    from .services.ingestion import is_relevant
    from .tasks import ingest_complaint_events

    if is_relevant(action=action, to_status=to_status):
        enqueue(ingest_complaint_events, [event_id])
