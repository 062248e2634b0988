"""/api/v1/changes/ (the change feed) and /api/v1/webhooks/ (subscriptions)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.policy import INTEGRATION_CLIENT, Policy, office_region, roles_of

from ..choices import Entity
from ..selectors import webhook_subscriptions_visible_to
from ..services.changes import (
    CURRENT_SCHEMA,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SCHEMA_VERSIONS,
    CursorError,
    change_body,
    changes_read,
    parse_cursor,
)
from ..services.webhooks import webhook_redeliver, webhook_subscription_create
from .serializers import (
    RedeliverSerializer,
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
)


def _limit(raw) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise ValidationError(
            {"limit": [_("limit 须为 1 到 %(max)d 之间的整数。") % {"max": MAX_LIMIT}]}
        )
    return value


class ChangeFeedView(APIView):
    """``GET /api/v1/changes/?after=<cursor>&limit=N`` (DESIGN section 9): the committed
    changes of records, sanctions, repairs and objections after ``after``, in commit order."""

    permission_classes = [Policy]
    policy = "change.read"

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="cursor from a previous page's next"),
            OpenApiParameter("limit", int, description=f"1..{MAX_LIMIT}, default {DEFAULT_LIMIT}"),
            OpenApiParameter("entity", str, many=True, enum=Entity.values),
            OpenApiParameter(
                "version",
                int,
                enum=list(SCHEMA_VERSIONS),
                description=f"exchange-format version (docs/EXCHANGE.md), default {CURRENT_SCHEMA}",
            ),
        ],
    )
    def get(self, request):
        user = request.user
        if INTEGRATION_CLIENT in roles_of(user):
            client = getattr(user, "integration_client", None)
            if not getattr(client, "reads_changes", False):
                raise PermissionDenied(_("该对接系统未获准读取数据变更。"))
        limit = _limit(request.query_params.get("limit"))
        entities = request.query_params.getlist("entity")
        unknown = sorted(set(entities) - set(Entity.values))
        if unknown:
            raise ValidationError({"entity": [_("未知的对象：%(v)s") % {"v": ", ".join(unknown)}]})
        try:
            after = parse_cursor(request.query_params.get("after"))
        except CursorError:
            raise ValidationError(
                {"after": [_("游标无效：请使用上一页返回的 next 值，或不带 after 从头读取。")]},
                code="invalid_cursor",
            ) from None
        version = request.query_params.get("version") or str(CURRENT_SCHEMA)
        if version not in {str(v) for v in SCHEMA_VERSIONS}:
            raise ValidationError(
                {
                    "version": [
                        _("version 须为 %(v)s 之一。") % {"v": ", ".join(map(str, SCHEMA_VERSIONS))}
                    ]
                }
            )
        changes = changes_read(
            after=after,
            limit=limit,
            entities=entities,
            region=office_region(user),
            version=int(version),
        )
        results = [change_body(c) for c in changes]
        next_cursor = results[-1]["cursor"] if results else str(after)
        return Response({"results": results, "next": next_cursor})


class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``/api/v1/webhooks/``: the credit office registers receivers (DESIGN section 9), reads
    their delivery log and redelivers."""

    permission_classes = [Policy]
    policy = {
        "list": "webhook.manage",
        "retrieve": "webhook.manage",
        "create": "webhook.manage",
        "deliveries": "webhook.manage",
        "redeliver": "webhook.manage",
    }
    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        # A region's office manages its region's subscriptions; another's is a 404.
        return webhook_subscriptions_visible_to(self.request.user)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookSubscriptionSerializer})
    def create(self, request):
        body = WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = webhook_subscription_create(
            **body.validated_data, actor=request.user, portal_host=request.get_host()
        )
        return Response(
            WebhookSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        page = self.paginate_queryset(
            subscription.deliveries.order_by("-id").prefetch_related("attempt_log")
        )
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=RedeliverSerializer, responses={200: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        subscription = self.get_object()
        body = RedeliverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        delivery = subscription.deliveries.filter(pk=body.validated_data["delivery"]).first()
        if delivery is None:
            raise NotFound
        delivery = webhook_redeliver(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data)
