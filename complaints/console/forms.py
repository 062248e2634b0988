"""Console forms: one per verb (``complaints.verbs`` says which), notes and replies. The login
form is ``agencies.forms.LockoutAuthenticationForm``."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from ..choices import Channel, JudgmentOutcome, Severity
from ..forms import ComplaintForm, agency_search_results
from ..validators import validate_not_future


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EmptyForm(_VersionedForm):
    pass


class ReasonForm(_VersionedForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ExplanationForm(_VersionedForm):
    explanation = forms.CharField(
        label=_("向投诉人的解释说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "将告知投诉人。注意：以机构调整、人员变动等理由不履约的，均属于违约失信情形，"
            "不能作为不属实的理由。"
        ),
    )


class NoteForm(_VersionedForm):
    note = forms.CharField(
        label=_("办理意见（内部）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("机构调整、人员变动不是不履约的正当理由。"),
    )


def _default_due():
    return timezone.localdate() + dt.timedelta(days=30)


class FoundedForm(NoteForm):
    rectification_due = forms.DateField(
        label=_("整改期限"),
        initial=_default_due,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("默认 30 日，不得早于今天。"),
    )


class JudgmentForm(FoundedForm):
    outcome = forms.ChoiceField(label=_("裁判结果"), choices=JudgmentOutcome.choices)
    field_order = ["outcome", "note", "rectification_due", "version"]


class BreachForm(_VersionedForm):
    severity = forms.ChoiceField(label=_("失信程度"), choices=Severity.choices)
    facts = forms.CharField(
        label=_("认定事实"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("拒不整改的事实与依据。机构调整、人员变动不影响履约义务。"),
    )


class RerouteForm(ReasonForm):
    """The new handling agency is picked from a search, never from a list of every agency:
    a GET query box on the case page (``agency_q``) lists up to AGENCY_SEARCH_LIMIT matching
    active agencies as radio buttons, as on the public complaint form. Works without
    JavaScript; the page's cost does not grow with the number of agencies."""

    handling_agency = forms.ModelChoiceField(
        label=_("改派至承办单位"),
        queryset=Agency.objects.all(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请先搜索并选择改派的承办单位。"),
            "invalid_choice": _("所选机构不存在。"),
        },
    )
    field_order = ["handling_agency", "reason", "version"]

    def __init__(self, *args, agency_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_query = (agency_query or "").strip()
        # Only a displayed form searches; a posted one only looks up the agency it names.
        self.agency_results = [] if self.is_bound else agency_search_results(self.agency_query)
        # The radio widget never iterates the whole table, however the form is rendered.
        self.fields["handling_agency"].widget.choices = [
            (a.pk, a.name) for a in self.agency_results
        ]

    def clean_handling_agency(self):
        agency = self.cleaned_data["handling_agency"]
        if not agency.is_active:
            raise forms.ValidationError(
                _("%(agency)s 已停用，不能改派，请重新搜索并选择在用的机构。"),
                code="inactive",
                params={"agency": agency.name},
            )
        return agency


class ExtendForm(ReasonForm):
    amount = forms.IntegerField(
        label=_("延期天数"),
        min_value=1,
        max_value=365,
        help_text=_("一般为工作日；拖欠中小企业账款投诉为自然日，自转办起合计不超过 90 日。"),
    )
    approver = forms.CharField(label=_("批准人"), max_length=100)
    field_order = ["amount", "reason", "approver", "version"]


class DecideReviewForm(ReasonForm):
    upheld = forms.BooleanField(label=_("复核理由成立，重新核实"), required=False)
    field_order = ["upheld", "reason", "version"]


class PaymentForm(_VersionedForm):
    paid_on = forms.DateField(label=_("付款日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("付款金额（元）"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False)
    field_order = ["paid_on", "amount", "note", "version"]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("回复投诉人"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InternalNoteForm(forms.Form):
    note = forms.CharField(
        label=_("内部备注（投诉人不可见）"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RegisterForm(ComplaintForm):
    """An intake clerk registers a complaint that came by another channel (12345, a petition,
    another platform): the complaint's fields plus where it came from, so the handler and the
    origin can find each other (the origin's work-order number, the day it was received)."""

    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[(v, label) for v, label in Channel.choices if v != Channel.WEB],
    )
    origin_ref = forms.CharField(
        label=_("来源工单号"),
        max_length=64,
        help_text=_("原渠道的工单号或信访件编号；同一渠道的同一工单号只登记一次。"),
    )
    received_on = forms.DateField(
        label=_("原渠道收件日期"),
        validators=[validate_not_future],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    field_order = ["channel", "origin_ref", "received_on"]
