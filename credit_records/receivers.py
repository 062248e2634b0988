"""Subscriptions to other apps' signals (connected in ``CreditRecordsConfig.ready``, when
every app's models are loaded, so these imports are safe at module level)."""

from integrity_portal.tasking import enqueue, enqueue_drain_on_commit

from .services.ingestion import is_relevant
from .services.ingestion_drain import DRAIN_WINDOW
from .tasks import drain_complaint_events


def on_complaint_event_committed(sender, *, event_id, action, to_status, **kwargs):
    """Ask for a drain of outcome events within a second (one publish per process and window,
    not one task per event; the beat sweep covers a lost message)."""
    if not is_relevant(action=action, to_status=to_status):
        return
    if drain_complaint_events.app.conf.task_always_eager:
        # Tasks run in-process (embedded mode, or an app switched to eager): drain now, on
        # every outcome, so the record exists when the action returns.
        enqueue(drain_complaint_events)
    else:
        enqueue_drain_on_commit(drain_complaint_events, window=DRAIN_WINDOW)
