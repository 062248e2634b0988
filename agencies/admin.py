from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Agency, Region, User
from .services import agency_create, agency_update, supervisor_creates_loop
from .validators import validate_uscc


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


class AgencyAdminForm(admin.ModelAdmin.form):
    def clean_uscc(self):
        value = self.cleaned_data.get("uscc")
        return validate_uscc(value) if value else None

    def clean_supervisor(self):
        supervisor = self.cleaned_data.get("supervisor")
        if supervisor_creates_loop(agency=self.instance, supervisor=supervisor):
            raise ValidationError(_("不能将该机构设为上级部门：会形成循环的隶属关系。"))
        return supervisor


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ["name", "uscc", "kind", "region", "supervisor", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["supervisor"]
    raw_id_fields = ["region"]
    list_select_related = ["region", "supervisor"]

    def save_model(self, request, obj, form, change):
        """Write through the services, so the admin gets the same checks as the API."""
        fields = ("name", "kind", "uscc", "region", "supervisor", "is_active")
        if change:
            changes = {f: form.cleaned_data[f] for f in fields if f in form.changed_data}
            if changes:
                agency_update(agency=obj, **changes)
            obj.refresh_from_db()
        else:
            created = agency_create(**{f: form.cleaned_data[f] for f in fields})
            obj.pk = created.pk
            obj.refresh_from_db()


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "agency", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("所属机构与角色"), {"fields": ("agency", "role")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("所属机构与角色"), {"fields": ("agency", "role")}),
    )
