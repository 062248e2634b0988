"""Celery tasks of the evaluation app: thin, call a service, safe to run twice (a report is
built once per period: unique per kind and start)."""

from celery import shared_task


@shared_task
def build_due_reports() -> int:
    """Beat job: the quarterly and the annual report once their period has ended."""
    from .services.reports import reports_build_due

    return reports_build_due()


@shared_task
def public_rates_refresh() -> int:
    """Beat job: recompute the public rates (/stats/) so visitors only read them."""
    from .public import public_rates

    return public_rates(refresh=True)["city"]["received"]
