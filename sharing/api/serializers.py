from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import DeliveryError, Entity, SubscriptionKind
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A subscription as the API shows it: never its secret."""

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "kind",
            "name",
            "url",
            "entities",
            "origin_channel",
            "region",
            "is_active",
            "parked_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookCreateSerializer(serializers.Serializer):
    """``POST /api/v1/webhooks/ {url, secret, entities}`` (the service checks the values)."""

    url = serializers.CharField(max_length=500)
    secret = serializers.CharField(max_length=200, trim_whitespace=False)
    entities = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=SubscriptionKind.choices, required=False, default=SubscriptionKind.FEED
    )
    origin_channel = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )

    class Meta:
        ref_name = "WebhookCreate"


def _error_field():
    return serializers.ChoiceField(
        choices=DeliveryError.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("失败原因代码；成功时为空。"),
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    error = _error_field()

    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)
    last_error = _error_field()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "change",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]


class RedeliverSerializer(serializers.Serializer):
    delivery = serializers.IntegerField()


ENTITY_CODES = Entity.values
