"""A login that still owes its second-factor code grants nothing but the way to give it."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .services.second_factor import second_factor_enrolled, second_factor_satisfied

# Pages a half-logged-in session may open: the code, the enrolment, logging out.
OPEN_PATHS = ("/console/account/verify/", "/console/account/security/", "/console/logout/")
SENT_ON = ("/console/", "/admin/")


class SecondFactorMiddleware:
    """After ``OTPMiddleware``. For a session whose password was right but whose code is still
    owed (``second_factor_satisfied``): console and admin pages send it to the verification
    page (or the enrolment page, for an account that must enrol and has not), and everywhere
    else — the API, the public pages — the request is anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or second_factor_satisfied(request):
            return self.get_response(request)
        path = request.path
        if path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if path.startswith(SENT_ON) and request.method in ("GET", "HEAD"):
            name = "verify" if second_factor_enrolled(user) else "security"
            url = reverse(f"account_console:{name}")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        request.user = AnonymousUser()
        return self.get_response(request)
