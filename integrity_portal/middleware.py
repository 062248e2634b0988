"""Project middleware: the Content-Security-Policy header, paths with NUL."""

from django.conf import settings
from django.http import Http404


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has no built-in CSP support)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NulInPathMiddleware:
    """A path with a NUL character names nothing: 404 before any view runs. PostgreSQL text
    cannot hold NUL, so the driver refuses the lookup (``ValueError``, a 500) for every view
    that takes a reference or a name from the path. Query strings and bodies go through
    form and serializer fields, which refuse NUL with a 400 of their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        return self.get_response(request)
