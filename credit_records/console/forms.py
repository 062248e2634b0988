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
    files = EvidenceField()


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


def _pushable_sources():
    from ..choices import Source

    return [(v, label) for v, label in Source.choices if v not in ("complaint", "csv_import")]


def _channels():
    from complaints.choices import Channel

    return [("", _("不登记投诉")), *Channel.choices]


class IntegrationClientEditForm(forms.Form):
    """What the credit office sets on an external system: the complaint channel it registers
    complaints by (its work-order ids are origin ids, DESIGN section 13) and whether it may
    read the change feed."""

    channel = forms.ChoiceField(label=_("投诉渠道"), choices=_channels, required=False)
    reads_changes = forms.BooleanField(label=_("可读取数据变更"), required=False)


def _channels_or_default():
    return [("", _("按推送来源默认")), *_channels()[1:]]


class IntegrationClientForm(IntegrationClientEditForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    source = forms.ChoiceField(label=_("推送来源"), choices=_pushable_sources)
    channel = forms.ChoiceField(label=_("投诉渠道"), choices=_channels_or_default, required=False)
    field_order = ["name", "source", "channel", "reads_changes"]
