"""Reads of complaints. Visibility (DESIGN section 9) lives here and nowhere else."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agencies.policy import (
    AGENCY_LIAISON,
    COMPLAINANT,
    HANDLER,
    INTAKE_CLERK,
    OFFICE,
    Scope,
    office_scope,
    roles_of,
)

from .choices import CLOSED_STATUSES, OPEN_STATUSES, Action, Status
from .models import Attachment, Complaint, ComplaintEvent, Feedback

LIST_RELATED = ("respondent_agency", "handling_agency")
# Long text no list shows: left out of list queries so sorting and transfer stay narrow.
LIST_DEFERRED = ("description", "remedy_sought", "explanation", "access_code_hash")


def complaint_scope(user) -> Scope:
    """Which complaints ``user`` sees (DESIGN section 9): the credit office and auditors every
    one; a handler those its agency handles; a liaison those against its agency; an intake
    clerk those it registered; a complainant (reference + access code) their own."""
    roles = roles_of(user)
    if roles & OFFICE:
        return office_scope(user, "respondent_agency")
    if HANDLER in roles:
        return Scope.where(handling_agency_id=user.agency_id)
    if AGENCY_LIAISON in roles:
        return Scope.where(respondent_agency_id=user.agency_id)
    if INTAKE_CLERK in roles:
        return Scope.where(registered_by_id=user.pk)
    if COMPLAINANT in roles:
        return Scope.where(pk=user.complaint_id)
    return Scope.none()


def complaint_list_visible_to(user) -> QuerySet[Complaint]:
    """Every complaint ``user`` may see, with what a list page shows joined in (fixed query
    count per page)."""
    return complaint_scope(user).filter(Complaint.objects.select_related(*LIST_RELATED))


def complaint_is_visible_to(user, complaint: Complaint) -> bool:
    """The same rule as ``complaint_list_visible_to``, for one loaded row (no query)."""
    return complaint_scope(user).admits(complaint)


def complaint_get_visible(*, user, reference: str) -> Complaint:
    """The complaint by reference if ``user`` may see it, else 404."""
    return get_object_or_404(complaint_list_visible_to(user), reference=reference)


def contact_visible_to(user, complaint: Complaint) -> bool:
    """Complainant contact data: hidden from the respondent's liaison without the
    complainant's consent (anti-retaliation, DESIGN section 11)."""
    if not complaint_is_visible_to(user, complaint):
        return False
    if AGENCY_LIAISON in roles_of(user) and not roles_of(user) & OFFICE:
        return complaint.consent_to_share_contact
    return True


def complaint_queue(user) -> QuerySet[Complaint]:
    """The work queue: open cases in scope, the most urgent first (no due date last)."""
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


def follow_up_queue(user, *, unrated_before) -> QuerySet[Complaint]:
    """回访 (seed 000: 不满意的评价 … 跟踪处理): closed cases in ``user``'s scope whose
    complainant was dissatisfied and nobody has followed up yet (``Feedback.flagged``), and
    closed cases nobody rated that closed before ``unrated_before`` and have had no follow-up
    call since closing. Dissatisfied first, then the oldest closure; the rating and comment
    are joined in (one query per page)."""
    rateable = sorted(CLOSED_STATUSES - {Status.WITHDRAWN})
    called = ComplaintEvent.objects.filter(
        complaint=OuterRef("pk"), action=Action.FOLLOW_UP, created_at__gte=OuterRef("closed_at")
    )
    return (
        complaint_list_visible_to(user)
        .select_related("feedback")
        .defer(*LIST_DEFERRED)
        .filter(status__in=rateable)
        .filter(
            Q(feedback__flagged=True)
            | Q(feedback__isnull=True, closed_at__lt=unrated_before) & ~Exists(called)
        )
        .annotate(
            dissatisfied=Case(
                When(feedback__flagged=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-dissatisfied", "closed_at", "id")
    )


def overdue_condition(now=None) -> Q:
    now = now or timezone.now()
    return Q(status__in=OPEN_STATUSES, due_at__lt=now, clock_paused_at__isnull=True)


def attachment_get_visible(*, user, reference: str, pk: int) -> Attachment:
    """An evidence file of a complaint ``user`` may see, else 404."""
    complaint = complaint_get_visible(user=user, reference=reference)
    return get_object_or_404(Attachment, pk=pk, complaint=complaint)


def complaint_case_related(complaint: Complaint) -> dict:
    """What the case page shows beside the complaint: evidence, the conversation with the
    complainant, and the complaints flagged as its duplicates."""
    return {
        "attachments": list(complaint.attachments.all()),
        "chat": list(complaint.messages.select_related("author")),
        "duplicates": list(complaint.duplicates.only("reference", "title", "status")),
        # 回访: the complainant's rating and comment, for the staff who follow it up.
        "feedback": Feedback.objects.filter(complaint=complaint).first(),
    }


def complaint_by_reference(reference: str) -> Complaint | None:
    """A complaint with its agencies, by reference, for the complainant's own pages (who
    proved it is theirs by other means: the receipt in their session, the access code)."""
    return (
        Complaint.objects.select_related("respondent_agency", "handling_agency")
        .filter(reference=reference)
        .first()
    )


def complaint_timeline(*, complaint: Complaint, include_internal: bool):
    events = ComplaintEvent.objects.filter(complaint=complaint).select_related("actor")
    if not include_internal:
        events = events.filter(is_public=True)
    return events.order_by("seq")


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
