from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("机构与人员")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .services.second_factor import login_owes_code

        user_logged_in.connect(login_owes_code, dispatch_uid="agencies.second_factor")
