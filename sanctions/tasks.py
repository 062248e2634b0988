"""Celery tasks of the sanctions app: thin, take ids, call a service, safe to run twice (the
house retry policy is the app's task class, ``integrity_portal.celery.HouseTask``). Services
are imported inside the tasks, so that services may enqueue these tasks without a cycle."""

from celery import shared_task
from django.db import IntegrityError

from integrity_portal.celery import HouseTask


@shared_task(autoretry_for=(*HouseTask.autoretry_for, IntegrityError))
def reconcile_agency_sanctions(agency_ids: list[int]) -> int:
    """After a record change. Two reconciles of one agency that race on the unique active
    sanction are retried (the second then finds the first one's result)."""
    from .services.reconcile import agencies_sanctions_reconcile

    result = agencies_sanctions_reconcile(agency_ids=agency_ids)
    return result.imposed + result.lifted


@shared_task
def reconcile_all_agencies() -> int:
    """Nightly sweep (and after a rule edit): windows that passed, rules that changed."""
    from .services.reconcile import reconcile_all

    return reconcile_all()


@shared_task
def sweep_record_changes(limit: int = 50_000) -> int:
    """Beat job: agencies whose records changed but whose reconcile message was lost."""
    from .services.reconcile import record_changes_sweep

    return record_changes_sweep(limit=limit)


@shared_task
def repair_deadline_sweep() -> int:
    """Beat job: repairs undecided after 10 working days become credit-office tasks."""
    from .services.repairs import repair_deadline_sweep as sweep

    return sweep()
