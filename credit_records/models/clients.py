"""The external systems that push records and read the change feed, with their tokens."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.choices import Channel

from ..choices import Source


def integration_token_hash(token: str) -> str:
    """SHA-256 of an integration token: tokens are random, so a fast hash is enough and the
    plain value is never stored (shown once at creation)."""
    return hashlib.sha256(token.encode()).hexdigest()


class IntegrationClient(models.Model):
    """An external system (court, payment platform, 司法局, 12345) allowed to push records.

    It acts through a linked user with no staff role (so it can never open the console or see
    complaints) and may push only as its own ``source``. The token is stored as a hash.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    source = models.CharField(_("推送来源"), max_length=32, choices=Source.choices)
    # The complaint channel this origin system registers by (12345, the SME-payment
    # platform): its complaints carry that channel and the origin's work-order id.
    channel = models.CharField(
        _("投诉渠道"), max_length=32, choices=Channel.choices, blank=True, default=""
    )
    # May read the change feed (DESIGN section 9: "integration clients allowed to read it").
    reads_changes = models.BooleanField(_("可读取数据变更"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration_client"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12)
    is_active = models.BooleanField(_("启用"), default=True)
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
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source__in=[Source.COMPLAINT, Source.CSV_IMPORT]),
                name="%(app_label)s_%(class)s_pushable_source",
            ),
        ]

    def __str__(self):
        return self.name
