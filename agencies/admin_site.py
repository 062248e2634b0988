"""The admin site: Django's, with the console's login rules.

The login form goes through the per-account lockout and per-address throttle
(``LockoutAuthenticationForm``); an account that must give a second-factor code (or chose to)
enters the admin only once the session's code was checked — the console's verification page
(``SecondFactorMiddleware`` sends a half-logged-in session there), like django-otp's
``OTPAdminSite`` but only for those accounts, so nothing changes while ``STAFF_REQUIRE_TOTP``
is off and nobody enrolled.
"""

from django.contrib.admin import AdminSite

from .forms import LockoutAuthenticationForm
from .services.second_factor import second_factor_satisfied


class PortalAdminSite(AdminSite):
    login_form = LockoutAuthenticationForm

    def has_permission(self, request):
        return super().has_permission(request) and second_factor_satisfied(request)
