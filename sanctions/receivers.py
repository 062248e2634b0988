"""Subscriptions to credit_records' signals (connected in ``SanctionsConfig.ready``)."""

from integrity_portal.tasking import enqueue


def on_agency_records_changed(sender, *, agency_id, **kwargs):
    """Enqueue the agency's reconcile; the outbox sweep covers a lost message."""
    from .tasks import reconcile_agency_sanctions

    enqueue(reconcile_agency_sanctions, [agency_id])
