"""Credit office console: record list with export, objections, agency profiles."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.choices import StaffRole
from agencies.models import Agency
from complaints.selectors import complaint_list_visible_to
from integrity_portal.api import DomainError

from ..charts import score_chart
from ..choices import ObjectionStatus
from ..exports import records_csv, records_xlsx
from ..filtersets import CreditRecordFilterSet
from ..models import AgencyCreditScoreHistory
from ..providers import profile_extras
from ..selectors import credit_record_list_visible_to, objection_list_visible_to
from ..services.objections import objection_dismiss, objection_uphold
from ..services.scoring import agency_score, score_weights

PAGE_SIZE = 25


def credit_staff_required(view):
    """Credit office and auditors (read-only) only; anyone else logged in gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@credit_staff_required
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


@credit_staff_required
def objection_list(request):
    objections = objection_list_visible_to(user=request.user).select_related("record__agency")
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
@credit_staff_required
def objection_decide(request, pk: int, decision: str):
    if not request.user.is_credit_officer:
        raise PermissionDenied
    objection = get_object_or_404(objection_list_visible_to(user=request.user), pk=pk)
    decide = {"uphold": objection_uphold, "dismiss": objection_dismiss}.get(decision)
    if decide is None:
        raise PermissionDenied
    note = request.POST.get("note", "")[:5000]
    try:
        decide(objection_id=objection.pk, actor=request.user, note=note)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("异议已处理。"))
    return redirect("credit_console:objections")


@login_required
def agency_profile(request, pk: int):
    """An agency's credit file: credit office and auditors any agency; a liaison its own."""
    user = request.user
    agency = get_object_or_404(Agency.objects.select_related("region", "supervisor"), pk=pk)
    if not user.has_role(StaffRole.CREDIT_OFFICER, StaffRole.AUDITOR):
        if user.role != StaffRole.AGENCY_LIAISON:
            raise PermissionDenied
        if user.agency_id != agency.pk:
            raise Http404  # another agency's file is outside a liaison's scope
    records = (
        credit_record_list_visible_to(user=user)
        .filter(agency=agency)
        .order_by("-decided_on", "-id")[:200]
    )
    score, grade, negatives = agency_score(agency.pk)
    history = list(
        AgencyCreditScoreHistory.objects.filter(agency=agency)
        .order_by("-recorded_at", "-id")
        .values_list("recorded_at", "score")[:60]
    )[::-1]
    chart = score_chart([(at.date().isoformat(), s) for at, s in history])
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
