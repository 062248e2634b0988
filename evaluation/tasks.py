"""Celery tasks of the evaluation app: thin, call a service, safe to run twice (a report is
built once per period: unique per kind and start)."""

from celery import shared_task


@shared_task
def build_due_reports() -> int:
    """Beat job: the quarterly and the annual report once their period has ended."""
    from .services.reports import reports_build_due

    return reports_build_due()
