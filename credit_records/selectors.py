"""Reads of credit records. Visibility lives here; views and other apps call these."""

from django.db.models import QuerySet
from django.utils import timezone

from agencies.choices import StaffRole

from .choices import PUBLISHED_SEVERITIES, RecordStatus
from .models import CreditRecord, Objection

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


def integration_client_of(user):
    """The active integration client a user acts for, or None."""
    client = getattr(user, "integration_client", None) if user.is_authenticated else None
    return client if (client is not None and client.is_active) else None


def may_read_records(user) -> bool:
    """Credit office, auditors, agency liaisons (own agency) and integration clients."""
    if not user.is_authenticated:
        return False
    if user.has_role(StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR, StaffRole.AGENCY_LIAISON):
        return True
    return integration_client_of(user) is not None


def may_push_records(user) -> bool:
    return user.is_authenticated and (
        user.is_credit_officer or integration_client_of(user) is not None
    )


def credit_record_list_visible_to(*, user) -> QuerySet[CreditRecord]:
    """Records ``user`` may see: all for the credit office and auditors; a liaison its own
    agency's; an integration client what it pushed as its source; nothing otherwise."""
    qs = CreditRecord.objects.select_related("agency", "complaint")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
        return qs
    if user.role == StaffRole.AGENCY_LIAISON and user.agency_id:
        return qs.filter(agency_id=user.agency_id)
    client = integration_client_of(user)
    if client is not None:
        return qs.filter(source=client.source)
    return qs.none()


def objection_list_visible_to(*, user) -> QuerySet[Objection]:
    qs = Objection.objects.select_related("record", "agency", "filed_by", "decided_by")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
        return qs
    if user.role == StaffRole.AGENCY_LIAISON and user.agency_id:
        return qs.filter(agency_id=user.agency_id)
    return qs.none()


def published_records(*, today=None) -> QuerySet[CreditRecord]:
    """Records inside their publicity window (general/serious, in force): the public list.

    Minor records never appear (no ``publicity_ends``); repaired, expired and revoked ones
    neither.
    """
    today = today or timezone.localdate()
    return CreditRecord.objects.select_related("agency").filter(
        status__in=IN_FORCE_STATUSES,
        severity__in=sorted(PUBLISHED_SEVERITIES),
        decided_on__lte=today,
        publicity_ends__gt=today,
    )
