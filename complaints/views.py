"""Public pages: the complaint form, the one-time receipt, tracking (no account needed), and
the public statistics."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from integrity_portal.api import DomainError

from .api.throttles import IntakeThrottle
from .files import MAX_FILES, CheckedFile, evidence_check
from .forms import (
    ComplaintForm,
    FeedbackForm,
    MessageForm,
    RecoveryConfirmForm,
    RecoveryRequestForm,
    TrackForm,
    WithdrawForm,
)
from .models import Complaint, IssuedDocument
from .selectors import complaint_by_reference
from .services.conversation import complainant_message_add
from .services.documents import (
    NotIssuable,
    code_display,
    document_issue,
    document_verify,
    fingerprint,
    qr_svg,
    verify_url,
)
from .services.intake import complaint_submit
from .services.recovery import (
    RecoveryThrottled,
    access_code_recovery_confirm,
    access_code_recovery_request,
)
from .services.references import access_code_display
from .services.staging import (
    staged_as_checked,
    staged_uploads_keep,
    staged_uploads_release,
    upload_token_new,
    upload_token_valid,
    uploads_stage,
)
from .services.tracking import (
    TrackingThrottled,
    client_ident,
    complaint_for_complainant,
    complaint_public_view,
    complaint_withdraw,
    feedback_submit,
)

RECEIPT_SESSION_KEY = "complaints:receipt"
RECOVERED_SESSION_KEY = "complaints:recovered"
TRACKED_SESSION_KEY = "complaints:tracked"
TRACKED_MAX = 20


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """The form. The respondent is chosen by a search step that works without JavaScript:
    the "search" button re-renders the form with matching agencies as radio buttons.

    Chosen evidence is never lost: on any post, the files that pass the checks are staged under
    the form's token (services.staging) and listed again, so neither the search nor a failed
    submission makes the complainant choose them twice."""
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    if request.method != "POST":
        form = ComplaintForm(agency_query=query)
        return _render_form(request, form, query, upload_token_new(), staged=[])
    token = upload_token_valid(request.POST.get("upload_token")) or upload_token_new()
    staged = staged_uploads_keep(token=token, keep=request.POST.getlist("keep_upload"))
    checked, file_errors = _evidence_each(request.FILES.getlist("files"), room=len(staged))
    form = ComplaintForm(request.POST, agency_query=query)
    if "search" in request.POST:
        # A search step is not a submission: show no errors.
        form._errors = {}
    else:
        form.is_valid()
        for error in file_errors:
            form.add_error("files", error)
        if not IntakeThrottle().allow_request(request, None):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        elif form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("files", None)
            try:
                complaint, code = complaint_submit(
                    data=data, files=[*staged_as_checked(staged), *checked]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                for row in staged:
                    row.file.close()
                staged_uploads_release(token=token)
                request.session[RECEIPT_SESSION_KEY] = {
                    "reference": complaint.reference,
                    "access_code": code,
                }
                _remember_tracked(request, complaint.reference)
                return redirect("complaints:submitted")
    staged += uploads_stage(token=token, checked=checked)
    return _render_form(request, form, query, token, staged=staged)


def _evidence_each(uploads, *, room: int) -> tuple[list[CheckedFile], list[ValidationError]]:
    """Check each new file on its own, so one bad file does not drop the good ones; at most
    MAX_FILES with the ``room`` already staged."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked += evidence_check([upload])
        except ValidationError as exc:
            errors.append(exc)
    if room + len(checked) > MAX_FILES:
        errors.append(
            ValidationError(
                _("最多上传%(max)d个文件，当前为%(count)d个。"),
                params={"max": MAX_FILES, "count": room + len(checked)},
            )
        )
        checked = checked[: max(0, MAX_FILES - room)]
    return checked, errors


def _render_form(request, form, query, token, *, staged):
    return render(
        request,
        "complaints/public/form.html",
        {"form": form, "q": query, "upload_token": token, "staged": staged},
    )


def complaint_submitted(request):
    """The receipt: reference and access code, shown once (popped from the session), with the
    receipt's verification code and QR code (services.documents)."""
    receipt = request.session.pop(RECEIPT_SESSION_KEY, None)
    if receipt is None:
        return render(request, "complaints/public/submitted_gone.html", status=410)
    complaint = complaint_by_reference(receipt["reference"])
    if complaint is None:
        raise Http404
    document = document_issue(complaint=complaint, kind=IssuedDocument.Kind.RECEIPT)
    response = render(
        request,
        "complaints/public/submitted.html",
        {
            "complaint": complaint,
            "access_code": access_code_display(receipt["access_code"]),
            "view": complaint_public_view(complaint),
            **_document_context(document),
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
    """The complaint when this session proved the access code; otherwise the code prompt with
    the reference filled in (the receipt's link, the SMS and the e-mail lead here), the same
    page for a known and an unknown reference."""
    if reference not in request.session.get(TRACKED_SESSION_KEY, []):
        form = TrackForm(initial={"reference": reference})
        return render(request, "complaints/public/track.html", {"form": form})
    complaint = _tracked_complaint(request, reference)
    return _render_detail(request, complaint)


def _document_context(document) -> dict:
    return {
        "document": document,
        "document_code": code_display(document.code),
        "document_fingerprint": fingerprint(document),
        "document_qr": qr_svg(document),
        "document_url": verify_url(document),
    }


@require_safe
def track_document(request, reference, kind):
    """The printable receipt or acknowledgement of a case this session tracks."""
    complaint = _tracked_complaint(request, reference)
    if kind not in IssuedDocument.Kind.values:
        raise Http404
    try:
        document = document_issue(complaint=complaint, kind=kind)
    except NotIssuable:
        raise Http404 from None
    return render(
        request,
        "complaints/public/document.html",
        {"complaint": complaint, "content": document.content, **_document_context(document)},
    )


@require_safe
def verify(request, code):
    """/verify/<code>/: what was issued, when, by whom, whether it still stands, and whether
    the fingerprint printed on the paper (``?h=``, carried by the QR code) is the issued one."""
    result = document_verify(code=code, printed_fingerprint=request.GET.get("h"))
    if result is None:
        raise Http404
    document = result["document"]
    return render(
        request,
        "complaints/public/verify.html",
        {
            **result,
            "content": document.content,
            "document_code": code_display(document.code),
            "printed": request.GET.get("h", ""),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_request(request):
    """找回查询码, step one. Whatever the reference and contact, the same next page and the
    same message follow (services.recovery); only the throttle answers differently."""
    if request.method == "POST":
        form = RecoveryRequestForm(request.POST)
        if form.is_valid():
            reference = form.cleaned_data["reference"].strip()
            try:
                access_code_recovery_request(
                    client=client_ident(request),
                    reference=reference,
                    contact=form.cleaned_data["contact"],
                )
            except RecoveryThrottled:
                form.add_error(None, _("申请验证码过于频繁，请稍后再试。"))
            else:
                messages.info(
                    request,
                    _(
                        "如果受理编号与登记的联系方式一致，验证码已发送到该手机或邮箱，"
                        "15分钟内有效。"
                    ),
                )
                return redirect(
                    reverse("complaints:recovery_confirm")
                    + "?"
                    + urlencode({"reference": reference})
                )
    else:
        form = RecoveryRequestForm(initial={"reference": request.GET.get("reference", "")})
    return render(request, "complaints/public/recovery_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def recovery_confirm(request):
    """找回查询码, step two: the one-time code gives a new access code, shown once."""
    if request.method == "POST":
        form = RecoveryConfirmForm(request.POST)
        if form.is_valid():
            # Guessing is bounded by the service: MAX_ATTEMPTS tries per one-time code, and
            # codes are requested at the recovery rates (RECOVERY_*_RATE_LIMIT).
            result = access_code_recovery_confirm(
                client=client_ident(request),
                reference=form.cleaned_data["reference"],
                code=form.cleaned_data["code"],
            )
            if result is None:
                form.add_error("code", _("验证码不正确或已失效，请重新申请验证码。"))
            else:
                complaint, code = result
                request.session[RECOVERED_SESSION_KEY] = {
                    "reference": complaint.reference,
                    "access_code": code,
                }
                _remember_tracked(request, complaint.reference)
                return redirect("complaints:recovery_done")
    else:
        form = RecoveryConfirmForm(initial={"reference": request.GET.get("reference", "")})
    return render(request, "complaints/public/recovery_confirm.html", {"form": form})


@require_safe
def recovery_done(request):
    """The new access code, shown once (popped from the session), like the receipt."""
    recovered = request.session.pop(RECOVERED_SESSION_KEY, None)
    if recovered is None:
        return redirect("complaints:track")
    response = render(
        request,
        "complaints/public/recovery_done.html",
        {
            "reference": recovered["reference"],
            "access_code": access_code_display(recovered["access_code"]),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


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
