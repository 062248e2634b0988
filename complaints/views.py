"""Public pages: the complaint form, the one-time receipt, tracking (no account needed), and
the public statistics."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from integrity_portal.api import DomainError

from .api.throttles import IntakeThrottle
from .forms import ComplaintForm, FeedbackForm, MessageForm, TrackForm, WithdrawForm
from .models import Complaint
from .selectors import complaint_by_reference
from .services.conversation import complainant_message_add
from .services.intake import complaint_submit
from .services.references import access_code_display
from .services.tracking import (
    TrackingThrottled,
    complaint_for_complainant,
    complaint_public_view,
    complaint_withdraw,
    feedback_submit,
)

RECEIPT_SESSION_KEY = "complaints:receipt"
TRACKED_SESSION_KEY = "complaints:tracked"
TRACKED_MAX = 20


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """The form. The respondent is chosen by a search step that works without JavaScript:
    the "search" button re-renders the form with matching agencies as radio buttons."""
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    if request.method == "POST" and "search" not in request.POST:
        form = ComplaintForm(request.POST, request.FILES, agency_query=query)
        if not IntakeThrottle().allow_request(request, None):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        elif form.is_valid():
            data = dict(form.cleaned_data)
            files = data.pop("files", [])
            try:
                complaint, code = complaint_submit(data=data, files=files)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[RECEIPT_SESSION_KEY] = {
                    "reference": complaint.reference,
                    "access_code": code,
                }
                _remember_tracked(request, complaint.reference)
                return redirect("complaints:submitted")
    elif request.method == "POST":
        # The search button: keep what was typed, show matches, validate nothing yet.
        form = ComplaintForm(request.POST, agency_query=query)
        form._errors = {}  # a search step is not a submission: show no errors
    else:
        form = ComplaintForm(agency_query=query)
    return render(request, "complaints/public/form.html", {"form": form, "q": query})


def complaint_submitted(request):
    """The receipt: reference and access code, shown once (popped from the session)."""
    receipt = request.session.pop(RECEIPT_SESSION_KEY, None)
    if receipt is None:
        return render(request, "complaints/public/submitted_gone.html", status=410)
    complaint = complaint_by_reference(receipt["reference"])
    if complaint is None:
        raise Http404
    response = render(
        request,
        "complaints/public/submitted.html",
        {
            "complaint": complaint,
            "access_code": access_code_display(receipt["access_code"]),
            "view": complaint_public_view(complaint),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _remember_tracked(request, reference: str) -> None:
    tracked = [r for r in request.session.get(TRACKED_SESSION_KEY, []) if r != reference]
    request.session[TRACKED_SESSION_KEY] = [reference, *tracked][:TRACKED_MAX]


def _tracked_complaint(request, reference: str) -> Complaint:
    if reference not in request.session.get(TRACKED_SESSION_KEY, []):
        raise Http404
    complaint = complaint_by_reference(reference)
    if complaint is None:
        raise Http404
    return complaint


@require_http_methods(["GET", "POST"])
def track(request):
    """Lookup by reference and access code; success remembers the reference in the session
    (so the code never appears in a URL) and shows the complaint."""
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                complaint = complaint_for_complainant(
                    request=request,
                    reference=form.cleaned_data["reference"],
                    access_code=form.cleaned_data["access_code"],
                )
            except TrackingThrottled:
                form.add_error(None, _("查询失败次数过多，请稍后再试。"))
            else:
                if complaint is None:
                    form.add_error(None, _("未找到该投诉，或查询码不正确。"))
                else:
                    _remember_tracked(request, complaint.reference)
                    return redirect("complaints:track_detail", reference=complaint.reference)
    else:
        form = TrackForm(initial={"reference": request.GET.get("reference", "")})
    return render(request, "complaints/public/track.html", {"form": form})


def track_detail(request, reference):
    complaint = _tracked_complaint(request, reference)
    return _render_detail(request, complaint)


def _render_detail(request, complaint, **forms):
    context = {
        "complaint": complaint,
        "view": complaint_public_view(complaint),
        "message_form": forms.get("message_form") or MessageForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
    }
    status = 400 if forms else 200
    return render(request, "complaints/public/track_detail.html", context, status=status)


def _track_action(request, reference, form_name: str, form, act, done: str):
    """One complainant action on the tracking page: a bound form (re-shown with its errors,
    400), the service ``act(complaint, cleaned_data)`` (a refusal becomes an error message),
    then back to the page."""
    complaint = _tracked_complaint(request, reference)
    if not form.is_valid():
        return _render_detail(request, complaint, **{form_name: form})
    try:
        act(complaint, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done)
    return redirect("complaints:track_detail", reference=reference)


@require_POST
def track_message(request, reference):
    return _track_action(
        request,
        reference,
        "message_form",
        MessageForm(request.POST, request.FILES),
        lambda complaint, data: complainant_message_add(
            complaint=complaint, body=data.get("body") or "", files=data.get("files") or []
        ),
        _("留言和材料已提交。"),
    )


@require_POST
def track_withdraw(request, reference):
    return _track_action(
        request,
        reference,
        "withdraw_form",
        WithdrawForm(request.POST),
        lambda complaint, data: complaint_withdraw(complaint=complaint, reason=data["reason"]),
        _("投诉已撤回。"),
    )


@require_POST
def track_feedback(request, reference):
    return _track_action(
        request,
        reference,
        "feedback_form",
        FeedbackForm(request.POST),
        lambda complaint, data: feedback_submit(complaint=complaint, **data),
        _("感谢您的评价。"),
    )
