"""The publicity sweep: records past ``publicity_ends`` stop being published (``expired``), and
minor records past their term (``RecordPolicy.minor_term_months``) end the same way."""

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..choices import RecordAction, RecordStatus, Severity
from ..models import CreditRecord, CreditRecordEvent, RecordPolicy
from .records import announce_changes


def _expire(where: Q, *, action: str, data: dict, batch_size: int) -> int:
    """Move the ``active`` records matching ``where`` to ``expired`` with ``action``.

    Batched: each batch locks its rows (``skip_locked`` so a concurrent objection decision or a
    second sweep is not waited for), updates them with a conditional UPDATE, and writes the
    events and the outbox rows in the same transaction (the reconcile then lifts what rested
    on them).
    """
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                CreditRecord.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(where, status=RecordStatus.ACTIVE)
                .order_by("pk")
                .values_list("pk", "agency_id")[:batch_size]
            )
            if not batch:
                return total
            ids = [pk for pk, _agency in batch]
            updated = CreditRecord.objects.filter(pk__in=ids, status=RecordStatus.ACTIVE).update(
                status=RecordStatus.EXPIRED, updated_at=timezone.now()
            )
            assert updated == len(ids), "rows locked above cannot change under us"  # noqa: S101
            CreditRecordEvent.objects.bulk_create(
                [
                    CreditRecordEvent(
                        record_id=pk,
                        action=action,
                        from_status=RecordStatus.ACTIVE,
                        to_status=RecordStatus.EXPIRED,
                        data=data,
                    )
                    for pk in ids
                ]
            )
            announce_changes([(agency, pk, action) for pk, agency in batch])
            total += len(ids)
        if len(batch) < batch_size:
            return total


def credit_records_expire_due(*, today=None, batch_size: int = 1000) -> int:
    """Move every ``active`` record whose window has ended to ``expired``, and every ``active``
    minor record older than the office's minor term; return how many.

    Minor records have no ``publicity_ends`` (never published, 信用修复管理办法); they end
    ``minor_term_months`` after their decision date, a term the credit office sets as data
    (``RecordPolicy``; no national text fixes one), and stop carrying sanctions.
    """
    today = today or timezone.localdate()
    published = _expire(
        Q(publicity_ends__lte=today),
        action=RecordAction.EXPIRE,
        data={"on": today.isoformat()},
        batch_size=batch_size,
    )
    months = RecordPolicy.current().minor_term_months
    minor = _expire(
        Q(severity=Severity.MINOR, decided_on__lte=today - relativedelta(months=months)),
        action=RecordAction.MINOR_TERM_END,
        data={"on": today.isoformat(), "minor_term_months": months},
        batch_size=batch_size,
    )
    return published + minor
