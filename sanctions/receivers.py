"""Subscriptions to credit_records' signals (connected in ``SanctionsConfig.ready``)."""

from integrity_portal.tasking import enqueue


def on_agency_records_batch_changed(sender, *, agency_ids, **kwargs):
    """Enqueue one reconcile for every agency a committed transaction touched (an ingestion
    batch of a thousand events costs one message, not a thousand); the outbox sweep covers a
    lost message."""
    from .tasks import reconcile_agency_sanctions

    enqueue(reconcile_agency_sanctions, list(agency_ids))
