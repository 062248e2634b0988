"""Console pages under /console/sanctions/: credit check, repairs, sanctions and rules, the
credit office's tasks with their printable notices, and typical cases."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from agencies.policy import may, policy_required, require
from agencies.selectors import agency_by_id_or_uscc
from complaints.console.exports import table_export
from complaints.files import download_name, download_response
from credit_records.selectors import credit_record_list_visible_to
from integrity_portal.api import DomainError

from ..choices import OPEN_REPAIR_STATUSES, SanctionStatus, TaskKind, TaskStatus
from ..models import SanctionRule
from ..selectors import (
    credit_records_by_ids,
    measure_labels,
    notice_task_basis,
    office_task_list,
    repair_list_visible_to,
    rule_changes,
    sanction_rules,
    sanctions_with_status,
    typical_case_candidates,
    typical_cases_all,
)
from ..services import (
    credit_check,
    office_task_done,
    repair_apply,
    repair_approve,
    repair_confirm,
    repair_reject,
    sanction_rule_create,
    sanction_rule_update,
    typical_case_mark,
)
from ..services.repairs import may_confirm, repair_eligibility
from .forms import (
    CreditCheckForm,
    NoteForm,
    RejectForm,
    RepairApplyForm,
    SanctionRuleForm,
    TypicalCaseForm,
)

PAGE_SIZE = 25


@policy_required("credit_check.run")
def check(request):
    """信用核查: a funding, procurement or awards officer asks "may agency X receive M?"."""
    result = agency = None
    form = CreditCheckForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        agency = agency_by_id_or_uscc(agency_id=data.get("agency"), uscc=data.get("uscc"))
        if agency is None:
            form.add_error(None, _("未找到该主体。"))
        else:
            result = credit_check(
                agency_id=agency.pk,
                measure=data["measure"],
                purpose=data["purpose"],
                actor=request.user,
            )
            basis_ids = {r for s in result.sanctions for r in s["basis_records"]}
            result.records = credit_records_by_ids(basis_ids)
            result.measure_label = measure_labels().get(data["measure"], data["measure"])
    return render(
        request,
        "sanctions/console/check.html",
        {"form": form, "result": result, "agency": agency},
    )


@policy_required("repair.read")
def repairs(request):
    qs = repair_list_visible_to(user=request.user).order_by("due_on", "pk")
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=OPEN_REPAIR_STATUSES)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for repair in page.object_list:
        repair.is_overdue = repair.status in OPEN_REPAIR_STATUSES and repair.due_on < today
    return render(request, "sanctions/console/repairs.html", {"page": page, "status": status})


@policy_required("repair.read")
def repair(request, pk: int):
    obj = get_object_or_404(repair_list_visible_to(user=request.user), pk=pk)
    user = request.user
    obj.is_overdue = obj.status in OPEN_REPAIR_STATUSES and obj.due_on < timezone.localdate()
    context = {
        "repair": obj,
        "events": obj.events.select_related("actor").order_by("pk"),
        "can_confirm": obj.status == "pending" and may_confirm(actor=user, repair=obj),
        "can_decide": may(user, "repair.decide") and obj.status in OPEN_REPAIR_STATUSES,
        "note_form": NoteForm(),
        "reject_form": RejectForm(),
    }
    return render(request, "sanctions/console/repair.html", context)


@policy_required("repair.read")
def repair_file(request, pk: int, file_pk: int):
    """A repair application's evidence file, for whoever may see the repair (the credit office
    and auditors, the applying agency's liaison, the confirming department's handlers); 404
    otherwise. Served as a download under a generated name, never inline."""
    obj = get_object_or_404(repair_list_visible_to(user=request.user), pk=pk)
    item = get_object_or_404(obj.files.all(), pk=file_pk)
    name = download_name(reference=f"repair-{obj.pk}", pk=item.pk, content_type=item.content_type)
    return download_response(item.file, name=name, user=request.user)


@policy_required("repair.apply")
def repair_new(request, record_pk: int):
    """Apply for repair of one record in the user's scope (a liaison: its own agency's). The
    page says first whether the record may be repaired now, and from when if not."""
    record = get_object_or_404(credit_record_list_visible_to(user=request.user), pk=record_pk)
    problem = repair_eligibility(record=record)
    form = RepairApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = repair_apply(record_id=record.pk, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("修复申请已提交。"))
            return redirect("sanctions_console:repair", pk=created.pk)
    return render(
        request,
        "sanctions/console/repair_form.html",
        {"record": record, "form": form, "problem": problem[1] if problem else None},
    )


REPAIR_VERBS = {
    "confirm": (repair_confirm, "repair.confirm"),
    "approve": (repair_approve, "repair.decide"),
    "reject": (repair_reject, "repair.decide"),
}


@require_POST
@policy_required("repair.read")
def repair_act(request, pk: int, action: str):
    if action not in REPAIR_VERBS:
        raise Http404
    service, verb = REPAIR_VERBS[action]
    obj = get_object_or_404(repair_list_visible_to(user=request.user), pk=pk)
    require(request.user, verb)
    form = (RejectForm if action == "reject" else NoteForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return redirect("sanctions_console:repair", pk=obj.pk)
    kwargs = (
        {"reason": form.cleaned_data["reason"]}
        if action == "reject"
        else {"note": form.cleaned_data["note"]}
    )
    if action in ("approve", "reject") and request.POST.get("confirmed") != "1":
        return _repair_confirm_page(request, obj, action, kwargs)
    try:
        service(repair_id=obj.pk, actor=request.user, **kwargs)
    except (DomainError, ValidationError) as exc:
        messages.error(request, str(getattr(exc, "detail", None) or "; ".join(exc.messages)))
    else:
        messages.success(request, _("已办理。"))
    return redirect("sanctions_console:repair", pk=obj.pk)


def _repair_confirm_page(request, obj, action: str, kwargs: dict):
    """Approving or rejecting a repair is final: the page says what follows before it is done."""
    record = obj.record
    if action == "approve":
        title = _("批准信用修复")
        consequences = [
            _("该记录标为已修复，停止公示。"),
            _("解除以该记录为依据的惩戒措施，重新计算信用评分。"),
            _("通知申请单位。"),
        ]
    else:
        title = pgettext("action", "不予修复")
        consequences = [_("申请办结，记录继续公示。"), _("将理由通知申请单位。")]
    text = kwargs.get("reason") or kwargs.get("note") or "—"
    return render(
        request,
        "console/confirm.html",
        {
            "title": title,
            "subject": f"{obj.agency.name} · {record.get_kind_display()}",
            "details": [(_("修复申请说明"), obj.statement), (_("意见"), text)],
            "consequences": consequences,
            "fields": list(kwargs.items()),
            "action": request.path,
            "cancel": reverse("sanctions_console:repair", kwargs={"pk": obj.pk}),
        },
    )


@policy_required("office_task.read")
def tasks(request):
    status = request.GET.get("status", TaskStatus.OPEN)
    qs = office_task_list()
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    basis = notice_task_basis(page.object_list)
    for task in page.object_list:
        task.basis = basis.get(task.pk, [])
    return render(request, "sanctions/console/tasks.html", {"page": page, "status": status})


@policy_required("office_task.read")
def notice(request, pk: int):
    """Printable notice (通报 / 约谈通知书 / 曝光) for a task opened by a sanction."""
    task = get_object_or_404(office_task_list().filter(sanction__isnull=False), pk=pk)
    sanction = task.sanction
    behind = notice_task_basis([task])[task.pk]
    records = sorted(
        {r.pk: r for s in behind for r in s.basis_records.all()}.values(),
        key=lambda r: (r.decided_on, r.pk),
    )
    return render(
        request,
        "sanctions/console/notice.html",
        {
            "task": task,
            "sanction": sanction,
            "records": records,
            "rule_names": _("、").join(dict.fromkeys(s.rule.name for s in behind)),
            "is_interview": task.kind == TaskKind.LEADER_INTERVIEW,
            "today": timezone.localdate(),
        },
    )


@require_POST
@policy_required("office_task.done")
def task_done(request, pk: int):
    get_object_or_404(office_task_list(), pk=pk)
    try:
        office_task_done(task_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("sanctions_console:tasks")


@policy_required("sanction.browse")
def sanctions(request):
    status = request.GET.get("status", SanctionStatus.ACTIVE)
    qs = sanctions_with_status(status)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _sanctions_export(export, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "sanctions/console/sanctions.html", {"page": page, "rules": _rule_items()}
    )


def _sanctions_export(kind: str, queryset):
    header = [
        _("主体"),
        _("统一社会信用代码"),
        _("惩戒措施"),
        _("规则"),
        _("状态"),
        _("实施时间"),
        _("解除时间"),
        _("解除原因"),
    ]

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = (
        [
            s.agency.name,
            s.agency.uscc or "",
            s.measure.label,
            s.rule.name if s.rule_id else "",
            s.get_status_display(),
            local(s.imposed_at),
            local(s.lifted_at),
            s.get_lift_reason_display() if s.lift_reason else "",
        ]
        for s in queryset.iterator(chunk_size=1000)
    )
    return table_export(kind, header, rows, name="sanctions", sheet=_("失信惩戒"))


def _rule_items() -> list[dict]:
    """The rules with their codes (record kinds, minimum severity) as labels in the reader's
    language: a code never reaches the page."""
    _fields, codes = _rule_labels()
    kinds, severities = codes["kinds"], codes["min_severity"]
    return [
        {
            "rule": r,
            "kinds": [kinds.get(k, k) for k in r.kinds],
            "severity": severities.get(r.min_severity, r.min_severity),
        }
        for r in sanction_rules()
    ]


def _editor(request, *, edit_verb: str) -> bool:
    """Read pages whose form only some may submit: a POST needs ``edit_verb`` (403 otherwise).
    Returns whether the user may edit (the form is shown)."""
    if request.method == "POST":
        require(request.user, edit_verb)
    return may(request.user, edit_verb)


def _rule_labels() -> tuple[dict, dict]:
    """Field labels and code labels (kinds, severities, measures) in the user's language."""
    form = SanctionRuleForm()
    fields = {name: field.label for name, field in form.fields.items()}
    codes = {
        name: dict(form.fields[name].choices) for name in ("kinds", "min_severity", "measures")
    }
    return fields, codes


def _rule_value(name: str, value, labels: dict) -> str:
    if name in ("kinds", "measures"):
        codes = value or []
        if not codes:
            return _("任何失信记录") if name == "kinds" else "—"
        return _("、").join(str(labels[name].get(code, code)) for code in codes)
    if name == "min_severity":
        return str(labels[name].get(value, value)) if value else _("不限")
    if name == "is_active":
        return _("是") if value else _("否")
    if value in (None, ""):
        return "—"
    return str(value)


def _rule_history(rule: SanctionRule, field_labels: dict, labels: dict) -> list[dict]:
    """The service's log of a rule (RuleChange rows), as readable field changes."""
    history = []
    for change in rule_changes(rule):
        rows = []
        for name in field_labels:
            before, after = change.before.get(name), change.after.get(name)
            if change.action == "update" and before == after:
                continue
            rows.append(
                {
                    "label": field_labels[name],
                    "before": _rule_value(name, before, labels) if change.before else "",
                    "after": _rule_value(name, after, labels),
                }
            )
        history.append({"change": change, "rows": rows})
    return history


def _rule_save(request, form, rule=None):
    """Runs the rule service; field errors come back onto the form. Returns the rule or None."""
    try:
        if rule is None:
            saved = sanction_rule_create(data=form.service_data(), actor=request.user)
        else:
            saved = sanction_rule_update(
                rule_id=rule.pk, data=form.service_data(), actor=request.user
            )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    if rule is not None and saved.version == rule.version:
        messages.info(request, _("没有修改。"))
    else:
        messages.success(request, _("规则已保存，已安排重新核算全部主体的惩戒措施。"))
    return saved


@policy_required("sanction_rule.browse")
def rules(request):
    can_edit = may(request.user, "sanction_rule.edit")
    items = _rule_items()
    return render(request, "sanctions/console/rules.html", {"items": items, "can_edit": can_edit})


@policy_required("sanction_rule.edit")
def rule_new(request):
    form = SanctionRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = _rule_save(request, form)
        if rule is not None:
            return redirect("sanctions_console:rule", pk=rule.pk)
    return render(request, "sanctions/console/rule_form.html", {"form": form, "rule": None})


@policy_required("sanction_rule.browse")
def rule(request, pk: int):
    can_edit = _editor(request, edit_verb="sanction_rule.edit")
    obj = get_object_or_404(sanction_rules(), pk=pk)
    form = None
    if can_edit:
        form = SanctionRuleForm(request.POST or None, rule=obj)
        if request.method == "POST" and form.is_valid():
            if _rule_save(request, form, obj) is not None:
                return redirect("sanctions_console:rule", pk=obj.pk)
    field_labels, labels = _rule_labels()
    summary = [
        (field_labels[name], _rule_value(name, value, labels))
        for name, value in SanctionRuleForm.initial_for(obj).items()
    ]
    return render(
        request,
        "sanctions/console/rule_form.html",
        {
            "form": form,
            "rule": obj,
            "summary": summary,
            "history": _rule_history(obj, field_labels, labels),
        },
    )


@policy_required("typical_case.browse")
def typical_cases_console(request):
    can_edit = _editor(request, edit_verb="typical_case.mark")
    form = None
    if can_edit:
        initial = {"record": request.GET.get("record")} if request.GET.get("record") else None
        form = TypicalCaseForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                typical_case_mark(
                    record_id=data["record_id"],
                    title=data["title"],
                    facts=data["facts"],
                    outcome=data["outcome"],
                    concern_reason=data.get("concern_reason", ""),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
            else:
                messages.success(request, _("已标记为典型案例，并在公开网站发布。"))
                return redirect("sanctions_console:typical_cases")
    page = Paginator(typical_cases_all(), PAGE_SIZE).get_page(request.GET.get("page"))
    # Recent negative records not yet published, to pick from; the service decides eligibility.
    candidates = typical_case_candidates() if can_edit else []
    return render(
        request,
        "sanctions/console/typical_cases.html",
        {"form": form, "page": page, "candidates": candidates},
    )
