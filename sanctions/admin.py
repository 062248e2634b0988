"""Admin: the credit office edits rules here too — through the same service, so every edit is
logged and followed by a reconcile. Sanctions, checks and repairs are read-only here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from integrity_portal.admin import ReadOnlyAdmin

from .models import (
    CreditCheck,
    Measure,
    OfficeTask,
    Repair,
    RuleChange,
    Sanction,
    SanctionRule,
    TypicalCase,
)
from .services import sanction_rule_create, sanction_rule_update


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "position"]


@admin.register(SanctionRule)
class SanctionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kinds", "min_severity", "min_count", "window_months", "is_active"]
    filter_horizontal = ["measures"]
    fields = [
        "name",
        "kinds",
        "min_severity",
        "min_count",
        "window_months",
        "measures",
        "is_active",
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off instead: sanctions cite it

    def save_model(self, request, obj, form, change):
        pass  # saved with its measures in save_related, through the service

    def save_related(self, request, form, formsets, change):
        data = {name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data}
        data["measures"] = list(form.cleaned_data["measures"])
        try:
            if change:
                rule = sanction_rule_update(rule_id=form.instance.pk, data=data, actor=request.user)
            else:
                rule = sanction_rule_create(data=data, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return
        # ``form.instance`` is the object the admin redirects to: point it at the saved row.
        form.instance.pk = rule.pk
        form.instance._state.adding = False


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    list_display = ["rule", "action", "actor", "created_at"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["agency", "measure", "rule", "status", "imposed_at", "lifted_at", "lift_reason"]
    list_filter = ["status", "measure", "lift_reason"]
    search_fields = ["agency__name", "agency__uscc"]


@admin.register(CreditCheck)
class CreditCheckAdmin(ReadOnlyAdmin):
    list_display = ["agency", "measure", "restricted", "purpose", "checked_by", "checked_at"]
    list_filter = ["restricted", "measure"]


@admin.register(Repair)
class RepairAdmin(ReadOnlyAdmin):
    list_display = ["record", "agency", "status", "applied_at", "due_on"]
    list_filter = ["status"]


@admin.register(OfficeTask)
class OfficeTaskAdmin(ReadOnlyAdmin):
    list_display = ["kind", "agency", "status", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "is_published", "published_at"]
    fields = ["title", "facts", "outcome", "is_published"]

    def has_add_permission(self, request):
        return False  # marked through the API/service, which checks eligibility and identity
