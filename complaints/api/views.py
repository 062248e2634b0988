"""One viewset for /api/v1/complaints/: intake (create) and staff reads and actions."""

from .intake import ComplaintIntakeMixin, TrackViewSet
from .workflow import ComplaintWorkflowViewSet


class ComplaintViewSet(ComplaintIntakeMixin, ComplaintWorkflowViewSet):
    pass


__all__ = ["ComplaintViewSet", "TrackViewSet"]
