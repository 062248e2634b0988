"""Console forms of the sanctions app: credit check, repair decisions, rules, typical cases."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.forms import EvidenceField
from credit_records.choices import NEGATIVE_KINDS, Kind, Severity
from credit_records.selectors import credit_record_id_for

from ..choices import MEASURES
from ..models import Measure
from ..services.rules import rule_input_errors


class CreditCheckForm(forms.Form):
    agency = forms.IntegerField(label=_("主体编号"), required=False, min_value=1)
    uscc = forms.CharField(label=_("或统一社会信用代码"), required=False, max_length=18)
    measure = forms.ChoiceField(label=_("拟给予的事项"), choices=[])
    purpose = forms.CharField(label=_("核查事由"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.code, m.label) for m in Measure.objects.all()] or [
            (code, name) for code, name, _en in MEASURES
        ]

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not data.get("uscc"):
            raise forms.ValidationError(_("请填写主体编号或统一社会信用代码。"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=5000, widget=forms.Textarea)


class RepairApplyForm(forms.Form):
    """A repair application (seed 002: 修复申请书、信用承诺书、履约证明材料)."""

    statement = forms.CharField(
        label=_("修复申请说明"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("说明已履行的义务、纠正失信行为的情况。"),
    )
    commitment = forms.BooleanField(
        label=_("本单位作出信用承诺：所附材料真实，今后依法依约履行义务，违反承诺自愿接受惩戒。"),
        error_messages={"required": _("申请信用修复须作出信用承诺。")},
    )
    evidence_note = forms.CharField(
        label=_("履约证明材料说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("列明付款凭证、和解协议、整改报告等材料。"),
    )
    files = EvidenceField()


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予修复的理由"), max_length=5000, widget=forms.Textarea)


class _CodesField(forms.MultipleChoiceField):
    """Offers the known codes but lets any submitted code through: the rule service decides
    what is valid (one copy of the validation, shared with the API and the admin)."""

    def valid_value(self, value):
        return True


class _CodeField(forms.ChoiceField):
    def valid_value(self, value):
        return True


class SanctionRuleForm(forms.Form):
    """Console form of a sanction rule. Shape only (types and ranges, as the API serializer);
    codes and the logging are the service's (``sanction_rule_create`` / ``_update``)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    kinds = _CodesField(
        label=_("记录类别"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示任何失信记录。"),
    )
    min_severity = _CodeField(label=_("最低失信程度"), required=False)
    min_count = forms.IntegerField(label=_("记录数不少于"), min_value=1, max_value=100, initial=1)
    window_months = forms.IntegerField(
        label=_("统计期（月）"),
        min_value=1,
        max_value=120,
        required=False,
        help_text=_("留空表示不限期间。"),
    )
    measures = _CodesField(label=_("惩戒措施"), required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    # The version the officer edited; a save over someone else's newer edit is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rule=None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", {**self.initial_for(rule), "version": rule.version})
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule is None:
            del self.fields["version"]
        self.fields["kinds"].choices = [(k.value, k.label) for k in Kind if k in NEGATIVE_KINDS]
        self.fields["min_severity"].choices = [("", _("不限")), *Severity.choices]
        self.fields["measures"].choices = [(m.code, m.label) for m in Measure.objects.all()]

    @staticmethod
    def initial_for(rule) -> dict:
        return {
            "name": rule.name,
            "kinds": list(rule.kinds),
            "min_severity": rule.min_severity,
            "min_count": rule.min_count,
            "window_months": rule.window_months,
            "measures": [m.pk for m in rule.measures.all()],
            "is_active": rule.is_active,
        }

    def clean(self):
        """Shows the service's code errors together with the shape errors (the same function
        the service runs again when saving)."""
        data = super().clean()
        codes = {k: data[k] for k in ("kinds", "min_severity", "measures") if k in data}
        for name, errors in rule_input_errors(codes).items():
            self.add_error(name, errors)
        if self.rule is not None and data.get("version") != self.rule.version:
            # Re-rendered with the current version: saving again, after checking, is deliberate.
            self.data = self.data.copy()
            self.data["version"] = self.rule.version
            raise forms.ValidationError(
                _("该规则已被他人修改，请核对现行规则后重新保存。"), code="stale"
            )
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TypicalCaseForm(forms.Form):
    """Marks a credit record as a typical case; eligibility and the complainant check are the
    service's (``typical_case_mark``), as for the API."""

    record = forms.IntegerField(label=_("信用记录编号"), min_value=1, required=False)
    complaint = forms.CharField(
        label=_("或投诉受理编号"),
        max_length=20,
        required=False,
        help_text=_("投诉认定为失信后生成的信用记录。"),
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    facts = forms.CharField(
        label=_("失信事实"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    outcome = forms.CharField(
        label=_("处理结果"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    concern_reason = forms.CharField(
        label=_("群众反映强烈的理由"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("非严重、非多次失信的案例，写明群众反映强烈的情况（如集中投诉、媒体报道）。"),
    )

    def clean(self):
        data = super().clean()
        record_id, reference = data.get("record"), (data.get("complaint") or "").strip()
        if not record_id and not reference:
            raise forms.ValidationError(_("请填写信用记录编号或投诉受理编号。"))
        found = credit_record_id_for(record_id=record_id, complaint_reference=reference)
        if found is None and record_id:
            self.add_error("record", _("未找到该信用记录。"))
        elif found is None:
            self.add_error("complaint", _("该投诉没有信用记录。"))
        data["record_id"] = found
        return data
