"""The change feed (what changed, in commit order) and the webhook subscriptions that push it.

``sharing`` sits just right of ``agencies``: the apps that change records, sanctions, repairs
and objections write their ``Change`` rows through ``sharing.services.changes`` inside their own
transactions, and this app never imports them.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction, DeliveryStatus, Entity, SubscriptionKind, delivery_error_label


class Change(models.Model):
    """One committed change of a shared entity, with the entity's contract fields at that time.

    Written in the transaction that made the change (so it exists iff the change committed);
    ``position`` is given after commit by the sequencer (``services/changes.py``), in the
    order the changes became visible, and is the feed's cursor.
    """

    position = models.BigIntegerField(null=True, blank=True, unique=True)
    entity = models.CharField(max_length=20, choices=Entity.choices)
    object_id = models.BigIntegerField()
    # The entity's agency: a region-scoped reader sees the changes of its region's agencies.
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read through the region filter only, together with position
    )
    action = models.CharField(max_length=20, choices=ChangeAction.choices)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("数据变更")
        verbose_name_plural = _("数据变更")
        indexes = [
            # The sequencer's work list: only the few rows not yet numbered.
            models.Index(
                fields=["id"],
                condition=Q(position__isnull=True),
                name="sharing_change_unsequenced_idx",
            ),
        ]

    def __str__(self):
        return f"{self.position} {self.entity}#{self.object_id} {self.action}"


class WebhookSubscription(models.Model):
    """A receiver the credit office registered: every change of ``entities`` is POSTed to
    ``url``, one change per request, signed with ``secret``, in feed order.

    ``cursor`` is the last feed position fanned out into deliveries. ``leased_until`` is the
    worker's claim (one worker sends a subscription's deliveries at a time, so they go in
    order). ``parked_at`` is set when a delivery failed for 24 hours: nothing more is sent
    until the credit office redelivers.
    """

    kind = models.CharField(
        _("类型"), max_length=10, choices=SubscriptionKind.choices, default=SubscriptionKind.FEED
    )
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    entities = models.JSONField(_("推送对象"), default=list)
    # Levels (DESIGN section 13): the region prefix of the office that registered it
    # (``agencies.policy.office_region``); only changes of agencies in that region and below
    # are delivered, and only officers of that region or above see it. Blank: everything.
    region = models.CharField(_("辖区"), max_length=12, blank=True, default="")
    # ORIGIN subscriptions: the complaint channel whose complaints report back.
    origin_channel = models.CharField(_("来源渠道"), max_length=32, blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    cursor = models.BigIntegerField(default=0)
    leased_until = models.DateTimeField(null=True, blank=True)
    parked_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["id"]

    def __str__(self):
        return self.name or self.url

    def entity_labels(self) -> str:
        """The entities it receives, as their labels in the reader's language."""
        return gettext("、").join(str(_entity_label(e)) for e in self.entities)


class WebhookDelivery(models.Model):
    """One change (or one origin status notice) to POST to one subscription; retried with
    exponential backoff until delivered or, after 24 hours, parked."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    change = models.ForeignKey(
        Change, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["id"]
        indexes = [
            # A subscription's queue, in order: the worker reads its pending head.
            models.Index(
                fields=["subscription", "id"],
                condition=Q(status="pending"),
                name="sharing_delivery_pending_idx",
            ),
            models.Index(fields=["subscription", "-id"], name="sharing_delivery_log_idx"),
        ]

    def __str__(self):
        return f"{self.subscription_id} #{self.pk} {self.status}"

    def change_summary(self) -> str:
        """A feed delivery's change as labels: 信用记录 #12 新增."""
        entity = _entity_label(self.payload.get("entity", ""))
        action = self.payload.get("action", "")
        action = ChangeAction(action).label if action in ChangeAction.values else action
        return f"{entity} #{self.payload.get('id', '')} {action}"


def _entity_label(code: str):
    return Entity(code).label if code in Entity.values else code


class WebhookAttempt(models.Model):
    """Every attempt of a delivery: when, what the receiver answered, how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def error_label(self) -> str:
        return delivery_error_label(self.error)
