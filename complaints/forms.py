"""The public complaint form, the tracking lookup and the complainant's actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.selectors import agency_list
from agencies.validators import validate_uscc

from .choices import ComplainantType, Domain, Satisfaction
from .files import ACCEPT_ATTRIBUTE, MAX_FILES, evidence_check
from .validators import normalize_phone, validate_amount, validate_not_future

# One line per domain: what counts (seed 004 section 二(二)).
DOMAIN_EXPLANATIONS = {
    Domain.PROCUREMENT: _("政府部门作为采购人，不按合同验收、付款或擅自变更、解除采购合同。"),
    Domain.BIDDING: _("招标人违法变更中标结果、不签订或不履行中标合同。"),
    Domain.INVESTMENT_ATTRACTION: _("招商引资协议约定的土地、配套、奖补等承诺未兑现。"),
    Domain.PPP: _("政府和社会资本合作项目中政府方不履行付费、补贴、调价等合同义务。"),
    Domain.INDUSTRIAL_SUPPORT: _("已批准的产业扶持资金、奖励、贴息等不按约定拨付。"),
    Domain.GOVERNMENT_INVESTMENT: _("政府投资项目拖延结算、审计或不支付工程款。"),
    Domain.PAYMENT_ARREARS: _("机关、事业单位拖欠中小企业的货物、工程、服务款项。"),
    Domain.POLICY_FULFILMENT: _("已公布的惠企政策、承诺事项符合条件却不兑现。"),
    Domain.OTHER: _("其他政府部门与企业签订的协议、合同中的违约毁约行为。"),
}

AGENCY_SEARCH_LIMIT = 20


def agency_search_results(query: str, *, chosen=None) -> list[Agency]:
    """The agency picker without JavaScript: at most AGENCY_SEARCH_LIMIT active agencies
    matching ``query`` (name or USCC prefix), plus the already chosen one (``chosen``, a pk as
    posted) first when the search does not list it. One query, two with a chosen agency; the
    cost does not grow with the number of agencies."""
    query = (query or "").strip()
    results = []
    if query:
        results = list(agency_list(q=query, include_inactive=False)[:AGENCY_SEARCH_LIMIT])
    if chosen and str(chosen).isdigit() and all(str(a.pk) != str(chosen) for a in results):
        agency = (
            Agency.objects.select_related("region", "supervisor")
            .filter(pk=chosen, is_active=True)
            .first()
        )
        if agency:
            results.insert(0, agency)
    return results


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to 10 files, each checked by content (complaints.files); the limits are said under
    the field unless a form says otherwise."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("证据文件"))
        kwargs.setdefault(
            "help_text", _("最多10个文件，每个不超过20MB；支持PDF、JPEG、PNG、DOCX、XLSX、OFD。")
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": ACCEPT_ATTRIBUTE, "multiple": True})

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else []
        if data and not isinstance(data, list | tuple):
            files = [data]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("最多上传%(max)d个文件。"), code="too_many_files", params={"max": MAX_FILES}
            )
        return evidence_check(files)


class ComplaintForm(forms.Form):
    """The contract's fields (DESIGN section 9) for people; same rules as the API."""

    complainant_type = forms.ChoiceField(
        label=_("投诉人类型"),
        choices=ComplainantType.choices,
        widget=forms.RadioSelect,
        initial=ComplainantType.ENTERPRISE,
        error_messages={"required": _("请选择投诉人类型（企业或个人）。")},
    )
    complainant_name = forms.CharField(
        label=_("投诉人名称（企业名称或姓名）"),
        max_length=200,
        error_messages={
            "required": _("请填写投诉人名称：企业填写营业执照上的名称，个人填写姓名。")
        },
    )
    complainant_uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("企业必填，18位，含校验位。"),
    )
    contact_name = forms.CharField(
        label=_("联系人"),
        max_length=100,
        error_messages={"required": _("请填写联系人姓名。")},
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        help_text=_("手机号码或固定电话（区号-号码）。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("请填写联系电话，承办单位将通过它与您联系。")},
    )
    contact_email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("选填，用于接收办理进度通知。")
    )
    respondent_agency = forms.ModelChoiceField(
        label=_("被投诉主体"),
        queryset=Agency.objects.filter(is_active=True).select_related("supervisor"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请先搜索并选择被投诉主体。"),
            "invalid_choice": _("被投诉主体不存在或已停用。"),
        },
    )
    domain = forms.ChoiceField(
        label=_("投诉领域"),
        choices=Domain.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择投诉领域。")},
    )
    title = forms.CharField(
        label=_("投诉标题"),
        max_length=200,
        error_messages={"required": _("请用一句话概括投诉事项，作为投诉标题。")},
    )
    description = forms.CharField(
        label=_("投诉内容"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("请写明合同或承诺的内容、对方未履行的情况和时间。"),
        error_messages={"required": _("请填写投诉内容：合同或承诺是什么，对方哪里没有履行。")},
    )
    contract_title = forms.CharField(label=_("合同或承诺名称"), max_length=200, required=False)
    contract_signed_on = forms.DateField(
        label=_("签订日期"),
        required=False,
        validators=[validate_not_future],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount_involved = forms.DecimalField(
        label=_("涉及金额（元）"),
        required=False,
        validators=[validate_amount],
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    remedy_sought = forms.CharField(
        label=_("诉求"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = EvidenceField(label=_("证据材料"))
    consent_to_share_contact = forms.BooleanField(
        label=_("同意将我的联系方式提供给被投诉主体，以便其直接与我沟通解决"),
        required=False,
    )

    def __init__(self, *args, agency_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_query = agency_query.strip()
        self.agency_results = self._agency_results()

    def _agency_results(self) -> list[Agency]:
        """The radio choices shown: search results plus the agency already chosen."""
        chosen = self.data.get("respondent_agency") if self.is_bound else None
        return agency_search_results(self.agency_query, chosen=chosen)

    # Where each field's error summary link goes: the first control a person can act on.
    SUMMARY_ANCHORS = {
        "respondent_agency": "agency-q",
        "complainant_type": "id_complainant_type_0",
        "domain": "id_domain_0",
    }

    def error_summary(self) -> list[dict]:
        """The errors for the summary at the top of the page, in the order of the form: each
        with the field's label and the id of the control to jump to (none for the form's own
        errors)."""
        items = [{"anchor": "", "label": "", "message": e} for e in self.non_field_errors()]
        # The page shows the respondent first (its search step), then the fields in order.
        names = ["respondent_agency", *(n for n in self.fields if n != "respondent_agency")]
        for name in names:
            field = self.fields[name]
            for message in self.errors.get(name, []):
                anchor = self.SUMMARY_ANCHORS.get(name) or self[name].auto_id
                items.append({"anchor": anchor, "label": field.label, "message": message})
        return items

    def domain_choices(self):
        return [(value, label, DOMAIN_EXPLANATIONS[value]) for value, label in Domain.choices]

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean(self):
        cleaned = super().clean()
        uscc = (cleaned.get("complainant_uscc") or "").strip()
        if cleaned.get("complainant_type") == ComplainantType.ENTERPRISE and not uscc:
            self.add_error("complainant_uscc", _("企业投诉须填写统一社会信用代码。"))
        elif uscc:
            try:
                cleaned["complainant_uscc"] = validate_uscc(uscc)
            except ValidationError as exc:
                self.add_error("complainant_uscc", exc)
        return cleaned


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("受理编号"), max_length=20)
    access_code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("补充说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = EvidenceField(label=_("补充材料"), help_text="")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("body") and not cleaned.get("files") and not self.errors:
            raise ValidationError(_("请填写留言内容或上传材料。"))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见建议"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecoveryRequestForm(forms.Form):
    """找回查询码, step one: the reference and the phone or e-mail given at submission."""

    reference = forms.CharField(
        label=_("受理编号"),
        max_length=20,
        error_messages={"required": _("请填写受理编号。")},
    )
    contact = forms.CharField(
        label=_("登记的手机号码或电子邮箱"),
        max_length=254,
        help_text=_("填写提交投诉时留下的手机号码或电子邮箱，验证码将发送到这里。"),
        error_messages={"required": _("请填写提交投诉时留下的手机号码或电子邮箱。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RecoveryConfirmForm(forms.Form):
    """找回查询码, step two: the one-time code that was sent to the contact on file."""

    reference = forms.CharField(
        label=_("受理编号"),
        max_length=20,
        error_messages={"required": _("请填写受理编号。")},
    )
    code = forms.CharField(
        label=_("验证码"),
        max_length=12,
        error_messages={"required": _("请填写收到的6位验证码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
