from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.choices import StaffRole
from agencies.models import Agency
from credit_records.api.authentication import IntegrationTokenAuthentication
from integrity_portal.api import FirstRendererNegotiation
from integrity_portal.read_ahead import ReadAhead

from ..filtersets import RepairFilterSet, SanctionFilterSet
from ..models import Measure, SanctionRule
from ..selectors import (
    credit_check_state_keys,
    may_check_credit,
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
from .authentication import CachedTokenAuthentication
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


def _service_call(fn, **kwargs):
    """Run a service; its Django field errors become DRF 400s."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ValidationError(detail) from exc


def _is_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role))


class StaffReadCreditOfficerWrite(BasePermission):
    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return _is_staff(request.user)
        return request.user.is_authenticated and request.user.is_credit_officer


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The measure catalogue (codes of DESIGN section 7) — public."""

    permission_classes = [AllowAny]
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

    permission_classes = [StaffReadCreditOfficerWrite]
    serializer_class = SanctionRuleSerializer
    queryset = SanctionRule.objects.prefetch_related("measures").order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = _service_call(
            sanction_rule_create, data=dict(serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = _service_call(
            sanction_rule_update,
            rule_id=serializer.instance.pk,
            data=dict(serializer.validated_data),
            actor=self.request.user,
        )


class SanctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """失信惩戒 (read-only: sanctions are imposed and lifted only by the reconcile)."""

    serializer_class = SanctionSerializer
    filterset_class = SanctionFilterSet

    def get_queryset(self):
        return sanction_list_visible_to(user=self.request.user).order_by("-imposed_at", "-id")


class CreditCheckAccess(BasePermission):
    def has_permission(self, request, view):
        return may_check_credit(request.user)


# Built once: a serializer instance copies its declared fields when constructed, which would
# be a large share of a check's own CPU. Validation on it keeps no per-request state
# (``run_validation`` is what ``is_valid`` calls), so the one instance serves every thread.
_CHECK_QUERY = CreditCheckQuerySerializer()
_CHECK_QUERY.fields  # noqa: B018 — bind the fields now, not under concurrent first requests


class CreditCheckView(APIView):
    """信用核查: may the agency receive the measure? Every call is logged (who, why, answer).

    The hot path is one cache round trip (the token's user, from a short-lived cache, and the
    agency's sanction state, which also tells that the agency exists, read together) and the
    log INSERT, committed before the answer is returned.
    """

    authentication_classes = [
        IntegrationTokenAuthentication,
        *(
            CachedTokenAuthentication if cls is TokenAuthentication else cls
            for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES
        ),
    ]
    permission_classes = [CreditCheckAccess]
    # A machine endpoint (funding and procurement systems): JSON only, without negotiation.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    def initial(self, request, *args, **kwargs):
        # One cache round trip instead of two: the token's entry (read while authenticating)
        # and the agency's sanction state (read by the check) are read together here.
        keys = [
            key
            for authenticator in request.authenticators
            if hasattr(authenticator, "cache_key_for")
            and (key := authenticator.cache_key_for(request))
        ]
        agency = request.query_params.get("agency", "")
        if agency.isdecimal() and agency.isascii():
            keys += credit_check_state_keys(int(agency))
        request.cache_read_ahead = ReadAhead(keys)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", int),
            OpenApiParameter("uscc", str),
            OpenApiParameter("measure", str, required=True),
            OpenApiParameter("purpose", str, required=True),
        ]
    )
    def get(self, request):
        # Raises the same ValidationError (same body) as ``is_valid(raise_exception=True)``.
        data = _CHECK_QUERY.run_validation(request.query_params)
        if "agency" in data:
            agency_id = data["agency"]
        elif data.get("uscc"):
            agency_id = (
                Agency.objects.filter(uscc=data["uscc"].upper())
                .values_list("pk", flat=True)
                .first()
            )
            if agency_id is None:
                raise NotFound()
        else:
            raise ValidationError({"agency": ["请提供 agency 或 uscc。"]})
        try:
            result = credit_check(
                agency_id=agency_id,
                measure=data["measure"],
                purpose=data["purpose"],
                actor=request.user,
                reader=request.cache_read_ahead,
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


class RepairAccess(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not user.is_authenticated:
            return False
        if view.action == "create":
            return user.is_credit_officer or user.role == StaffRole.AGENCY_LIAISON
        if view.action in ("approve", "reject"):
            return user.is_credit_officer
        if view.action == "confirm":
            return user.role == StaffRole.HANDLER or user.is_credit_officer
        return user.has_role(
            StaffRole.CREDIT_OFFICER,
            StaffRole.AUDITOR,
            StaffRole.AGENCY_LIAISON,
            StaffRole.HANDLER,
        )


class RepairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信用修复: apply, confirm (the department that determined the breach), approve/reject."""

    permission_classes = [RepairAccess]
    serializer_class = RepairSerializer
    filterset_class = RepairFilterSet

    def get_queryset(self):
        return repair_list_visible_to(user=self.request.user).order_by("-applied_at", "-id")

    @extend_schema(request=RepairApplySerializer, responses={201: RepairSerializer})
    def create(self, request):
        serializer = RepairApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        repair = _service_call(
            repair_apply,
            record_id=data["record"],
            actor=request.user,
            statement=data["statement"],
            commitment=data["commitment"],
            evidence_note=data["evidence_note"],
        )
        return Response(RepairSerializer(repair).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service, body_class, field: str):
        """Confirm, approve and reject: the visible repair, a one-field body, one service."""
        repair = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        repair = _service_call(
            service, repair_id=repair.pk, actor=request.user, **{field: body.validated_data[field]}
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


class TypicalCasePermission(BasePermission):
    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return request.user.is_authenticated and request.user.is_credit_officer


class TypicalCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """典型案例: public list; the credit office marks a serious or repeated case."""

    permission_classes = [TypicalCasePermission]
    serializer_class = TypicalCaseSerializer

    def get_queryset(self):
        return typical_cases_public()

    @extend_schema(request=TypicalCaseSerializer, responses={201: TypicalCaseSerializer})
    def create(self, request):
        serializer = TypicalCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = _service_call(
            typical_case_mark,
            record_id=data["record"].pk,
            title=data["title"],
            facts=data["facts"],
            outcome=data["outcome"],
            actor=request.user,
        )
        return Response(TypicalCaseSerializer(case).data, status=status.HTTP_201_CREATED)
