"""Staff list, detail and workflow actions (placeholder; built by the workflow work)."""

from rest_framework import viewsets


class ComplaintWorkflowViewSet(viewsets.GenericViewSet):
    """GET /api/v1/complaints/, GET/POST /api/v1/complaints/{reference}/{action}/."""

    lookup_field = "reference"
