"""The publicity sweep: records past ``publicity_ends`` stop being published (``expired``)."""

from django.db import transaction
from django.utils import timezone

from ..choices import RecordAction, RecordStatus
from ..models import CreditRecord, CreditRecordEvent
from .records import announce_changes


def credit_records_expire_due(*, today=None, batch_size: int = 1000) -> int:
    """Move every ``active`` record whose window has ended to ``expired``; return how many.

    Batched: each batch locks its rows (``skip_locked`` so a concurrent objection decision or a
    second sweep is not waited for), updates them with a conditional UPDATE, and writes the
    events and the outbox rows in the same transaction. Minor records have no
    ``publicity_ends`` and never expire this way (they are never published).
    """
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                CreditRecord.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(status=RecordStatus.ACTIVE, publicity_ends__lte=today)
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
                        action=RecordAction.EXPIRE,
                        from_status=RecordStatus.ACTIVE,
                        to_status=RecordStatus.EXPIRED,
                        data={"on": today.isoformat()},
                    )
                    for pk in ids
                ]
            )
            announce_changes([(agency, pk, RecordAction.EXPIRE) for pk, agency in batch])
            total += len(ids)
        if len(batch) < batch_size:
            return total
