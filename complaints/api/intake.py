"""Public intake and complainant tracking endpoints (placeholder; built by the intake work)."""

from rest_framework import viewsets


class ComplaintIntakeMixin:
    """Provides ``create`` (POST /api/v1/complaints/) for the combined complaint viewset.

    Overrides permissions, throttles and serializer only when ``self.action == "create"``.
    """


class TrackViewSet(viewsets.ViewSet):
    """GET /api/v1/track/{reference}/ and the complainant's actions."""
