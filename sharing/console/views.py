"""The credit office's 数据推送 pages: subscriptions, their delivery log, redelivery."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.policy import policy_required

from ..choices import Entity, SubscriptionKind
from ..selectors import webhook_subscriptions_visible_to
from ..services.webhooks import webhook_redeliver, webhook_subscription_create

PAGE_SIZE = 50
# The complaint channels of the origin systems that register complaints with their own
# work-order ids (DESIGN section 13); codes of complaints.choices.Channel, which this app,
# left of complaints, cannot import.
ORIGIN_CHANNELS = (
    ("hotline_12345", gettext_lazy("12345热线")),
    ("sme_payment_platform", gettext_lazy("中小企业款项支付投诉平台")),
    ("business_platform", gettext_lazy("营商环境投诉平台")),
    ("supervision_platform", gettext_lazy("互联网+督查平台")),
    ("other", gettext_lazy("其他渠道")),
)


def _labelled(subscriptions):
    """The subscriptions with their origin channel's label and their region's name (one query
    for the names), so no code reaches the page."""
    from agencies.models import Region

    rows = list(subscriptions)
    codes = {s.region.ljust(6, "0") for s in rows if s.region}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    channel_labels = dict(ORIGIN_CHANNELS)
    for s in rows:
        s.origin_channel_label = channel_labels.get(s.origin_channel, s.origin_channel)
        s.region_name = names.get(s.region.ljust(6, "0"), s.region) if s.region else ""
    return rows


@policy_required("webhook.manage")
def webhooks(request):
    errors: dict = {}
    values = {
        "url": "",
        "name": "",
        "entities": list(Entity.values),
        "kind": SubscriptionKind.FEED,
        "origin_channel": "",
    }
    if request.method == "POST":
        kind = request.POST.get("kind") or SubscriptionKind.FEED
        if kind not in SubscriptionKind.values:
            kind = SubscriptionKind.FEED
        values = {
            "url": request.POST.get("url", "").strip(),
            "name": request.POST.get("name", "").strip(),
            # An origin system's status push-back (its complaints' status changes, with its
            # own work-order id) instead of the change feed.
            "kind": kind,
            "entities": request.POST.getlist("entities") if kind == SubscriptionKind.FEED else [],
            "origin_channel": request.POST.get("origin_channel", "").strip()
            if kind == SubscriptionKind.ORIGIN
            else "",
        }
        try:
            if kind == SubscriptionKind.ORIGIN and values["origin_channel"] not in dict(
                ORIGIN_CHANNELS
            ):
                raise ValidationError({"origin_channel": [_("请选择来源系统的投诉渠道。")]})
            webhook_subscription_create(
                **values,
                secret=request.POST.get("secret", ""),
                actor=request.user,
                portal_host=request.get_host(),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("推送订阅已添加。"))
            return redirect("sharing_console:webhooks")
    return render(
        request,
        "sharing/console/webhooks.html",
        {
            "subscriptions": _labelled(webhook_subscriptions_visible_to(request.user)),
            "entities": Entity.choices,
            "kinds": SubscriptionKind.choices,
            "channels": ORIGIN_CHANNELS,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@policy_required("webhook.manage")
def webhook(request, pk: int):
    subscription = get_object_or_404(webhook_subscriptions_visible_to(request.user), pk=pk)
    deliveries = subscription.deliveries.order_by("-id").prefetch_related("attempt_log")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    # An origin push-back carries a complaint status code: shown by its label, read through
    # the app registry (this app does not import complaints).
    statuses = dict(apps.get_model("complaints", "Complaint")._meta.get_field("status").choices)
    for delivery in page.object_list:
        status = (delivery.payload or {}).get("status", "")
        delivery.origin_status_label = statuses.get(status, status)
    return render(
        request, "sharing/console/webhook.html", {"subscription": subscription, "page": page}
    )


@require_POST
@policy_required("webhook.manage")
def redeliver(request, pk: int, delivery: int):
    subscription = get_object_or_404(webhook_subscriptions_visible_to(request.user), pk=pk)
    row = get_object_or_404(subscription.deliveries, pk=delivery)
    webhook_redeliver(delivery=row)
    messages.success(request, _("已重新安排推送。"))
    return redirect("sharing_console:webhook", pk=pk)
