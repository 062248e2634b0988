"""Reads of complaints. Visibility (DESIGN section 9) lives here and nowhere else."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.choices import StaffRole

from .choices import OPEN_STATUSES, Status
from .models import Complaint, ComplaintEvent, Feedback

LIST_RELATED = ("respondent_agency", "handling_agency")
# Long text no list shows: left out of list queries so sorting and transfer stay narrow.
LIST_DEFERRED = ("description", "remedy_sought", "explanation", "access_code_hash")


def _scope(user) -> Q | None:
    """The visibility condition of ``user``; ``None`` = everything, ``Q(pk__in=[])`` = nothing."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.is_superuser or user.role in (StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
        return None
    if user.role == StaffRole.HANDLER and user.agency_id:
        return Q(handling_agency_id=user.agency_id)
    if user.role == StaffRole.AGENCY_LIAISON and user.agency_id:
        return Q(respondent_agency_id=user.agency_id)
    if user.role == StaffRole.INTAKE_CLERK:
        return Q(registered_by_id=user.pk)
    return Q(pk__in=[])


def complaint_list_visible_to(user) -> QuerySet[Complaint]:
    """Every complaint ``user`` may see, with what a list page shows joined in (fixed query
    count per page)."""
    qs = Complaint.objects.select_related(*LIST_RELATED)
    scope = _scope(user)
    return qs if scope is None else qs.filter(scope)


def complaint_is_visible_to(user, complaint: Complaint) -> bool:
    """The same rule as ``complaint_list_visible_to`` for one loaded row (no query)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.role in (StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
        return True
    if user.role == StaffRole.HANDLER:
        return bool(user.agency_id) and complaint.handling_agency_id == user.agency_id
    if user.role == StaffRole.AGENCY_LIAISON:
        return bool(user.agency_id) and complaint.respondent_agency_id == user.agency_id
    if user.role == StaffRole.INTAKE_CLERK:
        return complaint.registered_by_id == user.pk
    return False


def complaint_get_visible(*, user, reference: str) -> Complaint:
    """The complaint by reference if ``user`` may see it, else 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(complaint_list_visible_to(user), reference=reference)


def contact_visible_to(user, complaint: Complaint) -> bool:
    """Complainant contact data: hidden from the respondent's liaison without consent
    (anti-retaliation, DESIGN section 11)."""
    if user.role == StaffRole.AGENCY_LIAISON and not user.is_superuser:
        return complaint.consent_to_share_contact
    return complaint_is_visible_to(user, complaint)


def complaint_queue(user) -> QuerySet[Complaint]:
    """The work queue: open cases in scope, the most urgent first (no due date last)."""
    from django.db.models import BooleanField, Case, F, Value, When

    return (
        complaint_list_visible_to(user)
        .defer(*LIST_DEFERRED)
        .annotate(
            is_overdue=Case(
                When(overdue_condition(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(F("due_at").asc(nulls_last=True), "submitted_at", "id")
    )


def overdue_condition(now=None) -> Q:
    now = now or timezone.now()
    return Q(status__in=OPEN_STATUSES, due_at__lt=now, clock_paused_at__isnull=True)


def complaint_timeline(*, complaint: Complaint, include_internal: bool):
    events = ComplaintEvent.objects.filter(complaint=complaint).select_related("actor")
    if not include_internal:
        events = events.filter(is_public=True)
    return events.order_by("seq")


def status_counts(user) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        complaint_list_visible_to(user)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update(dict(rows))
    return counts


# --- public statistics (/stats/) -------------------------------------------------------------

STATS_CACHE_KEY = "complaints:public-stats"
# Refreshed every ten minutes by beat (``complaints.tasks.stats_refresh``); the entry outlives
# two refreshes, so a visitor computes the figures only when there is no entry at all (first
# visit, embedded mode without beat, an evicted entry).
STATS_CACHE_SECONDS = 1800
STATS_RANKING_SIZE = 20


def public_statistics(*, refresh: bool = False) -> dict:
    """Figures for the public statistics page (DESIGN section 8), from the cache unless
    ``refresh`` (the beat task) or there is none.

    Counts only, never a complainant: totals, outcomes, domains, overdue open cases,
    satisfaction, and the agencies complained about most — only those with at least
    ``settings.STATS_MIN_CASES`` complaints, so a single case never names an agency. Six
    grouped queries whatever the number of complaints, but over all of them: about 2 s at 1M
    complaints, which is why a periodic task computes them and the page only reads.
    """
    cached = None if refresh else cache.get(STATS_CACHE_KEY)
    if cached is not None:
        return cached
    now = timezone.now()
    year_start = timezone.localtime(now).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    by_status = dict(Complaint.objects.order_by().values_list("status").annotate(n=Count("id")))
    by_domain = dict(Complaint.objects.order_by().values_list("domain").annotate(n=Count("id")))
    minimum = settings.STATS_MIN_CASES
    ranking = list(
        Complaint.objects.order_by()
        .values("respondent_agency_id", "respondent_agency__name")
        .annotate(total=Count("id"), breaches=Count("id", filter=Q(status=Status.BREACH)))
        .filter(total__gte=minimum)
        .order_by("-total", "respondent_agency__name")[:STATS_RANKING_SIZE]
    )
    stats = {
        "computed_at": now,
        "total": sum(by_status.values()),
        "this_year": Complaint.objects.filter(submitted_at__gte=year_start).count(),
        "open": sum(n for status, n in by_status.items() if status in OPEN_STATUSES),
        "overdue_open": Complaint.objects.filter(
            status__in=OPEN_STATUSES, due_at__lt=now, clock_paused_at__isnull=True
        ).count(),
        "by_status": by_status,
        "by_domain": by_domain,
        "satisfaction": dict(
            Feedback.objects.order_by().values_list("satisfaction").annotate(n=Count("id"))
        ),
        "ranking": [
            {
                "agency_id": row["respondent_agency_id"],
                "agency": row["respondent_agency__name"],
                "total": row["total"],
                "breaches": row["breaches"],
            }
            for row in ranking
        ],
        "ranking_minimum": minimum,
    }
    cache.set(STATS_CACHE_KEY, stats, STATS_CACHE_SECONDS)
    return stats
