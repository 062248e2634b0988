"""Reads of the evaluation: the ledger (台账), the scheme versions and the archived reports."""

from agencies.models import Agency
from agencies.policy import office_region
from complaints.filtersets import ComplaintFilterSet
from complaints.selectors import complaint_list_visible_to

from .models import EvaluationReport, EvaluationScheme

# The ledger's columns: the page reads them as model fields, the file as plain tuples (no
# model instances: 100,000 rows in seconds, ``exports``).
LEDGER_COLUMNS = (
    "reference",
    "complainant_name",
    "respondent_agency__name",
    "handling_agency__name",
    "domain",
    "amount_involved",
    "submitted_at",
    "routed_at",
    "due_at",
    "closed_at",
    "status",
    "clock_paused_at",
    "feedback__satisfaction",
)


def ledger_rows(*, user, params, period=None):
    """The complaint ledger: the complaints ``user`` sees, with the queue's filters
    (``ComplaintFilterSet``) and the period of submission, oldest first, each with the time it
    was first routed (stored when it was) and its rating. A ``ValidationError``-free
    filterset is the caller's."""
    queryset = complaint_list_visible_to(user)
    if period is not None:
        queryset = queryset.filter(
            submitted_at__gte=period.start_at, submitted_at__lt=period.end_at
        )
    filterset = ComplaintFilterSet(params, queryset=queryset)
    return filterset, (
        filterset.qs.select_related("respondent_agency", "handling_agency", "feedback")
        .only(*LEDGER_COLUMNS)
        .order_by("submitted_at", "id")
    )


def scheme_versions():
    return EvaluationScheme.objects.order_by("-version")


def archived_reports():
    return EvaluationReport.objects.defer("xlsx", "figures").order_by("-period_end", "kind")


def report_figures_for(user, figures: dict) -> dict:
    """An archived report's tables as ``user`` may read them: a region-scoped officer
    (levels, DESIGN section 13) gets the rows of their region's agencies and regions only
    (their ranks stay those of the whole report); everyone else the whole report."""
    region = office_region(user)
    if region is None:
        return figures
    agencies = set(
        Agency.objects.filter(region__code__startswith=region).values_list("pk", flat=True)
    )
    return {
        group_by: [
            row
            for row in rows
            if (
                str(row["key"] or "").startswith(region)
                if group_by == "region"
                else row["key"] in agencies
            )
        ]
        for group_by, rows in figures.items()
    }
