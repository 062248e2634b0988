"""Django's admin with the project's site as its default (``agencies.admin_site``). Its own
module: ``agencies.apps`` may hold only the app's own configuration."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "agencies.admin_site.PortalAdminSite"
