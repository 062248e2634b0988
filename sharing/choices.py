"""Codes of the change feed and the webhooks (DESIGN sections 9 and 13: part of the contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Entity(models.TextChoices):
    CREDIT_RECORD = "credit_record", _("信用记录")
    SANCTION = "sanction", _("失信惩戒")
    REPAIR = "repair", _("信用修复")
    OBJECTION = "objection", _("异议")


class ChangeAction(models.TextChoices):
    CREATED = "created", _("新增")
    STATUS_CHANGED = "status_changed", _("状态变更")
    PUBLISHED = "published", _("公示")
    EXPIRED = "expired", _("公示期满")
    REPAIRED = "repaired", _("已修复")
    REVOKED = "revoked", _("已撤销")
    WITHDRAWN = "withdrawn", _("来源撤回")
    IMPOSED = "imposed", _("实施惩戒")
    LIFTED = "lifted", _("解除惩戒")
    # Schema v2: a sanction still in force whose basis records changed (a record added to or
    # removed from the set behind it); ``data`` is the sanction with its new basis.
    BASIS_CHANGED = "basis_changed", _("惩戒依据变更")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERED = "delivered", _("已投递")
    PARKED = "parked", _("已暂停")


class SubscriptionKind(models.TextChoices):
    # The credit platforms: every change of the chosen entities.
    FEED = "feed", _("变更推送")
    # An origin system (12345, the SME-payment platform): status changes of its own complaints.
    ORIGIN = "origin", _("来源系统回传")


class DeliveryError(models.TextChoices):
    """Why a webhook attempt failed, stored as a code and shown as its label."""

    HOST_NOT_ALLOWED = "host_not_allowed", _("接收地址不在允许范围内（WEBHOOK_ALLOWED_HOSTS）")
    REDIRECT = "redirect", _("接收方要求重定向，未跟随")
    TIMEOUT = "timeout", _("接收方超时未应答")
    CONNECTION = "connection", _("无法连接接收方")
    REQUEST_FAILED = "request_failed", _("请求未能发出")
    HTTP_STATUS = "http_status", _("接收方返回错误状态码")


def delivery_error_label(code: str) -> str:
    """The label of a ``DeliveryError`` code (an older free-text error as it was stored)."""
    return DeliveryError(code).label if code in DeliveryError.values else code
