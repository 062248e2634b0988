from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityPortalConfig(AppConfig):
    name = "integrity_portal"
    verbose_name = _("平台设置")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import TimeLimitPolicy, WorkdayOverride, policies_cache
        from .workdays import overrides_cache

        for model, cache in ((WorkdayOverride, overrides_cache), (TimeLimitPolicy, policies_cache)):
            post_save.connect(cache.clear, sender=model, weak=False)
            post_delete.connect(cache.clear, sender=model, weak=False)
