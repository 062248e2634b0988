"""Reads of credit records. Visibility lives here; views and other apps call these."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agencies.models import Agency
from agencies.policy import (
    AGENCY_LIAISON,
    HANDLER,
    INTEGRATION_CLIENT,
    OFFICE,
    Scope,
    office_scope,
    roles_of,
)
from agencies.selectors import agency_search_condition

from .choices import PUBLISHED_SEVERITIES, Polarity, RecordStatus
from .models import AgencyCreditScoreHistory, CreditRecord, Objection

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
    if INTEGRATION_CLIENT not in roles_of(user):
        return None
    return user.integration_client


def credit_record_scope(user) -> Scope:
    """Which records ``user`` sees: all for the credit office and auditors; a liaison its own
    agency's; a handler those derived from complaints its department handled (the breaches it
    determined); an integration client what it pushed as its source; nothing otherwise."""
    roles = roles_of(user)
    if roles & OFFICE:
        return office_scope(user, "agency")
    if AGENCY_LIAISON in roles:
        return Scope.where(agency_id=user.agency_id)
    if HANDLER in roles:
        return Scope.where(complaint__handling_agency_id=user.agency_id)
    if INTEGRATION_CLIENT in roles:
        return Scope.where(source=user.integration_client.source)
    return Scope.none()


def credit_record_list_visible_to(*, user) -> QuerySet[CreditRecord]:
    return credit_record_scope(user).filter(
        CreditRecord.objects.select_related("agency", "complaint")
    )


def objection_scope(user) -> Scope:
    """Objections: the credit office and auditors all; a liaison its own agency's."""
    roles = roles_of(user)
    if roles & OFFICE:
        return office_scope(user, "agency")
    if AGENCY_LIAISON in roles:
        return Scope.where(agency_id=user.agency_id)
    return Scope.none()


def objection_list_visible_to(*, user) -> QuerySet[Objection]:
    return objection_scope(user).filter(
        Objection.objects.select_related(
            "record__agency", "record__complaint", "agency", "filed_by", "decided_by"
        ).prefetch_related("files")
    )


def agency_profile_get(*, user, pk: int) -> Agency:
    """An agency whose credit file ``user`` may open, else 404: any for the credit office and
    auditors; a liaison only its own (another agency's file is outside its scope); a handler an
    agency with a record derived from a complaint its department handled."""
    agency = get_object_or_404(Agency.objects.select_related("region", "supervisor"), pk=pk)
    roles = roles_of(user)
    if roles & OFFICE:
        return agency
    if AGENCY_LIAISON in roles and agency.pk == user.agency_id:
        return agency
    if HANDLER in roles and credit_record_list_visible_to(user=user).filter(agency=agency).exists():
        return agency
    raise Http404


def agency_score_history(agency_id: int, *, points: int = 60) -> list[tuple]:
    """The last ``points`` (date, score) pairs of an agency, oldest first (the trend chart)."""
    rows = (
        AgencyCreditScoreHistory.objects.filter(agency_id=agency_id)
        .order_by("-recorded_at", "-id")
        .values_list("recorded_at", "score")[:points]
    )
    return [(at.date().isoformat(), score) for at, score in reversed(list(rows))]


def published_records(*, today=None, agency_query: str = "") -> QuerySet[CreditRecord]:
    """Records inside their publicity window (general/serious, in force): the public list,
    of the agencies whose name or USCC matches ``agency_query`` when given.

    Minor records never appear (no ``publicity_ends``); repaired, expired and revoked ones
    neither.
    """
    today = today or timezone.localdate()
    records = CreditRecord.objects.select_related("agency").filter(
        status__in=IN_FORCE_STATUSES,
        severity__in=sorted(PUBLISHED_SEVERITIES),
        decided_on__lte=today,
        publicity_ends__gt=today,
    )
    if agency_query:
        records = records.filter(
            agency__in=Agency.objects.filter(agency_search_condition(agency_query))
        )
    return records


def agency_public_get(pk: int) -> Agency:
    """An agency's public credit profile, else 404."""
    return get_object_or_404(Agency.objects.select_related("region"), pk=pk)


def positive_record_count(agency_id: int) -> int:
    """The agency's active positive (守信) records."""
    return CreditRecord.objects.filter(
        agency_id=agency_id, polarity=Polarity.POSITIVE, status=RecordStatus.ACTIVE
    ).count()


def credit_record_id_for(*, record_id: int | None, complaint_reference: str = "") -> int | None:
    """The id of the record ``record_id``, or of the latest record produced by the complaint
    ``complaint_reference``; None when there is none."""
    if record_id:
        return CreditRecord.objects.filter(pk=record_id).values_list("pk", flat=True).first()
    return (
        CreditRecord.objects.filter(complaint__reference=complaint_reference)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
