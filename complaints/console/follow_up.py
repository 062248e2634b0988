"""回访 in the console: the credit office's list of closed cases to call back (dissatisfied,
or unrated after ``FOLLOW_UP_UNRATED_WORKDAYS`` working days) and the form recording a call."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.policy import may, policy_required

from ..choices import FollowUpResult
from ..selectors import complaint_get_visible, follow_up_queue
from ..services.follow_up import MAX_NOTE, complaint_follow_up, may_reopen, unrated_cutoff
from .pagination import CappedCountPaginator

PAGE_SIZE = 25


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("回访结果"), choices=FollowUpResult.choices)
    note = forms.CharField(
        label=gettext_lazy("回访情况"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen = forms.BooleanField(label=gettext_lazy("重新核查（投诉转回核实）"), required=False)


@policy_required("complaint.follow_up_queue")
def queue(request):
    """The follow-up list: dissatisfied first (with the rating's comment), then unrated."""
    rows = follow_up_queue(request.user, unrated_before=unrated_cutoff())
    page = CappedCountPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_record = may(request.user, "complaint.follow_up")
    for c in page.object_list:
        c.feedback_row = getattr(c, "feedback", None)
        c.reopenable = may_reopen(c)
        c.form = FollowUpForm(prefix=c.reference) if may_record else None
    return render(
        request,
        "complaints/console/follow_up.html",
        {
            "page": page,
            "may_record": may_record,
            "follow_up_days": settings.FOLLOW_UP_UNRATED_WORKDAYS,
        },
    )


@require_POST
@policy_required("complaint.follow_up")
def record(request, reference):
    complaint = complaint_get_visible(user=request.user, reference=reference)
    form = FollowUpForm(request.POST, prefix=reference)
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[name].label} {' '.join(errs)}" for name, errs in form.errors.items()
        )
        messages.error(request, _("请检查填写内容：") + errors)
        return redirect("console:follow_up")
    try:
        complaint_follow_up(complaint=complaint, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console:follow_up")
    if form.cleaned_data["reopen"]:
        messages.success(request, _("回访已记录，投诉已转回核实。"))
        return redirect("console:case", reference=reference)
    messages.success(request, _("回访已记录。"))
    return redirect("console:follow_up")
