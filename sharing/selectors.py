"""Reads of the sharing app: which webhook subscriptions a user manages."""

from django.db.models import QuerySet

from agencies.policy import Scope, office_region

from .models import WebhookSubscription


def webhook_scope(user) -> Scope:
    """Levels (DESIGN section 13): a region-scoped credit officer manages the subscriptions
    registered in their region and below; an officer without a region (or the superuser)
    manages every one."""
    region = office_region(user)
    if region is None:
        return Scope.all()
    return Scope.where(region__startswith=region)


def webhook_subscriptions_visible_to(user) -> QuerySet[WebhookSubscription]:
    return webhook_scope(user).filter(WebhookSubscription.objects.order_by("id"))
