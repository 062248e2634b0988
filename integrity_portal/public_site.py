"""Government-site conventions shared by every page: the footer's hosting office, contact
phone, ICP filing number and site identification code (from settings, so each deployment
shows its own), and the large-text mode (适老化) a visitor can switch on and keep."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

TEXT_SIZE_COOKIE = "text_size"
TEXT_SIZE_MAX_AGE = 365 * 24 * 3600


def site_context(request) -> dict:
    """Template context: ``site`` (the footer's facts) and ``large_text``."""
    return {
        "site": {
            "host_office": settings.SITE_HOST_OFFICE,
            "contact_phone": settings.SITE_CONTACT_PHONE,
            "icp_number": settings.SITE_ICP_NUMBER,
            "site_code": settings.SITE_IDENTIFICATION_CODE,
        },
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
    }


@require_POST
def text_size(request):
    """Switch large text on or off (a cookie, so it persists without an account) and go back
    to the page the visitor was on."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            "large",
            max_age=TEXT_SIZE_MAX_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response
