"""A database outage answers 503 with ``Retry-After``, never a 500.

Django's 500 handler is called for an exception raised anywhere in the request — a view, DRF,
the session or authentication middleware — with the exception being handled, so one place
tells an outage from a bug: a database that cannot be reached (``OperationalError``, or
``InterfaceError`` for a connection that died) is the client's "try again shortly"; anything
else stays Django's 500. The page is rendered without the request's context processors and
without the site layout, which would read the session and the messages — the database again.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def outage_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "service_unavailable", "detail": _("服务暂时不可用，请稍后重试。")},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: 503 for an outage, Django's own 500 page otherwise."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return django_server_error(request, *args, **kwargs)
