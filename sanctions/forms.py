from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MEASURES


class CreditCheckForm(forms.Form):
    agency = forms.IntegerField(label=_("主体编号"), required=False, min_value=1)
    uscc = forms.CharField(label=_("或统一社会信用代码"), required=False, max_length=18)
    measure = forms.ChoiceField(label=_("拟给予的事项"), choices=[])
    purpose = forms.CharField(label=_("核查事由"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Measure

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


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予修复的理由"), max_length=5000, widget=forms.Textarea)
