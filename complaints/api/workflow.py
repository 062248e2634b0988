"""Staff list, detail and workflow actions under /api/v1/complaints/ (DESIGN section 9).

``create`` (anonymous intake) belongs to the intake mixin combined in ``views.py``; this
viewset only answers list, retrieve and the action routes, all staff-only.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agencies.permissions import IsStaff
from integrity_portal.models import AccessLog

from ..choices import Action
from ..filtersets import ComplaintFilterSet
from ..selectors import LIST_DEFERRED, complaint_list_visible_to, contact_visible_to
from ..services import workflow
from ..services.deadlines import EVENT_EXTEND, EVENT_PAUSE, EVENT_RESUME
from ..services.events import check_transition
from . import serializers as s

# action code → (body serializer, service, body field → service keyword)
ACTIONS = {
    Action.ACCEPT: (s.EmptyActionSerializer, workflow.complaint_accept),
    Action.REROUTE: (s.RerouteSerializer, workflow.complaint_reroute),
    Action.REJECT: (s.ReasonSerializer, workflow.complaint_reject),
    Action.FIND_UNFOUNDED: (s.ExplanationSerializer, workflow.complaint_find_unfounded),
    Action.FIND_FOUNDED: (s.FindFoundedSerializer, workflow.complaint_find_founded),
    Action.FIND_DISPUTED: (s.NoteSerializer, workflow.complaint_find_disputed),
    Action.RECORD_RECTIFIED: (s.NoteSerializer, workflow.complaint_record_rectified),
    Action.RECORD_SETTLEMENT: (s.NoteSerializer, workflow.complaint_record_settlement),
    Action.REFER_TO_LITIGATION: (s.NoteSerializer, workflow.complaint_refer_to_litigation),
    Action.RECORD_JUDGMENT: (s.JudgmentSerializer, workflow.complaint_record_judgment),
    Action.DETERMINE_BREACH: (s.BreachSerializer, workflow.complaint_determine_breach),
    Action.REOPEN: (s.ReasonSerializer, workflow.complaint_reopen),
    # The clock (DESIGN section 5); not part of the binding contract, same shape.
    EVENT_PAUSE: (s.ReasonSerializer, workflow.complaint_clock_pause),
    EVENT_RESUME: (s.EmptyActionSerializer, workflow.complaint_clock_resume),
    EVENT_EXTEND: (s.ExtendSerializer, workflow.complaint_clock_extend),
}
STAFF_VIEW_ACTIONS = frozenset({"list", "retrieve", *ACTIONS})


def run_action(*, complaint, actor, action: str, data) -> object:
    """Checks in contract order (404, 403, 409, 400), then the service."""
    workflow.authorize(actor=actor, complaint=complaint, action=action)
    if action in Action.values:
        # Wrong state is a 409 whatever the body says (the service re-checks under lock).
        check_transition(complaint, action)
    serializer_class, service = ACTIONS[action]
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    kwargs = dict(body.validated_data)
    expected_version = kwargs.pop("version", None)
    try:
        return service(
            complaint=complaint, actor=actor, expected_version=expected_version, **kwargs
        )
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ValidationError(detail) from exc


def _make_action(code: str):
    def handler(self, request, reference=None):
        complaint = self.get_object()
        run_action(complaint=complaint, actor=request.user, action=code, data=request.data)
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(self._detail(fresh))

    handler.__name__ = code
    handler.__doc__ = f"POST /api/v1/complaints/{{reference}}/{code}/"
    return drf_action(detail=True, methods=["post"], url_path=code, url_name=code)(handler)


class ComplaintWorkflowViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """GET /api/v1/complaints/, GET /api/v1/complaints/{reference}/, and
    POST /api/v1/complaints/{reference}/{action}/."""

    lookup_field = "reference"
    filterset_class = ComplaintFilterSet

    def get_permissions(self):
        if self.action in STAFF_VIEW_ACTIONS:
            return [IsAuthenticated(), IsStaff()]
        return super().get_permissions()

    def get_queryset(self):
        qs = complaint_list_visible_to(self.request.user)
        return qs.defer(*LIST_DEFERRED) if self.action == "list" else qs

    def get_serializer_class(self):
        if self.action == "list":
            return s.ComplaintListSerializer
        if self.action in ACTIONS:
            return ACTIONS[self.action][0]
        return s.ComplaintDetailSerializer

    def _detail(self, complaint):
        user = self.request.user
        if complaint.contact_phone and contact_visible_to(user, complaint):
            AccessLog.objects.create(
                user=user, what="complainant_contact", object_ref=complaint.reference
            )
        return s.ComplaintDetailSerializer(complaint, context={"request": self.request}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    locals().update({code: _make_action(code) for code in ACTIONS})
