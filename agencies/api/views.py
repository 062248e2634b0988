from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from ..filtersets import AgencyFilterSet
from ..policy import Policy
from ..selectors import agency_list, staff_list
from .serializers import AgencySerializer, StaffSerializer


class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """机构名录. Anyone may read (the complaint form searches it); the credit office writes."""

    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    permission_classes = [Policy]
    policy = {
        "list": "agency.read",
        "retrieve": "agency.read",
        "create": "agency.write",
        "update": "agency.write",
        "partial_update": "agency.write",
    }

    def get_queryset(self):
        return agency_list()


class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """工作人员账号. Credit office only."""

    serializer_class = StaffSerializer
    permission_classes = [Policy]
    policy = "staff.manage"

    def get_queryset(self):
        return staff_list()


class TokenView(ObtainAuthToken):
    """``{username, password}`` → ``{"token": ...}``; throttled against password guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
