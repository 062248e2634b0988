"""Celery tasks: thin, take ids, call a service, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from integrity_portal.tasking import enqueue

INGEST_BATCH = 1000


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def ingest_complaint_events(event_ids: list[int]) -> int:
    from .services.ingestion import complaint_events_ingest

    return complaint_events_ingest(event_ids=event_ids).created


@shared_task(acks_late=True)
def sweep_complaint_events(limit: int = 50_000) -> int:
    """Re-enqueue outcome events not consumed yet (lost message, dead worker)."""
    from .services.ingestion import unconsumed_events

    ids = list(unconsumed_events().order_by("pk").values_list("pk", flat=True)[:limit])
    for start in range(0, len(ids), INGEST_BATCH):
        enqueue(ingest_complaint_events, ids[start : start + INGEST_BATCH])
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def recompute_agency_scores(agency_ids: list[int]) -> int:
    from .services.scoring import agency_scores_recompute

    return agency_scores_recompute(agency_ids=agency_ids)


@shared_task(acks_late=True)
def recompute_all_agency_scores() -> int:
    """Nightly reconcile of every agency's score (no whole table in memory: id batches)."""
    from agencies.models import Agency

    from .services.scoring import agency_scores_recompute

    changed, last = 0, 0
    while True:
        ids = list(
            Agency.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:1000]
        )
        if not ids:
            return changed
        changed += agency_scores_recompute(agency_ids=ids)
        last = ids[-1]


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def expire_publicity() -> int:
    from .services.publicity import credit_records_expire_due

    return credit_records_expire_due()
