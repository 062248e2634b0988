"""Console forms of the credit records app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.forms import EvidenceField


class ObjectionForm(forms.Form):
    """A liaison's objection to a record of its agency: why the record is wrong, and the
    evidence it relies on (described; the credit office asks for the documents it needs)."""

    reason = forms.CharField(
        label=_("异议理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence_note = forms.CharField(
        label=_("证据说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("列明支持异议的证据，如付款凭证、判决书、协议文本。"),
    )
    files = EvidenceField(
        label=_("证据文件"),
        help_text=_("最多10个文件，每个不超过20MB；支持PDF、JPEG、PNG、DOCX、XLSX、OFD。"),
    )


class PerformForm(forms.Form):
    """The credit office records that the agency performed a pushed record's obligation."""

    performed_on = forms.DateField(
        label=_("履行日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如付款凭证、法院删除失信名单的通知、纳入财政预算的文件。"),
    )
