"""Reads of credit records. Visibility lives here; views and other apps call these."""

from django.db.models import QuerySet

from .choices import RecordStatus
from .models import CreditRecord

# A record is in force while active or under objection: an objection does not suspend the
# record (or what follows from it) until the credit office upholds it.
IN_FORCE_STATUSES = (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)


def active_records_for_agency(agency_id: int) -> QuerySet[CreditRecord]:
    """The agency's records in force (``active`` or ``under_objection``), newest first.

    The sanctions reconcile derives the measures an agency must bear from exactly this set.
    """
    return CreditRecord.objects.filter(agency_id=agency_id, status__in=IN_FORCE_STATUSES).order_by(
        "-decided_on", "-id"
    )
