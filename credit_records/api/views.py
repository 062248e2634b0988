from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from agencies.policy import CREDIT_OFFICER, Policy, roles_of
from integrity_portal.api import Pagination

from ..filtersets import CreditRecordFilterSet, ObjectionFilterSet
from ..models import CreditRecord, IntegrationClient
from ..providers import profile_extras
from ..selectors import (
    credit_record_list_visible_to,
    integration_client_of,
    objection_list_visible_to,
)
from ..services import credit_record_create
from ..services.clients import (
    integration_client_create,
    integration_client_rotate_token,
    integration_client_set_active,
)
from ..services.objections import objection_dismiss, objection_file, objection_uphold
from ..services.performance import credit_record_perform
from ..services.publication import (
    arrears_publication_publish,
    arrears_publication_rows,
    arrears_publication_status,
)
from ..services.records import credit_record_withdraw
from ..services.scoring import agency_score
from .serializers import (
    AgencyCreditSerializer,
    CreditRecordPushSerializer,
    CreditRecordSerializer,
    IntegrationClientSerializer,
    ObjectionDecisionSerializer,
    ObjectionFileSerializer,
    ObjectionSerializer,
    PerformSerializer,
    WithdrawSerializer,
    YearSerializer,
)


class CreditRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """政务信用记录: GET list/detail (scoped), POST push (idempotent on source + source_ref)."""

    permission_classes = [Policy]
    policy = {
        "list": "credit_record.read",
        "retrieve": "credit_record.read",
        "create": "credit_record.push",
        "withdraw": "credit_record.withdraw",
        "perform": "credit_record.perform",
    }
    serializer_class = CreditRecordSerializer
    filterset_class = CreditRecordFilterSet

    def get_queryset(self):
        if (
            self.action in ("withdraw", "perform")
            and integration_client_of(self.request.user) is not None
        ):
            # A client is told 403 for a record it did not push (the service), not 404: who
            # pushed what is the pusher's business, and the record is public. The credit office
            # acts within its level (DESIGN section 13): 404 outside its region.
            return CreditRecord.objects.select_related("agency", "complaint")
        return credit_record_list_visible_to(user=self.request.user).order_by("-decided_on", "-id")

    @extend_schema(request=WithdrawSerializer, responses={200: CreditRecordSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The pusher (or the credit office) withdraws a pushed record: revoked, reason kept,
        sanctions lifted by the reconcile."""
        record = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = credit_record_withdraw(
            record_id=record.pk, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(CreditRecordSerializer(record).data)

    @extend_schema(request=PerformSerializer, responses={200: CreditRecordSerializer})
    @action(detail=True, methods=["post"])
    def perform(self, request, pk=None):
        """The agency performed a pushed record's obligation (seed 002 item 10): the pusher or
        the credit office records the date; the deadline and its supervision end."""
        record = self.get_object()
        body = PerformSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = credit_record_perform(
            record_id=record.pk,
            actor=request.user,
            performed_on=body.validated_data.get("performed_on"),
            note=body.validated_data.get("note", ""),
        )
        return Response(CreditRecordSerializer(record).data)

    @extend_schema(
        request=CreditRecordPushSerializer,
        responses={201: CreditRecordSerializer, 200: CreditRecordSerializer},
    )
    def create(self, request):
        serializer = CreditRecordPushSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client = integration_client_of(request.user)
        if client is not None and CREDIT_OFFICER not in roles_of(request.user):
            if data["source"] != client.source:
                raise PermissionDenied(_("该对接系统只能以其登记的来源推送记录。"))
        record, created = credit_record_create(
            agency_id=data["agency"].pk,
            kind=data["kind"],
            severity=data["severity"],
            facts=data["facts"],
            amount=data.get("amount"),
            decided_on=data["decided_on"],
            source=data["source"],
            source_ref=data["source_ref"],
            actor=request.user,
        )
        return Response(
            CreditRecordSerializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """异议: a liaison files one on its agency's record; the credit office upholds/dismisses."""

    permission_classes = [Policy]
    policy = {
        "list": "objection.read",
        "retrieve": "objection.read",
        "create": "objection.file",
        "uphold": "objection.decide",
        "dismiss": "objection.decide",
    }
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilterSet

    def get_queryset(self):
        return objection_list_visible_to(user=self.request.user).order_by("-filed_at", "-id")

    @extend_schema(request=ObjectionFileSerializer, responses={201: ObjectionSerializer})
    def create(self, request):
        serializer = ObjectionFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Another agency's record is simply not there for this liaison (404).
        record = get_object_or_404(
            credit_record_list_visible_to(user=request.user), pk=data["record"]
        )
        objection = objection_file(
            record_id=record.pk,
            actor=request.user,
            reason=data["reason"],
            evidence_note=data["evidence_note"],
            # multipart/form-data: evidence files under ``files`` (``EvidenceFilesField``)
            files=data["files"],
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decide):
        objection = self.get_object()
        serializer = ObjectionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = decide(
            objection_id=objection.pk, actor=request.user, note=serializer.validated_data["note"]
        )
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(request=ObjectionDecisionSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def uphold(self, request, pk=None):
        """The objection is founded: the record is revoked."""
        return self._decide(request, objection_uphold)

    @extend_schema(request=ObjectionDecisionSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """The objection is unfounded: the record is back to active."""
        return self._decide(request, objection_dismiss)


class AgencyCreditView(APIView):
    """GET /api/v1/agencies/{id}/credit/ — public, like the agency's credit profile page."""

    permission_classes = [Policy]
    policy = "agency_credit.read"

    @extend_schema(responses={200: AgencyCreditSerializer})
    def get(self, request, pk: int):
        agency = get_object_or_404(Agency.objects.only("pk"), pk=pk)
        score, grade, negatives = agency_score(agency.pk)
        return Response(
            {
                "agency": agency.pk,
                "score": score,
                "grade": grade,
                "active_negative_records": negatives,
                **profile_extras(agency.pk),
            }
        )


class IntegrationClientViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """对接系统 (credit office only). The token is in the create/rotate response, once. Every
    credit officer reads the list; a region-scoped one may not add, rotate or deactivate
    (``DEPLOYMENT_WIDE`` in the policy table)."""

    permission_classes = [Policy]
    policy = {
        "list": "integration_client.read",
        "retrieve": "integration_client.read",
        "create": "integration_client.manage",
        "rotate_token": "integration_client.manage",
        "deactivate": "integration_client.manage",
    }
    serializer_class = IntegrationClientSerializer
    queryset = IntegrationClient.objects.order_by("name")

    def create(self, request):
        serializer = IntegrationClientSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            client, token = integration_client_create(
                name=serializer.validated_data["name"],
                source=serializer.validated_data["source"],
                actor=request.user,
                channel=serializer.validated_data.get("channel") or None,
                reads_changes=serializer.validated_data.get("reads_changes", False),
            )
        return Response(
            {**IntegrationClientSerializer(client).data, "token": token},
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def rotate_token(self, request, pk=None):
        client = self.get_object()
        token = integration_client_rotate_token(client=client)
        return Response({**IntegrationClientSerializer(client).data, "token": token})

    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        client = self.get_object()
        integration_client_set_active(client=client, active=False)
        return Response(IntegrationClientSerializer(client).data)


class ArrearsPublicationViewSet(viewsets.ViewSet):
    """``GET /api/v1/arrears-publication/?year=YYYY`` (DESIGN section 9): per agency its overdue
    contracts and amount of the year — the frozen rows once published, the draft before;
    ``POST .../publish/ {year}`` publishes a reviewed year (credit office)."""

    permission_classes = [Policy]
    policy = {"list": "arrears_publication.read", "publish": "arrears_publication.publish"}

    @extend_schema(parameters=[YearSerializer])
    def list(self, request):
        query = YearSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        paginator = Pagination()
        page = paginator.paginate_queryset(arrears_publication_rows(year=year), request, view=self)
        response = paginator.get_paginated_response(page)
        response.data["year"] = year
        response.data["status"] = arrears_publication_status(year)
        return response

    @extend_schema(request=YearSerializer)
    @action(detail=False, methods=["post"])
    def publish(self, request):
        body = YearSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        publication = arrears_publication_publish(
            year=body.validated_data["year"], actor=request.user
        )
        return Response(
            {
                "year": publication.year,
                "status": publication.status,
                "published_at": publication.published_at,
                "agencies": publication.rows.count(),
            }
        )
