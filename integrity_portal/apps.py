from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityPortalConfig(AppConfig):
    name = "integrity_portal"
    verbose_name = _("平台设置")
