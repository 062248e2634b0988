"""The staff console (/console/): queues, the case page and its action forms.

Views only read through selectors and write through services; a stale form (the case changed
since the page was loaded) is refused by the service and explained here.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from agencies.forms import LockoutAuthenticationForm
from agencies.policy import AGENCY_LIAISON, HANDLER, OFFICE, may, policy_required, require, roles_of
from integrity_portal.api import DomainError, StaleObject
from integrity_portal.models import AccessLog
from integrity_portal.workdays import Calendar

from ..choices import OPEN_STATUSES, Action, Status
from ..files import download_name, download_response
from ..filtersets import ConsoleFilterSet
from ..forms import AGENCY_SEARCH_LIMIT
from ..models import SavedFilter
from ..selectors import (
    attachment_get_visible,
    complaint_case_related,
    complaint_get_visible,
    complaint_queue,
    complaint_scope,
    complaint_timeline,
    contact_visible_to,
    overdue_condition,
)
from ..services import deadlines
from ..services.arrears import arrears_summary
from ..services.assignment import department_handlers
from ..services.conversation import complaint_note_add, complaint_reply
from ..services.intake import complaint_submit
from ..services.references import access_code_display
from ..services.transitions import may_act
from ..timeline import internal_text, public_text
from ..verbs import VERBS, verbs_allowed
from . import pagination
from .exports import queue_export
from .forms import InternalNoteForm, RegisterForm, ReplyForm
from .pagination import CappedCountPaginator

PAGE_SIZE = 25
AGENCY_QUERY_PARAM = "agency_q"  # the reroute form's agency search (a GET parameter)


class LoginView(auth_views.LoginView):
    template_name = "complaints/console/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True
    next_page = "console:queue"


class LogoutView(auth_views.LogoutView):
    next_page = "console:login"


# The counters at the top of a queue (DESIGN: a queue that says what is due), each a filter.
COUNTERS = (
    ("today", _lazy("今日到期")),
    ("soon", _lazy("2个工作日内到期")),
    ("overdue", _lazy("已超期")),
    ("supervised", _lazy("已督办")),
    ("unassigned", _lazy("未指派")),
)
DUE_SOON_WORKDAYS = 2


def _due_conditions(now) -> dict[str, Q]:
    """The counters' conditions on open cases whose clock runs: due by the end of today, by
    the end of the second working day from today, already overdue; supervised (督办) ones."""
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()

    def end_of(day):
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)

    running = Q(status__in=OPEN_STATUSES, clock_paused_at__isnull=True)
    soon_end = end_of(Calendar().add_workdays(today, DUE_SOON_WORKDAYS))
    return {
        "today": running & Q(due_at__gte=now, due_at__lt=end_of(today)),
        "soon": running & Q(due_at__gte=now, due_at__lt=soon_end),
        "overdue": overdue_condition(now),
        "supervised": Q(status__in=OPEN_STATUSES, supervised_at__isnull=False),
        # Open cases still with the department as a whole (no named handler, deliverable 3).
        "unassigned": Q(status__in=OPEN_STATUSES, assignee__isnull=True),
    }


def _queue_page(request, queryset, *, title: str, default_open: bool = True, extra=None):
    params = request.GET.copy()
    due = params.pop("due", [""])[-1]
    if default_open and "status" not in params:
        params.setlist("status", sorted(OPEN_STATUSES))
    now = timezone.now()
    conditions = _due_conditions(now)
    # One capped count per counter, over the queue's cases before the filters: like the
    # list's own count, a counter stops at the cap instead of counting a whole region.
    cap = pagination.COUNT_CAP
    counts = {}
    for key, condition in conditions.items():
        n = queryset.filter(condition).order_by()[: cap + 1].count()
        counts[key] = f"{cap}+" if n > cap else n
    filterset = ConsoleFilterSet(params, queryset=queryset.select_related("assignee"))
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    if due in conditions:
        rows = rows.filter(conditions[due])
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return queue_export(export, rows)
    page = CappedCountPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_remaining(page.object_list, now)
    query = params.copy()
    query.pop("page", None)
    query.pop("export", None)
    base = query.copy()
    if due in conditions:
        query["due"] = due
    counters = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "active": key == due,
            "query": _with(base, due=key),
        }
        for key, label in COUNTERS
    ]
    context = {
        "title": title,
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "counters": counters,
        "due": due,
        "without_due": base.urlencode(),
        "status_chips": _status_chips(params),
        # Bulk assignment: the department's handlers, for those who may assign.
        "assignees": (
            list(department_handlers(request.user.agency_id))
            if may(request.user, "complaint.assign")
            else None
        ),
        "saved_filters": list(SavedFilter.objects.filter(user=request.user)),
        "here": request.get_full_path(),
        **(extra or {}),
    }
    return render(request, "complaints/console/queue.html", context)


def _with(query, **values) -> str:
    query = query.copy()
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


def _status_chips(params) -> list[dict]:
    """The status filter as chips: each toggles its status in the current filter."""
    chosen = set(params.getlist("status"))
    chips = []
    for value, label in Status.choices:
        toggled = params.copy()
        toggled.pop("page", None)
        toggled.setlist("status", sorted(chosen ^ {value}))
        chips.append(
            {"value": value, "label": label, "on": value in chosen, "query": toggled.urlencode()}
        )
    return chips


def _mark_remaining(rows, now) -> None:
    """Remaining working days to each row's due date, and the due-soon marker (≤ 2)."""
    calendar = Calendar()
    today = timezone.localdate(now)
    for c in rows:
        c.remaining_workdays = None
        c.due_soon = False
        if c.due_at and not c.clock_paused_at and c.status in OPEN_STATUSES and not c.is_overdue:
            due_day = timezone.localdate(c.due_at)
            c.remaining_workdays = calendar.workdays_between(today, due_day)
            c.due_soon = c.remaining_workdays <= DUE_SOON_WORKDAYS


@policy_required("complaint.read")
def queue(request):
    """The work queue of whoever logs in: handlers see their agency's cases, liaisons the
    complaints against their agency, the credit office and auditors everything."""
    roles = roles_of(request.user)
    if roles & OFFICE:
        title = _("全部案件")
    elif AGENCY_LIAISON in roles:
        title = _("针对本单位的投诉")
    else:
        title = _("待办案件")
    queryset = complaint_queue(request.user)
    if may(request.user, "complaint.routing_queue"):
        # The credit office's unrouted cases come first: nobody else can move them.
        queryset = queryset.annotate(
            routing_first=Case(
                When(status=Status.PENDING_ROUTING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("routing_first", *queryset.query.order_by)
    return _queue_page(request, queryset, title=title)


@policy_required("complaint.routing_queue")
def routing(request):
    """Credit office: cases waiting for routing (待分办)."""
    qs = complaint_queue(request.user).filter(status=Status.PENDING_ROUTING)
    return _queue_page(request, qs, title=_("待分办案件"), default_open=False)


@policy_required("complaint.supervision_queue")
def supervision(request):
    """Credit office and auditors: overdue and supervised (督办) open cases."""
    # Overdue open cases; supervised (督办) and escalated (约谈) ones are tagged in the list.
    qs = complaint_queue(request.user).filter(overdue_condition())
    return _queue_page(request, qs, title=_("超期与督办案件"))


@policy_required("complaint.read")
def case(request, reference):
    user = request.user
    complaint = complaint_get_visible(user=user, reference=reference)
    show_contact = contact_visible_to(user, complaint)
    if show_contact:
        AccessLog.objects.create(
            user=user, what="complainant_contact", object_ref=complaint.reference, via="console"
        )
    # The respondent's liaison sees the public timeline only (no internal notes).
    is_liaison = AGENCY_LIAISON in roles_of(user) and not roles_of(user) & OFFICE
    events = list(complaint_timeline(complaint=complaint, include_internal=not is_liaison))
    for event in events:
        event.label = event.get_action_display()
        event.public_text = public_text(event)
        event.internal_text = "" if is_liaison else internal_text(event)
    agency_q = request.GET.get(AGENCY_QUERY_PARAM, "").strip()[:100]
    action_forms = [
        {
            "code": code,
            "label": VERBS[code].label,
            "form": _display_form(code, complaint, agency_q=agency_q),
        }
        for code in verbs_allowed(actor=user, complaint=complaint)
    ]
    may_note = may_act(actor=user, complaint=complaint, action=Action.INTERNAL_NOTE)
    may_assign = (
        complaint.status in OPEN_STATUSES
        and user.agency_id == complaint.handling_agency_id
        and may_act(actor=user, complaint=complaint, action=Action.ASSIGN)
    )
    context = {
        "complaint": complaint,
        "show_contact": show_contact,
        "events": events,
        "deadline_history": deadlines.deadline_history(events),
        "arrears": arrears_summary(complaint),
        "action_forms": action_forms,
        **complaint_case_related(complaint),
        "reply_form": ReplyForm() if may(user, "complaint.reply") else None,
        "note_form": InternalNoteForm() if may_note else None,
        "is_liaison": is_liaison,
        "assign_to": (
            list(department_handlers(complaint.handling_agency_id)) if may_assign else None
        ),
        "credit_profile": _credit_profile_offered(user, complaint),
        "agency_q": agency_q,
        "agency_query_param": AGENCY_QUERY_PARAM,
        "agency_search_limit": AGENCY_SEARCH_LIMIT,
    }
    return render(request, "complaints/console/case.html", context)


def _credit_profile_offered(user, complaint) -> bool:
    """Whether the case page links to the respondent's credit file: only when the user may
    open it (``credit_records.selectors.agency_profile_get`` decides the same way): the credit
    office and auditors always, the liaison its own agency, the handling department once it
    has determined the breach (the record derived from it puts the agency in its scope)."""
    if not may(user, "agency_profile.view"):
        return False
    roles = roles_of(user)
    if roles & OFFICE:
        return True
    if AGENCY_LIAISON in roles and complaint.respondent_agency_id == user.agency_id:
        return True
    return (
        HANDLER in roles
        and complaint.status == Status.BREACH
        and complaint.handling_agency_id == user.agency_id
    )


def _display_form(code, complaint, *, agency_q: str):
    kwargs = {"initial": {"version": complaint.version}, "prefix": code}
    if code == Action.REROUTE:
        kwargs["agency_query"] = agency_q
    return VERBS[code].form(**kwargs)


def _back_to_case(request, reference, action):
    """After a reroute that did not happen, the agency search the officer made is shown again."""
    url = reverse("console:case", kwargs={"reference": reference})
    agency_q = request.POST.get(AGENCY_QUERY_PARAM, "").strip()[:100]
    if action == Action.REROUTE and agency_q:
        return redirect(f"{url}?{urlencode({AGENCY_QUERY_PARAM: agency_q})}#action-reroute")
    return redirect(url)


def _explain(request, exc) -> None:
    if isinstance(exc, StaleObject):
        messages.error(
            request,
            _("该案件在您打开页面后已被他人处理或修改，本次操作未执行。请查看最新情况后再操作。"),
        )
    else:
        messages.error(request, str(exc.detail))


@require_POST
@policy_required("complaint.read")
def act(request, reference, action):
    """One verb of ``complaints.verbs`` from its console form: 404 outside the user's scope,
    403 outside its role; the service re-checks both, then the state and the version the form
    was opened on (a message), and the input."""
    verb = VERBS.get(action)
    if verb is None:
        raise Http404
    complaint = complaint_get_visible(user=request.user, reference=reference)
    require(request.user, f"complaint.{action}")
    form = verb.form(request.POST, prefix=action)
    if not form.is_valid():
        messages.error(request, _("请检查填写内容：") + _errors(form))
        return _back_to_case(request, reference, action)
    if action in IRREVERSIBLE and request.POST.get("confirmed") != "1":
        if form.cleaned_data["version"] != complaint.version:
            # Said now, not after the confirmation: the case changed since the form was opened.
            _explain(request, StaleObject())
            return redirect("console:case", reference=reference)
        return _confirm(request, complaint, action, verb, form)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        verb.service(complaint=complaint, actor=request.user, expected_version=version, **data)
    except DomainError as exc:
        _explain(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_case(request, reference, action)
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": verb.label})
    return redirect("console:case", reference=reference)


# Verbs that cannot be undone from the console: each asks for a confirmation page first, which
# says what will follow (a breach becomes a credit record and its sanctions; a rejection closes
# the case and tells the complainant).
IRREVERSIBLE = {
    Action.DETERMINE_BREACH: (
        _lazy("生成该主体的政务失信记录，并在公示期内公开（一般、严重失信）。"),
        _lazy("按惩戒规则对该主体实施相应的惩戒措施。"),
        _lazy("投诉办结，通知投诉人认定结果。"),
    ),
    Action.REJECT: (
        _lazy("投诉不予受理并办结。"),
        _lazy("通知投诉人不予受理的理由。"),
    ),
}


def _confirm(request, complaint, action, verb, form):
    """The confirmation page of an irreversible verb: what will happen, with the form's input
    carried over unchanged (the version too, so a case changed meanwhile is still refused)."""
    details = [
        (form.fields[name].label, _display_value(form, name))
        for name in form.fields
        if name != "version" and form.cleaned_data.get(name) not in (None, "")
    ]
    fields = [
        (key, value)
        for key in request.POST
        if key != "csrfmiddlewaretoken"
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "console/confirm.html",
        {
            "title": verb.label,
            "subject": " · ".join(
                (complaint.reference, complaint.title, complaint.respondent_agency.name)
            ),
            "details": details,
            "consequences": IRREVERSIBLE[action],
            "fields": fields,
            "action": request.path,
            "cancel": reverse("console:case", kwargs={"reference": complaint.reference}),
        },
    )


def _display_value(form, name) -> str:
    value = form.cleaned_data[name]
    choices = dict(getattr(form.fields[name], "choices", None) or ())
    return str(choices.get(value, value))


def _errors(form) -> str:
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''} {' '.join(errs)}".strip()
        for name, errs in form.errors.items()
    )


@require_POST
@policy_required("complaint.reply")
def reply(request, reference):
    complaint = complaint_get_visible(user=request.user, reference=reference)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            complaint_reply(complaint=complaint, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("回复已发送。"))
    else:
        messages.error(request, _("请填写回复内容。"))
    return redirect("console:case", reference=reference)


@require_POST
@policy_required("complaint.internal_note")
def note(request, reference):
    complaint = complaint_get_visible(user=request.user, reference=reference)
    form = InternalNoteForm(request.POST)
    if form.is_valid():
        complaint_note_add(complaint=complaint, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("备注已保存。"))
    else:
        messages.error(request, _("请填写备注内容。"))
    return redirect("console:case", reference=reference)


@policy_required("complaint.read")
def attachment(request, reference, pk):
    """Evidence download: permission-checked, always as an attachment, never inline."""
    item = attachment_get_visible(user=request.user, reference=reference, pk=pk)
    name = download_name(reference=reference, pk=item.pk, content_type=item.content_type)
    return download_response(item.file, name=name, user=request.user)


RECEIPTS_SESSION_KEY = "console_receipts"  # reference → access code, for the registrant only
RECEIPTS_KEPT = 20


@policy_required("complaint.register")
def register(request):
    """The intake clerk registers a complaint that came by phone (12345), petition or another
    platform; the receipt with the access code is printed for the caller. The respondent is
    chosen by a search step that works without JavaScript, as on the public form."""
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    if request.method == "POST" and "search" not in request.POST:
        form = RegisterForm(request.POST, request.FILES, agency_query=query)
        if form.is_valid():
            data = dict(form.cleaned_data)
            files = data.pop("files", [])
            channel = data.pop("channel")
            origin = {"origin_ref": data.pop("origin_ref"), "received_on": data.pop("received_on")}
            try:
                # The origin's work-order number is the complaint's origin id (unique per
                # channel, DESIGN section 13): re-keying the same 12345 order finds the first
                # complaint instead of making a second one.
                complaint, code = complaint_submit(
                    data=data,
                    files=files,
                    actor=request.user,
                    channel=channel,
                    origin=origin,
                    external_ref=origin["origin_ref"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if code is None:
                    return _registered_before(request, complaint)
                receipts = dict(request.session.get(RECEIPTS_SESSION_KEY, {}))
                receipts[complaint.reference] = code
                # The newest few only: a receipt is printed at once, not kept in the session.
                kept = list(receipts.items())[-RECEIPTS_KEPT:]
                request.session[RECEIPTS_SESSION_KEY] = dict(kept)
                messages.success(request, _("投诉已登记，请打印回执交投诉人。"))
                return redirect("console:receipt", reference=complaint.reference)
    elif request.method == "POST":
        form = RegisterForm(request.POST, agency_query=query)
        form._errors = {}  # a search step is not a submission: show no errors
    else:
        form = RegisterForm(agency_query=query)
    return render(request, "complaints/console/register.html", {"form": form, "q": query})


def _registered_before(request, complaint):
    """The work order was registered already: say so with its reference; open the case when
    this user may see it, else back to an empty form (no link to a page they would not get)."""
    messages.warning(
        request,
        _("该工单已于 %(date)s 登记，受理编号 %(reference)s，未重复登记。")
        % {
            "date": timezone.localtime(complaint.submitted_at).date().isoformat(),
            "reference": complaint.reference,
        },
    )
    if complaint_scope(request.user).admits(complaint):
        return redirect("console:case", reference=complaint.reference)
    return redirect("console:register")


@policy_required("complaint.register")
def receipt(request, reference):
    """The printable receipt of a complaint this user just registered, with its access code
    (kept in the registrant's session only: the platform stores no plain access code)."""
    complaint = complaint_get_visible(user=request.user, reference=reference)
    code = request.session.get(RECEIPTS_SESSION_KEY, {}).get(complaint.reference)
    submitted = complaint.events.filter(action=Action.SUBMIT).order_by("seq").first()
    response = render(
        request,
        "complaints/console/receipt.html",
        {
            "complaint": complaint,
            "access_code": access_code_display(code) if code else None,
            "origin": (submitted.data or {}) if submitted else {},
        },
    )
    response["Cache-Control"] = "no-store"
    return response
