"""Demo webhook subscription for ``manage.py load_demo``: the 数据推送 page shows one active
subscription on first run, with the delivery log of the demo's own latest changes.

The receiver is a local address where nothing listens (the discard port), so the demo never
needs a real receiver: the first delivery fails with its logged error (connection refused),
is retried with backoff by the worker and, after 24 hours, parked — what an operator sees
when a receiver is down. It is registered through the service, so ``WEBHOOK_ALLOWED_HOSTS``
applies; when an operator's setting refuses the local address, no demo subscription is made
(the setting is never widened for the demo)."""

import secrets
from typing import TextIO

from agencies.choices import StaffRole
from agencies.models import User
from agencies.policy import office_region

from .choices import Entity
from .models import Change, WebhookSubscription
from .services.webhooks import (
    webhook_subscription_create,
    webhook_url_errors,
    webhooks_run_once,
)

DEMO_WEBHOOK_NAME = "演示接收端（本机，未启动）"
DEMO_WEBHOOK_URL = "http://127.0.0.1:9/integrity-portal/webhooks"
# How many of the demo's latest changes in the officer's region the log shows.
DEMO_BACKLOG = 3


def build_demo(*, stdout: TextIO | None = None) -> int:
    """Create the demo subscription once (by name); return 1 if created, else 0."""
    if WebhookSubscription.objects.filter(name=DEMO_WEBHOOK_NAME).exists():
        return 0
    errors = webhook_url_errors(DEMO_WEBHOOK_URL)
    if errors:
        if stdout is not None:
            stdout.write(f"Demo webhook subscription skipped: {'; '.join(errors)}\n")
        return 0
    # Registered by the demo city's credit officer: it carries their region, so that officer
    # sees it on the page (levels, DESIGN section 13).
    officer = (
        User.objects.filter(username=StaffRole.CREDIT_OFFICER.value, role=StaffRole.CREDIT_OFFICER)
        .select_related("agency")
        .first()
    )
    subscription = webhook_subscription_create(
        url=DEMO_WEBHOOK_URL,
        # A fresh key each install: the receiver is fictitious, and no key is kept in the repo.
        secret=secrets.token_urlsafe(32),
        entities=list(Entity.values),
        actor=officer,
        name=DEMO_WEBHOOK_NAME,
    )
    # A new subscription receives changes from now on; the demo's moves its cursor back over
    # its region's latest few changes so that the log has rows on first run.
    changes = Change.objects.filter(position__isnull=False, entity__in=subscription.entities)
    region = office_region(officer) if officer is not None else None
    if region:
        changes = changes.filter(agency__region__code__startswith=region)
    positions = list(changes.order_by("-position").values_list("position", flat=True))
    if positions:
        start = positions[:DEMO_BACKLOG][-1] - 1
        WebhookSubscription.objects.filter(pk=subscription.pk).update(cursor=start)
        webhooks_run_once()  # fan out, and one attempt: refused, logged
    if stdout is not None:
        stdout.write(f"Demo webhook subscription: {subscription.url}\n")
    return 1
