from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = _("失信惩戒与信用修复")

    def ready(self):
        from credit_records.providers import register_profile_provider
        from credit_records.signals import agency_records_batch_changed

        from .receivers import on_agency_records_batch_changed
        from .selectors import sanctions_profile

        agency_records_batch_changed.connect(
            on_agency_records_batch_changed, dispatch_uid="sanctions.reconcile_on_record_change"
        )
        register_profile_provider(sanctions_profile)
