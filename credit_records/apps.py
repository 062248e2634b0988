from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRecordsConfig(AppConfig):
    name = "credit_records"
    verbose_name = _("政务信用记录")
