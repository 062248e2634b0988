"""Admin: records and logs are read-only here (changes go through the services and the
console); integration clients are created with their token shown once."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from integrity_portal.admin import ReadOnlyAdmin

from .models import (
    AgencyCreditScore,
    AgencyCreditScoreHistory,
    AgencyRecordChange,
    ComplaintEventIngestFailure,
    CreditRecord,
    CreditRecordEvent,
    IntegrationClient,
    Objection,
    RecordPolicy,
)
from .services.clients import (
    integration_client_create,
    integration_client_rotate_token,
    integration_client_set_active,
)


class CreditRecordEventInline(admin.TabularInline):
    model = CreditRecordEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "agency",
        "kind",
        "severity",
        "status",
        "decided_on",
        "publicity_ends",
        "source",
        "source_ref",
    ]
    list_filter = ["kind", "polarity", "severity", "status", "source"]
    search_fields = ["agency__name", "agency__uscc", "source_ref", "complaint__reference"]
    list_select_related = ["agency"]
    raw_id_fields = ["agency", "complaint", "created_by"]
    date_hierarchy = "decided_on"
    inlines = [CreditRecordEventInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "record", "agency", "status", "filed_at", "due_on", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["agency", "record"]


@admin.register(AgencyCreditScore)
class AgencyCreditScoreAdmin(ReadOnlyAdmin):
    list_display = ["agency", "score", "grade", "active_negative_records", "computed_at"]
    list_filter = ["grade"]
    search_fields = ["agency__name", "agency__uscc"]
    list_select_related = ["agency"]


@admin.register(AgencyCreditScoreHistory)
class AgencyCreditScoreHistoryAdmin(ReadOnlyAdmin):
    list_display = ["agency", "score", "grade", "recorded_at"]
    list_select_related = ["agency"]


@admin.register(AgencyRecordChange)
class AgencyRecordChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "agency", "record", "reason", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["agency"]


@admin.register(ComplaintEventIngestFailure)
class ComplaintEventIngestFailureAdmin(ReadOnlyAdmin):
    """Outcome events whose ingestion keeps failing (retried alone by the sweep)."""

    list_display = ["event", "attempts", "retry_at", "last_error"]


class IntegrationClientForm(forms.ModelForm):
    class Meta:
        model = IntegrationClient
        fields = ["name", "source", "channel", "reads_changes"]


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "source",
        "channel",
        "reads_changes",
        "token_prefix",
        "is_active",
        "created_at",
        "created_by",
    ]
    list_filter = ["source", "channel", "reads_changes", "is_active"]
    actions = ["rotate_token", "deactivate"]
    form = IntegrationClientForm

    def get_readonly_fields(self, request, obj=None):
        return ["source", "token_prefix", "is_active"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "channel", "reads_changes"])
            return
        client, token = integration_client_create(
            name=obj.name,
            source=obj.source,
            actor=request.user,
            channel=obj.channel or None,  # blank: the channel of its source, if any
            reads_changes=obj.reads_changes,
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(
            request,
            _("对接系统“%(name)s”的令牌（仅显示这一次，请立即妥善保存）：%(token)s")
            % {"name": client.name, "token": token},
        )

    @admin.action(description=_("重新生成令牌（旧令牌立即失效）"))
    def rotate_token(self, request, queryset):
        for client in queryset:
            token = integration_client_rotate_token(client=client)
            messages.warning(
                request,
                _("对接系统“%(name)s”的新令牌（仅显示这一次）：%(token)s")
                % {"name": client.name, "token": token},
            )

    @admin.action(description=_("停用"))
    def deactivate(self, request, queryset):
        for client in queryset:
            integration_client_set_active(client=client, active=False)


@admin.register(RecordPolicy)
class RecordPolicyAdmin(admin.ModelAdmin):
    """The credit office's record terms (one row, seeded by a migration)."""

    list_display = [
        "__str__",
        "minor_term_months",
        "perform_workdays",
        "public_concern_complaints",
    ]

    def has_add_permission(self, request):
        return not RecordPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
