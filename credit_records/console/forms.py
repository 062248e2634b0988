"""Console forms of the credit records app."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
