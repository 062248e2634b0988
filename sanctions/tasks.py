"""Celery tasks: thin, take ids, call a service, safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

BATCH = 500
# Outbox rows younger than this may still have lower-id siblings in uncommitted transactions;
# the cursor does not move past them yet (they are re-read, harmlessly, next time).
CURSOR_GRACE = timedelta(minutes=5)
CURSOR_NAME = "agency_record_changes"


@shared_task(acks_late=True, autoretry_for=(OperationalError, IntegrityError), retry_backoff=True)
def reconcile_agency_sanctions(agency_ids: list[int]) -> int:
    from .services import agencies_sanctions_reconcile

    result = agencies_sanctions_reconcile(agency_ids=agency_ids)
    return result.imposed + result.lifted


def reconcile_all(*, batch_size: int = BATCH, today=None) -> int:
    """Every agency, in id batches (no whole table in memory), one transaction per batch."""
    from agencies.models import Agency

    from .services.reconcile import active_rules, agencies_sanctions_reconcile

    rules = active_rules()
    changed, last = 0, 0
    while True:
        ids = list(
            Agency.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return changed
        result = agencies_sanctions_reconcile(agency_ids=ids, today=today, rules=rules)
        changed += result.imposed + result.lifted
        last = ids[-1]


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def reconcile_all_agencies() -> int:
    """Nightly sweep (and after a rule edit): windows that passed, rules that changed."""
    return reconcile_all()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def sweep_record_changes(limit: int = 50_000) -> int:
    """Reconcile the agencies of ``AgencyRecordChange`` rows past the cursor (a lost signal or
    a dead worker loses nothing), then move the cursor over the settled ones."""
    from credit_records.models import AgencyRecordChange

    from .models import ChangeCursor
    from .services import agencies_sanctions_reconcile

    cursor, _created = ChangeCursor.objects.get_or_create(name=CURSOR_NAME)
    settled_before = timezone.now() - CURSOR_GRACE
    rows = list(
        AgencyRecordChange.objects.filter(pk__gt=cursor.last_id)
        .order_by("pk")
        .values_list("pk", "agency_id", "created_at")[:limit]
    )
    agencies = sorted({agency_id for _pk, agency_id, _at in rows})
    for start in range(0, len(agencies), BATCH):
        agencies_sanctions_reconcile(agency_ids=agencies[start : start + BATCH])
    settled = [pk for pk, _agency, at in rows if at < settled_before]
    if settled:
        with transaction.atomic():
            ChangeCursor.objects.filter(name=CURSOR_NAME, last_id__lt=max(settled)).update(
                last_id=max(settled)
            )
    return len(agencies)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def repair_deadline_sweep() -> int:
    """Open repairs past their decision deadline → one overdue task each for the credit office
    (the unique constraint makes a rerun a no-op)."""
    from .choices import OPEN_REPAIR_STATUSES, TaskKind
    from .models import OfficeTask, Repair

    overdue = list(
        Repair.objects.filter(
            status__in=OPEN_REPAIR_STATUSES, due_on__lt=timezone.localdate()
        ).values_list("pk", "agency_id")
    )
    before = OfficeTask.objects.filter(kind=TaskKind.REPAIR_OVERDUE).count()
    OfficeTask.objects.bulk_create(
        [
            OfficeTask(kind=TaskKind.REPAIR_OVERDUE, agency_id=agency_id, repair_id=pk)
            for pk, agency_id in overdue
        ],
        ignore_conflicts=True,
    )
    return OfficeTask.objects.filter(kind=TaskKind.REPAIR_OVERDUE).count() - before
