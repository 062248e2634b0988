from django.contrib import admin

from .models import AccessLog, TimeLimitPolicy, WorkdayOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs and derived rows: shown in the admin, changed only by services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "acceptance_workdays",
        "verification_workdays",
        "result_days",
        "result_max_days",
        "rectification_days",
        "reminder_workdays",
    ]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "what", "object_ref", "via"]
    list_filter = ["what", "via"]
    search_fields = ["object_ref", "user__username"]
