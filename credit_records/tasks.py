"""Celery tasks of the credit-records app: thin, take ids, call a service, safe to run twice
(the house retry policy is the app's task class, ``integrity_portal.celery.HouseTask``)."""

from celery import shared_task


@shared_task
def ingest_complaint_events(event_ids: list[int]) -> int:
    """Outcome events of complaints → credit records (claimed, so never counted twice)."""
    from .services.ingestion import complaint_events_ingest

    return complaint_events_ingest(event_ids=event_ids).created


@shared_task
def drain_complaint_events() -> int:
    """Ingest every recent unconsumed outcome event in batches (published at most once a
    second per process after commits, ``enqueue_drain_on_commit``)."""
    from .services.ingestion_drain import events_drain

    return events_drain()


@shared_task
def sweep_complaint_events(limit: int = 50_000) -> int:
    """Beat job: outcome events above the watermark not consumed yet (lost message, dead
    worker), then the failed ones whose retry time has come, each alone."""
    from .services.ingestion_drain import events_sweep

    return events_sweep(limit=limit)


@shared_task
def recompute_agency_scores(agency_ids: list[int]) -> int:
    from .services.scoring import agency_scores_recompute

    return agency_scores_recompute(agency_ids=agency_ids)


@shared_task
def recompute_all_agency_scores() -> int:
    """Beat job: the nightly reconcile of every agency's score."""
    from .services.scoring import all_agency_scores_recompute

    return all_agency_scores_recompute()


@shared_task
def expire_publicity() -> int:
    """Beat job: records past their publicity end become ``expired``."""
    from .services.publicity import credit_records_expire_due

    return credit_records_expire_due()


@shared_task
def arrears_publication_sweep() -> int | None:
    """Beat job (daily): from 1 January the previous year's arrears publication is drafted
    (DESIGN section 12), once."""
    from .services.publication import arrears_publication_sweep as sweep

    return sweep()


@shared_task
def perform_deadline_sweep() -> int:
    """Beat job (hourly): pushed records past their deadline to perform draw one supervision
    notice each to the agency's supervising department (seed 002 item 10)."""
    from .services.performance import perform_deadlines_sweep

    return perform_deadlines_sweep()


@shared_task
def arrears_publication_reminder() -> int:
    """Beat job (daily): in March, while the previous year is unpublished, the credit office is
    reminded by e-mail once a week (DESIGN section 12: published by 31 March)."""
    from .services.publication import arrears_publication_reminder as remind

    return remind()
