"""Credit office console: record list with export, objections, agency profiles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from agencies.policy import may, policy_required, require
from complaints.files import download_name, download_response
from complaints.selectors import complaint_list_visible_to
from integrity_portal.api import DomainError

from ..charts import score_chart
from ..choices import ObjectionStatus, RecordStatus
from ..exports import records_csv, records_xlsx
from ..filtersets import CreditRecordFilterSet
from ..models import ArrearsPublication, IntegrationClient
from ..providers import profile_extras
from ..selectors import (
    agency_profile_get,
    agency_score_history,
    credit_record_list_visible_to,
    objection_list_visible_to,
)
from ..services.clients import integration_client_create, integration_client_update
from ..services.objections import objection_dismiss, objection_file, objection_uphold
from ..services.performance import SUPERVISED_STATUSES, credit_record_perform
from ..services.publication import (
    arrears_publication_pending,
    arrears_publication_publish,
    arrears_publication_rows,
    arrears_publication_status,
)
from ..services.scoring import agency_score, score_weights
from .forms import IntegrationClientEditForm, IntegrationClientForm, ObjectionForm, PerformForm

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
    reads_arrears = may(request.user, "arrears_publication.read")
    # The "review and publish" notice is for those who may publish (a deployment-wide act);
    # a region-scoped office still reads the page through the link below.
    publishes = may(request.user, "arrears_publication.publish")
    pending_year = arrears_publication_pending() if publishes else None
    return render(
        request,
        "credit_records/console/records.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "pending_year": pending_year,
            # The publication page is reachable all year (last year's list), not only through
            # the January–March notice.
            "arrears_year": timezone.localdate().year - 1 if reads_arrears else None,
            "deadline": f"{pending_year + 1}-03-31" if pending_year else "",
        },
    )


@policy_required("credit_record.browse")
def record_detail(request, pk: int):
    """One record: its facts, its deadline to perform (pushed dishonest_debtor / arrears) with
    the supervision it drew, and its history; the credit office records performance here."""
    record = get_object_or_404(credit_record_list_visible_to(user=request.user), pk=pk)
    form = PerformForm(request.POST or None, initial={"performed_on": timezone.localdate()})
    if request.method == "POST":
        if not may(request.user, "credit_record.perform"):
            raise PermissionDenied
        if form.is_valid():
            try:
                credit_record_perform(record_id=record.pk, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
            else:
                messages.success(request, _("已登记履行，限期履行督办结束。"))
                return redirect("credit_console:record", pk=record.pk)
    today = timezone.localdate()
    overdue = (
        record.perform_due_on is not None
        and record.performed_on is None
        and record.perform_due_on < today
    )
    return render(
        request,
        "credit_records/console/record.html",
        {
            "record": record,
            "events": record.events.select_related("actor").order_by("id"),
            "form": form,
            "overdue": overdue,
            "can_perform": (
                record.perform_due_on is not None
                and record.performed_on is None
                and record.status in SUPERVISED_STATUSES
                and may(request.user, "credit_record.perform")
            ),
        },
    )


@policy_required("arrears_publication.read")
def arrears_publication(request, year: int):
    """The annual publication of overdue payments to SMEs (DESIGN section 12): the draft's
    lines for review (live until published, then frozen), and for the credit office the
    publish action, confirmed first since it cannot be undone."""
    if not 2000 <= year <= 2100:
        raise Http404
    ended = year < timezone.localdate().year
    if request.method == "POST":
        if not may(request.user, "arrears_publication.publish"):
            raise PermissionDenied
        if not ended:
            messages.error(
                request,
                _("只能公开已经结束的年度（%(last)s 年及以前）。")
                % {"last": timezone.localdate().year - 1},
            )
            return redirect("credit_console:arrears", year=year)
        if request.POST.get("confirmed") != "1":
            return render(
                request,
                "console/confirm.html",
                {
                    "title": _("公开拖欠账款信息"),
                    "subject": _("%(year)s 年度逾期尚未支付中小企业款项的合同数量和金额")
                    % {"year": year},
                    "consequences": [
                        _("按当前数据生成最终名单并冻结，不再随办理进展变化。"),
                        _("名单在公开网站发布。"),
                    ],
                    "fields": [],
                    "action": request.path,
                    "cancel": request.path,
                },
            )
        try:
            arrears_publication_publish(year=year, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("已公开。"))
        return redirect("credit_console:arrears", year=year)
    status = arrears_publication_status(year)
    return render(
        request,
        "credit_records/console/arrears.html",
        {
            "year": year,
            "rows": arrears_publication_rows(year=year),
            "published": status == ArrearsPublication.Status.PUBLISHED,
            "can_publish": ended and may(request.user, "arrears_publication.publish"),
        },
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
    if decision == "uphold" and request.POST.get("confirmed") != "1":
        # Upholding revokes the record and lifts what rests on it: confirmed first.
        record = objection.record
        return render(
            request,
            "console/confirm.html",
            {
                "title": pgettext("action", "异议成立"),
                "subject": f"{record.agency.name} · {record.get_kind_display()}",
                "details": [(_("异议理由"), objection.reason), (_("处理意见"), note or "—")],
                "consequences": [
                    _("撤销该信用记录，停止公示。"),
                    _("解除以该记录为依据的惩戒措施，重新计算信用评分。"),
                    _("通知提出异议的单位。"),
                ],
                "fields": [("note", note)],
                "action": request.path,
                "cancel": reverse("credit_console:objections"),
            },
        )
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


@policy_required("objection.file")
def own_records(request):
    """The liaison's records: its agency's credit records, each with what it may do next
    (object to an active record, apply for repair), and its objections and repairs."""
    records = (
        credit_record_list_visible_to(user=request.user)
        .filter(agency_id=request.user.agency_id)
        .order_by("-decided_on", "-id")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    objections = objection_list_visible_to(user=request.user).order_by("-filed_at")[:20]
    return render(
        request,
        "credit_records/console/own_records.html",
        {"page": page, "objections": objections, "active": RecordStatus.ACTIVE},
    )


@policy_required("objection.read")
def objection_file_download(request, pk: int, file_pk: int):
    """An objection's evidence file, for whoever may see the objection (the credit office and
    auditors within their level, the objecting agency's liaison); 404 otherwise. Served as a
    download under a generated name, never inline."""
    objection = get_object_or_404(objection_list_visible_to(user=request.user), pk=pk)
    item = get_object_or_404(objection.files.all(), pk=file_pk)
    name = download_name(
        reference=f"objection-{objection.pk}", pk=item.pk, content_type=item.content_type
    )
    return download_response(item.file, name=name, user=request.user)


@policy_required("objection.file")
def objection_new(request, pk: int):
    """File an objection to one record of the liaison's own agency (404 for any other)."""
    record = get_object_or_404(credit_record_list_visible_to(user=request.user), pk=pk)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection_file(record_id=record.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            messages.success(request, _("异议已提交，信用办将在处理期限内答复。"))
            return redirect("credit_console:own_records")
    return render(
        request, "credit_records/console/objection_form.html", {"record": record, "form": form}
    )


@policy_required("integration_client.read")
def integration_clients(request):
    """对接系统: the external systems, the complaint channel each registers by and whether it
    reads the change feed; a new one shows its token on this answer only. Adding one is for a
    deployment-wide office (``integration_client.manage``); a region-scoped officer reads."""
    manages = may(request.user, "integration_client.manage")
    if request.method == "POST":
        require(request.user, "integration_client.manage")
    form = IntegrationClientForm(request.POST or None) if manages else None
    token = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, token = integration_client_create(
                name=data["name"],
                source=data["source"],
                actor=request.user,
                channel=data["channel"] or None,
                reads_changes=data["reads_changes"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            form = IntegrationClientForm()
            messages.success(request, _("对接系统“%(name)s”已添加。") % {"name": created.name})
    clients = [
        (
            client,
            IntegrationClientEditForm(initial=_edit_initial(client), prefix=f"c{client.pk}")
            if manages
            else None,
        )
        for client in IntegrationClient.objects.order_by("name")
    ]
    return render(
        request,
        "credit_records/console/clients.html",
        {"form": form, "clients": clients, "token": token},
        status=400 if form is not None and form.errors else 200,
    )


def _edit_initial(client):
    return {"channel": client.channel, "reads_changes": client.reads_changes}


def _add_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_POST
@policy_required("integration_client.manage")
def integration_client_edit(request, pk: int):
    client = get_object_or_404(IntegrationClient, pk=pk)
    form = IntegrationClientEditForm(request.POST, prefix=f"c{client.pk}")
    if form.is_valid():
        try:
            integration_client_update(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{client.name}：{error}")
        return redirect("credit_console:clients")
    messages.success(request, _("对接系统“%(name)s”已更新。") % {"name": client.name})
    return redirect("credit_console:clients")
