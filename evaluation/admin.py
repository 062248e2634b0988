"""Admin: the credit office saves new versions of the evaluation scheme (never edits one: a
report names the version it used); archived reports are read-only."""

from django import forms
from django.contrib import admin

from integrity_portal.admin import ReadOnlyAdmin

from .models import EvaluationReport, EvaluationScheme
from .scheme import current_scheme
from .services.schemes import scheme_check, scheme_create


class SchemeForm(forms.ModelForm):
    class Meta:
        model = EvaluationScheme
        fields = ["name", "indicators", "deductions", "basis"]

    def clean(self):
        data = super().clean()
        if "indicators" in data and "deductions" in data:
            scheme_check(indicators=data["indicators"], deductions=data["deductions"])
        return data


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "created_by", "created_at"]
    form = SchemeForm
    fields = ["name", "indicators", "deductions", "basis"]

    def has_change_permission(self, request, obj=None):
        return False  # versions are immutable: add a new one

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        scheme = current_scheme()
        return {
            "name": scheme.name,
            "indicators": scheme.indicators,
            "deductions": scheme.deductions,
            "basis": scheme.basis,
        }

    def save_model(self, request, obj, form, change):
        saved = scheme_create(
            name=obj.name,
            indicators=obj.indicators,
            deductions=obj.deductions,
            basis=obj.basis,
            actor=request.user,
        )
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False


@admin.register(EvaluationReport)
class EvaluationReportAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period_start", "period_end", "scheme_version", "built_at"]
    exclude = ["xlsx", "figures"]
