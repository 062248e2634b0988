"""Console pages around the queue: assignment within a department (one case from its page,
several from the queue), the handler's own cases, and saved queue filters."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.policy import policy_required
from integrity_portal.api import DomainError

from ..models import SavedFilter
from ..selectors import complaint_get_visible, complaint_queue
from ..services.assignment import complaint_assign, complaints_assign_bulk, department_handlers
from .views import _explain, _queue_page

SAVED_FILTERS_KEPT = 30  # per user
# Parameters a saved filter keeps: the queue's own filters, never a page or an export.
UNSAVED_PARAMS = ("page", "export", "csrfmiddlewaretoken")


@policy_required("complaint.my_cases")
def my_cases(request):
    """我的案件: the open cases of the handler's department assigned to the handler."""
    qs = complaint_queue(request.user).filter(assignee=request.user)
    return _queue_page(request, qs, title=_("我的案件"))


def _assignee_from(request):
    """The chosen user (the service checks they are a handler of the case's department); the
    empty value means "back to the department" (None)."""
    raw = request.POST.get("assignee", "").strip()
    if raw == "":
        return None
    if not raw.isdigit():
        raise ValidationError({"assignee": _("请选择承办人。")}, code="invalid")
    assignee = get_user_model().objects.filter(pk=int(raw)).first()
    if assignee is None:
        raise ValidationError({"assignee": _("请选择承办人。")}, code="invalid")
    return assignee


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@require_POST
@policy_required("complaint.assign")
def assign(request, reference):
    """Give the case to a handler of its department, or back to the department."""
    complaint = complaint_get_visible(user=request.user, reference=reference)
    try:
        assignee = _assignee_from(request)
        complaint_assign(
            complaint=complaint,
            actor=request.user,
            assignee=assignee,
            expected_version=_version(request),
        )
    except DomainError as exc:
        _explain(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": _("指派承办人")})
    return redirect("console:case", reference=reference)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
@policy_required("complaint.assign")
def assign_bulk(request):
    """The queue's bulk assignment: the selected rows to one handler, all or none."""
    references = request.POST.getlist("references")
    try:
        assignee = _assignee_from(request)
        changed = complaints_assign_bulk(
            references=references, actor=request.user, assignee=assignee
        )
    except DomainError as exc:
        _explain(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已指派 %(n)s 件案件。") % {"n": changed})
    return _back(request, reverse("console:queue"))


def saved_filters_of(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user=user).only("id", "name", "query"))


def assign_choices(user) -> list:
    """Whom a handler may give the department's cases to (the bulk form's list)."""
    return list(department_handlers(user.agency_id))


@require_POST
@policy_required("complaint.read")
def filter_save(request):
    """Save the queue's current filter under a name (replacing one of the same name)."""
    name = request.POST.get("name", "").strip()
    query = QueryDict(request.POST.get("query", ""), mutable=True)
    for key in UNSAVED_PARAMS:
        query.pop(key, None)
    path = request.POST.get("path", "")
    if path not in (reverse("console:queue"), reverse("console:my_cases")):
        path = reverse("console:queue")
    text = f"{path}?{query.urlencode()}"
    if not name:
        messages.error(request, _("请填写筛选名称。"))
    elif len(name) > SavedFilter._meta.get_field("name").max_length:
        messages.error(request, _("筛选名称过长。"))
    elif len(text) > SavedFilter._meta.get_field("query").max_length:
        messages.error(request, _("筛选条件过长，无法保存。"))
    elif (
        SavedFilter.objects.filter(user=request.user).exclude(name=name).count()
        >= SAVED_FILTERS_KEPT
    ):
        messages.error(request, _("最多保存 %(n)s 个筛选。") % {"n": SAVED_FILTERS_KEPT})
    else:
        SavedFilter.objects.update_or_create(user=request.user, name=name, defaults={"query": text})
        messages.success(request, _("筛选已保存。"))
    return redirect(text)


@require_POST
@policy_required("complaint.read")
def filter_delete(request, pk):
    """Delete one of the user's saved filters (another user's is a 404)."""
    get_object_or_404(SavedFilter, pk=pk, user=request.user).delete()
    messages.success(request, _("筛选已删除。"))
    return _back(request, reverse("console:queue"))
