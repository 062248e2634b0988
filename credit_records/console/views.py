"""Credit office console: record list with export, objections, agency profiles."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.policy import policy_required
from complaints.selectors import complaint_list_visible_to
from integrity_portal.api import DomainError

from ..charts import score_chart
from ..choices import ObjectionStatus
from ..exports import records_csv, records_xlsx
from ..filtersets import CreditRecordFilterSet
from ..providers import profile_extras
from ..selectors import (
    agency_profile_get,
    agency_score_history,
    credit_record_list_visible_to,
    objection_list_visible_to,
)
from ..services.objections import objection_dismiss, objection_uphold
from ..services.scoring import agency_score, score_weights

PAGE_SIZE = 25


@policy_required("credit_record.browse")
def record_list(request):
    """信用记录: filters as the API; ``?export=csv`` (streamed) or ``?export=xlsx``."""
    queryset = credit_record_list_visible_to(user=request.user).order_by("-decided_on", "-id")
    filterset = CreditRecordFilterSet(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    export = request.GET.get("export")
    if export == "csv":
        return records_csv(rows)
    if export == "xlsx":
        return records_xlsx(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "credit_records/console/records.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@policy_required("objection.read")
def objection_list(request):
    objections = objection_list_visible_to(user=request.user)
    status = request.GET.get("status", ObjectionStatus.PENDING)
    if status in ObjectionStatus.values:
        objections = objections.filter(status=status)
    page = Paginator(objections.order_by("due_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "credit_records/console/objections.html",
        {
            "page": page,
            "status": status,
            "statuses": ObjectionStatus.choices,
            "today": timezone.localdate(),
        },
    )


@require_POST
@policy_required("objection.decide")
def objection_decide(request, pk: int, decision: str):
    decide = {"uphold": objection_uphold, "dismiss": objection_dismiss}.get(decision)
    if decide is None:
        raise Http404
    objection = get_object_or_404(objection_list_visible_to(user=request.user), pk=pk)
    note = request.POST.get("note", "")[:5000]
    try:
        decide(objection_id=objection.pk, actor=request.user, note=note)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("异议已处理。"))
    return redirect("credit_console:objections")


@policy_required("agency_profile.view")
def agency_profile(request, pk: int):
    """An agency's credit file: credit office and auditors any agency; a liaison its own."""
    user = request.user
    agency = agency_profile_get(user=user, pk=pk)
    records = (
        credit_record_list_visible_to(user=user)
        .filter(agency=agency)
        .order_by("-decided_on", "-id")[:200]
    )
    score, grade, negatives = agency_score(agency.pk)
    chart = score_chart(agency_score_history(agency.pk))
    complaints = complaint_list_visible_to(user).filter(respondent_agency=agency)[:20]
    return render(
        request,
        "credit_records/console/agency.html",
        {
            "agency": agency,
            "records": records,
            "score": score,
            "grade": grade,
            "active_negative_records": negatives,
            "chart": chart,
            "complaints": complaints,
            "weights": score_weights(),
            **profile_extras(agency.pk),
        },
    )
