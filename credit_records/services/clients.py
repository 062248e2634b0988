"""Integration clients: external systems with their own push tokens (created by the credit
office; the token is returned once and only its hash is stored)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.policy import office_is_deployment_wide
from complaints.choices import Channel

from ..choices import Source
from ..models import IntegrationClient, integration_token_hash

TOKEN_PREFIX = "ipc_"  # noqa: S105 — a marker, not a secret


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# The complaint channel of the origin systems that also register complaints.
CHANNEL_OF_SOURCE = {
    Source.HOTLINE_12345: Channel.HOTLINE_12345,
    Source.PAYMENT_PLATFORM: Channel.SME_PAYMENT_PLATFORM,
}


def integration_client_create(
    *,
    name: str,
    source: str,
    actor=None,
    channel: str | None = None,
    reads_changes: bool = False,
) -> tuple[IntegrationClient, str]:
    """Create the client and its role-less user; return ``(client, token)`` — show it once.

    ``channel`` (default: the one of its source, if any) is the complaint channel it registers
    complaints by, with its own work-order ids (DESIGN section 13)."""
    if channel is None:
        channel = CHANNEL_OF_SOURCE.get(source, "")
    _check(actor=actor, channel=channel, reads_changes=reads_changes)
    token = _new_token()
    with transaction.atomic():
        user = get_user_model()(username=f"integration-{secrets.token_hex(6)}")
        user.set_unusable_password()
        user.save()
        client = IntegrationClient.objects.create(
            name=name,
            source=source,
            channel=channel,
            reads_changes=reads_changes,
            user=user,
            token_hash=integration_token_hash(token),
            token_prefix=token[:12],
            created_by=actor if (actor is not None and actor.is_authenticated) else None,
        )
    return client, token


def _check(*, actor, channel: str, reads_changes: bool) -> None:
    """400 naming the field: an unknown channel; reading the whole change feed granted by a
    region-scoped officer, who sees only their region's changes themselves (levels, DESIGN
    section 13)."""
    errors = {}
    if channel and channel not in Channel.values:
        errors["channel"] = [_("未知的投诉渠道：%(code)s。") % {"code": channel}]
    if reads_changes and actor is not None and not office_is_deployment_wide(actor):
        errors["reads_changes"] = [
            _("按辖区限定的账号不能授权对接系统读取全部数据变更，请由全域信用办授权。")
        ]
    if errors:
        raise ValidationError(errors)


def integration_client_update(
    *, client: IntegrationClient, actor, channel: str, reads_changes: bool
) -> IntegrationClient:
    """Change the complaint channel the client registers by and whether it reads the change
    feed; ``ValidationError`` naming the field, changing nothing, when refused."""
    channel = channel or ""
    if reads_changes and client.reads_changes:
        check_reads = False  # keeping a grant already given is not granting it
    else:
        check_reads = reads_changes
    _check(actor=actor, channel=channel, reads_changes=check_reads)
    client.channel = channel
    client.reads_changes = reads_changes
    client.save(update_fields=["channel", "reads_changes"])
    return client


def integration_client_rotate_token(*, client: IntegrationClient) -> str:
    """Replace the token (the old one stops working at once); return the new one."""
    token = _new_token()
    client.token_hash = integration_token_hash(token)
    client.token_prefix = token[:12]
    client.save(update_fields=["token_hash", "token_prefix"])
    return token


def integration_client_set_active(*, client: IntegrationClient, active: bool) -> None:
    if client.is_active == active:
        return
    client.is_active = active
    client.save(update_fields=["is_active"])
