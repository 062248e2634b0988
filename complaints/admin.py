"""Admin for complaints: read-mostly. Changes to a case go through the console and the API
(services with events); the event log is read-only here as everywhere."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrity_portal.admin import ReadOnlyAdmin

from .models import (
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    Feedback,
    LoanPrimeRate,
    Notification,
)
from .notices import LABELS as NOTICE_LABELS


class EventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ["seq", "action", "from_status", "to_status", "actor", "is_public", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "status",
        "domain",
        "respondent_agency",
        "handling_agency",
        "due_at",
        "supervised_at",
        "submitted_at",
    ]
    list_filter = ["status", "domain", "channel"]
    search_fields = ["reference", "title", "complainant_name"]
    list_select_related = ["respondent_agency", "handling_agency"]
    raw_id_fields = ["respondent_agency", "handling_agency", "registered_by", "duplicate_of"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    inlines = [EventInline]
    exclude = ["access_code_hash"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "seq", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action", "is_public"]
    search_fields = ["complaint__reference"]
    list_select_related = ["complaint", "actor"]
    raw_id_fields = ["complaint", "actor"]
    show_full_result_count = False


@admin.register(ComplaintMessage)
class ComplaintMessageAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "sender", "author", "created_at"]
    list_select_related = ["complaint", "author"]
    raw_id_fields = ["complaint", "author"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "satisfaction", "flagged", "created_at"]
    list_filter = ["satisfaction", "flagged"]
    raw_id_fields = ["complaint"]


class NoticeTemplateFilter(admin.SimpleListFilter):
    title = _("通知文本")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return list(NOTICE_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    # A notice to the complainant shows what it is and its language (its text is rendered when
    # sent, complaints.notices); a staff e-mail its subject.
    list_display = [
        "channel",
        "recipient",
        "notice",
        "notice_language",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
    ]
    list_filter = ["channel", NoticeTemplateFilter]
    raw_id_fields = ["complaint"]

    @admin.display(description=_("通知文本"), ordering="template")
    def notice(self, obj):
        return NOTICE_LABELS.get(obj.template, obj.template) if obj.template else "—"

    @admin.display(description=_("语言"), ordering="language")
    def notice_language(self, obj):
        return dict(settings.LANGUAGES).get(obj.language, obj.language) or "—"


@admin.register(LoanPrimeRate)
class LoanPrimeRateAdmin(admin.ModelAdmin):
    """The one-year LPR table (保障中小企业款项支付条例 第十七条: the floor of an agreed
    late-interest rate); the credit office adds each month's published rate."""

    list_display = ["effective_on", "one_year_rate"]
    ordering = ["-effective_on"]
