from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from agencies.policy import Policy
from agencies.selectors import agency_by_id_or_uscc
from integrity_portal.api import FirstRendererNegotiation
from integrity_portal.shared_validation import validated_data

from ..filtersets import RepairFilterSet, SanctionFilterSet
from ..models import Measure, SanctionRule
from ..selectors import (
    repair_list_visible_to,
    sanction_list_visible_to,
    typical_cases_public,
)
from ..services import (
    credit_check,
    repair_apply,
    repair_approve,
    repair_confirm,
    repair_reject,
    sanction_rule_create,
    sanction_rule_update,
    typical_case_mark,
)
from .serializers import (
    CreditCheckQuerySerializer,
    MeasureSerializer,
    RepairApplySerializer,
    RepairNoteSerializer,
    RepairRejectSerializer,
    RepairSerializer,
    SanctionRuleSerializer,
    SanctionSerializer,
    TypicalCaseSerializer,
)


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The measure catalogue (codes of DESIGN section 7) — public."""

    permission_classes = [Policy]
    policy = "measure.read"
    serializer_class = MeasureSerializer
    queryset = Measure.objects.order_by("position", "code")
    pagination_class = None


class SanctionRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """惩戒规则: staff read; the credit office creates and edits (logged, then reconciled).
    Rules are switched off with ``is_active: false``, never deleted (sanctions cite them)."""

    permission_classes = [Policy]
    policy = {
        "list": "sanction_rule.read",
        "retrieve": "sanction_rule.read",
        "create": "sanction_rule.edit",
        "update": "sanction_rule.edit",
        "partial_update": "sanction_rule.edit",
    }
    serializer_class = SanctionRuleSerializer
    queryset = SanctionRule.objects.prefetch_related("measures").order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = sanction_rule_create(
            data=dict(serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = sanction_rule_update(
            rule_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
            actor=self.request.user,
        )


class SanctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """失信惩戒 (read-only: sanctions are imposed and lifted only by the reconcile)."""

    permission_classes = [Policy]
    policy = {"list": "sanction.read", "retrieve": "sanction.read"}
    serializer_class = SanctionSerializer
    filterset_class = SanctionFilterSet

    def get_queryset(self):
        return sanction_list_visible_to(user=self.request.user).order_by("-imposed_at", "-id")


class CreditCheckView(APIView):
    """信用核查: may the agency receive the measure? Every call is logged (who, why, answer).

    Answered from the cached sanction state of the agency (one cache round trip on a hit) and
    logged with one INSERT, committed before the answer is returned.
    """

    permission_classes = [Policy]
    policy = "credit_check.run"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", int),
            OpenApiParameter("uscc", str),
            OpenApiParameter("measure", str, required=True),
            OpenApiParameter("purpose", str, required=True),
        ]
    )
    def get(self, request):
        data = validated_data(CreditCheckQuerySerializer, request.query_params)
        if "agency" in data:
            agency_id = data["agency"]
        elif data.get("uscc"):
            agency = agency_by_id_or_uscc(uscc=data["uscc"])
            if agency is None:
                raise NotFound()
            agency_id = agency.pk
        else:
            raise ValidationError({"agency": [_("请提供 agency 或 uscc。")]})
        try:
            result = credit_check(
                agency_id=agency_id,
                measure=data["measure"],
                purpose=data["purpose"],
                actor=request.user,
            )
        except Agency.DoesNotExist:
            raise NotFound() from None
        return Response(
            {
                "agency": agency_id,
                "measure": data["measure"],
                "restricted": result.restricted,
                "sanctions": result.sanctions,
                "check": result.check.pk,
                "checked_at": result.check.checked_at,
            }
        )


class RepairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信用修复: apply, confirm (the department that determined the breach), approve/reject."""

    permission_classes = [Policy]
    policy = {
        "list": "repair.read",
        "retrieve": "repair.read",
        "create": "repair.apply",
        "confirm": "repair.confirm",
        "approve": "repair.decide",
        "reject": "repair.decide",
    }
    serializer_class = RepairSerializer
    filterset_class = RepairFilterSet

    def get_queryset(self):
        return repair_list_visible_to(user=self.request.user).order_by("-applied_at", "-id")

    @extend_schema(request=RepairApplySerializer, responses={201: RepairSerializer})
    def create(self, request):
        serializer = RepairApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        repair = repair_apply(
            record_id=data["record"],
            actor=request.user,
            statement=data["statement"],
            commitment=data["commitment"],
            evidence_note=data["evidence_note"],
            # multipart/form-data: evidence files under ``files`` (``EvidenceFilesField``)
            files=data["files"],
        )
        return Response(RepairSerializer(repair).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service, body_class, field: str):
        """Confirm, approve and reject: the visible repair, a one-field body, one service."""
        repair = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        repair = service(
            repair_id=repair.pk, actor=request.user, **{field: body.validated_data[field]}
        )
        return Response(RepairSerializer(repair).data)

    @extend_schema(request=RepairNoteSerializer, responses={200: RepairSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._decide(request, repair_confirm, RepairNoteSerializer, "note")

    @extend_schema(request=RepairNoteSerializer, responses={200: RepairSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, repair_approve, RepairNoteSerializer, "note")

    @extend_schema(request=RepairRejectSerializer, responses={200: RepairSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, repair_reject, RepairRejectSerializer, "reason")


class TypicalCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """典型案例: public list; the credit office marks a serious, repeated or publicly resented
    case (``concern_reason``: its written reason for the third ground)."""

    permission_classes = [Policy]
    policy = {
        "list": "typical_case.read",
        "retrieve": "typical_case.read",
        "create": "typical_case.mark",
    }
    serializer_class = TypicalCaseSerializer

    def get_queryset(self):
        return typical_cases_public()

    @extend_schema(request=TypicalCaseSerializer, responses={201: TypicalCaseSerializer})
    def create(self, request):
        serializer = TypicalCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = typical_case_mark(
            record_id=data["record"].pk,
            title=data["title"],
            facts=data["facts"],
            outcome=data["outcome"],
            concern_reason=data.get("concern_reason", ""),
            actor=request.user,
        )
        return Response(TypicalCaseSerializer(case).data, status=status.HTTP_201_CREATED)
