from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRecordsConfig(AppConfig):
    name = "credit_records"
    verbose_name = _("政务信用记录")

    def ready(self):
        from complaints.signals import complaint_event_committed

        from .api.authentication import connect_cache_receivers
        from .receivers import on_complaint_event_committed

        complaint_event_committed.connect(
            on_complaint_event_committed, dispatch_uid="credit_records.ingest_complaint_events"
        )
        connect_cache_receivers()

        from django.db.models.signals import post_delete, post_save

        from .models import RecordPolicy, record_policy_cache

        post_save.connect(record_policy_cache.clear, sender=RecordPolicy, weak=False)
        post_delete.connect(record_policy_cache.clear, sender=RecordPolicy, weak=False)
