"""The intake's throttle (DESIGN section 11), shared by the API and the public form."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class IntakeThrottle(SimpleRateThrottle):
    """Anonymous intake per client address at ``settings.INTAKE_RATE_LIMIT`` (empty = off).

    The rate is read on every request (not frozen at import like DRF's scoped throttle), so
    an overridden setting applies immediately. Staff registering complaints are not limited.
    """

    scope = "intake"

    def __init__(self):
        # Deliberately skip SimpleRateThrottle.__init__, which reads the rate at construction.
        pass

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        self.rate = getattr(settings, "INTAKE_RATE_LIMIT", None) or None
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
