"""Webhooks (DESIGN sections 9 and 13): subscriptions, fan-out of the feed into deliveries,
and delivery by the worker — signed, in order per subscription, retried with backoff.

- **Signature**: ``X-Portal-Signature: sha256=<hex HMAC-SHA256 of the body with the
  secret>``. The body is the change as the feed shows it plus ``delivery_id`` and
  ``timestamp``, so the signature covers them: a receiver rejects a body whose timestamp is
  old or whose delivery id it has already processed (replay). Both are also sent as headers
  (``X-Portal-Delivery``, ``X-Portal-Timestamp``) for logging.
- **Order**: a subscription's deliveries go out in id order (= feed order) and the next one
  waits until the one before it is delivered. One worker sends a subscription at a time: it
  claims a batch of subscriptions with ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
  LOCKED LIMIT n) RETURNING id`` (a lease), the same claim shape as the outbox deliveries.
- **Retries**: a failure (an answer outside 2xx, a timeout, a refused connection, a redirect
  — never followed) is logged as an attempt and retried after 30 s, 1, 2, 4 … minutes (capped
  at 2 hours); a delivery still failing 24 hours after its first attempt is *parked* with its
  subscription, an error is logged for the operators' alerting, and the console shows it until
  the credit office redelivers.
- **Where**: only in the worker (``sharing.tasks.webhooks_run``), never in a request.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.policy import office_region

from ..choices import DeliveryError, DeliveryStatus, Entity, SubscriptionKind
from ..models import Change, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .changes import change_body, changes_sequence

logger = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32
GIVE_UP_AFTER = datetime.timedelta(hours=24)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 2 * 3600
LEASE = datetime.timedelta(minutes=2)
FAN_OUT_BATCH = 2000


# --- subscriptions ----------------------------------------------------------------------------


def _allowed_entries():
    entries = []
    for item in settings.WEBHOOK_ALLOWED_HOSTS:
        try:
            entries.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            entries.append(item.lower().rstrip("."))
    return entries


def _addresses(host: str) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def host_allowed(host: str) -> bool:
    """Whether ``host`` is inside ``WEBHOOK_ALLOWED_HOSTS`` (always, when it is empty)."""
    entries = _allowed_entries()
    if not entries:
        return True
    host = host.lower().rstrip(".")
    if host in [e for e in entries if isinstance(e, str)]:
        return True
    networks = [e for e in entries if not isinstance(e, str)]
    addresses = _addresses(host) if networks else []
    return bool(addresses) and all(any(a in n for n in networks) for a in addresses)


def _portal_hosts(portal_host: str) -> set[tuple[str, int | None]]:
    """The portal's own (host, port) pairs: the host the request came to, and every name in
    ALLOWED_HOSTS (any port)."""
    own: set[tuple[str, int | None]] = set()
    if portal_host:
        parts = urlsplit(f"//{portal_host}")
        own.add(((parts.hostname or "").lower(), parts.port or 80))
        if not parts.port:
            own.add(((parts.hostname or "").lower(), 443))
    for name in settings.ALLOWED_HOSTS:
        if name and name != "*":
            own.add((name.lower().lstrip("."), None))
    return own


def webhook_url_errors(url: str, *, portal_host: str = "") -> list[str]:
    """Why ``url`` may not receive webhooks (empty when it may)."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:
        return [_("接收地址格式不正确。")]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [_("接收地址须为 http 或 https 地址。")]
    host = parts.hostname.lower().rstrip(".")
    port = port or (443 if parts.scheme == "https" else 80)
    for own_host, own_port in _portal_hosts(portal_host):
        if host == own_host and own_port in (None, port):
            return [_("接收地址不能指向本平台自身。")]
    if not host_allowed(host):
        return [_("接收地址的主机不在允许推送的范围（WEBHOOK_ALLOWED_HOSTS）内。")]
    return []


def webhook_subscription_create(
    *,
    url: str,
    secret: str,
    entities,
    actor=None,
    portal_host: str = "",
    name: str = "",
    kind: str = SubscriptionKind.FEED,
    origin_channel: str = "",
) -> WebhookSubscription:
    """Register a receiver; ``ValidationError`` naming the field for a bad URL, a secret
    shorter than 32 characters, or unknown entities. It receives changes from now on (the
    feed's history is read through the feed itself). A region-scoped officer's subscription
    carries their region and receives only its changes, or its complaints' status notices
    (levels, DESIGN section 13)."""
    errors: dict[str, list[str]] = {}
    region = (office_region(actor) if actor is not None else None) or ""
    url_errors = webhook_url_errors(url, portal_host=portal_host)
    if url_errors:
        errors["url"] = url_errors
    if len(secret or "") < MIN_SECRET_LENGTH:
        errors["secret"] = [_("签名密钥至少需要 %(n)d 个字符。") % {"n": MIN_SECRET_LENGTH}]
    entities = list(dict.fromkeys(entities or []))
    if kind == SubscriptionKind.FEED:
        if not entities or not set(entities) <= set(Entity.values):
            errors["entities"] = [
                _("请选择推送对象：%(codes)s。") % {"codes": ", ".join(Entity.values)}
            ]
    elif not origin_channel:
        errors["origin_channel"] = [_("请填写来源渠道。")]
    if errors:
        raise ValidationError(errors)
    changes_sequence()
    top = Change.objects.order_by("-position").values_list("position", flat=True).first()
    return WebhookSubscription.objects.create(
        kind=kind,
        name=name,
        url=url,
        secret=secret,
        entities=entities,
        origin_channel=origin_channel,
        region=region,
        cursor=top or 0,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """The credit office's "redeliver": the delivery goes out again at once (a delivered one
    is sent once more as a new delivery; a parked one resumes, and its subscription with it)."""
    now = timezone.now()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        if delivery.status == DeliveryStatus.DELIVERED:
            return WebhookDelivery.objects.create(
                subscription=subscription,
                change_id=delivery.change_id,
                payload=delivery.payload,
                next_attempt_at=now,
            )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, first_attempt_at=None
        )
        # Everything parked behind it resumes too, in order.
        WebhookDelivery.objects.filter(
            subscription=subscription, status=DeliveryStatus.PARKED, pk__gt=delivery.pk
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, first_attempt_at=None)
        if subscription.parked_at is not None:
            subscription.parked_at = None
            subscription.save(update_fields=["parked_at"])
    delivery.refresh_from_db()
    return delivery


# --- fan-out ------------------------------------------------------------------------------------


def webhooks_fan_out(*, batch: int = FAN_OUT_BATCH) -> int:
    """Turn the changes after each feed subscription's cursor into deliveries (in feed order);
    return how many were queued. Safe to run concurrently: a subscription is locked while its
    cursor moves, and a second runner skips it."""
    changes_sequence()
    queued = 0
    now = timezone.now()
    for sub_id in WebhookSubscription.objects.filter(
        kind=SubscriptionKind.FEED, is_active=True
    ).values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                sub = (
                    WebhookSubscription.objects.select_for_update(skip_locked=True)
                    .filter(pk=sub_id)
                    .first()
                )
                if sub is None:
                    break
                changes = list(
                    Change.objects.filter(position__gt=sub.cursor, position__isnull=False)
                    .annotate(region_code=F("agency__region_id"))
                    .order_by("position")[:batch]
                )
                if not changes:
                    break
                wanted = [c for c in changes if _subscribed(sub, c)]
                WebhookDelivery.objects.bulk_create(
                    [
                        WebhookDelivery(
                            subscription=sub, change=c, payload=change_body(c), next_attempt_at=now
                        )
                        for c in wanted
                    ]
                )
                queued += len(wanted)
                sub.cursor = changes[-1].position
                sub.save(update_fields=["cursor"])
            if len(changes) < batch:
                break
    return queued


def _subscribed(sub: WebhookSubscription, change: Change) -> bool:
    """Whether ``sub`` receives ``change``: one of its entities, and (for a region's
    subscription) a change of an agency in that region or below, as the feed shows it."""
    if change.entity not in sub.entities:
        return False
    return not sub.region or (change.region_code or "").startswith(sub.region)


def origin_notify(*, channel: str, payload: dict, agency_id: int | None = None) -> None:
    """Queue a complaint's status notice for the origin system of ``channel`` (its ORIGIN
    subscriptions), in the caller's transaction: it exists iff the status change committed.
    A region's subscription gets the notices of complaints against agencies (``agency_id``,
    the respondent) of that region and below."""
    subs = list(
        WebhookSubscription.objects.filter(
            kind=SubscriptionKind.ORIGIN, origin_channel=channel, is_active=True
        ).values_list("pk", "region")
    )
    if any(region for _pk, region in subs):
        code = (
            Agency.objects.filter(pk=agency_id).values_list("region_id", flat=True).first()
            if agency_id
            else None
        ) or ""
        subs = [(pk, region) for pk, region in subs if code.startswith(region)]
    subs = [pk for pk, _region in subs]
    if not subs:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription_id=s, payload=payload, next_attempt_at=now) for s in subs]
    )


# --- delivery -------------------------------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: 30 s after the first failure, doubling, at most two hours."""
    return datetime.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


def _claim(*, limit: int, now) -> list[int]:
    """Lease up to ``limit`` subscriptions that have a due delivery (one worker each)."""
    table = WebhookSubscription._meta.db_table
    deliveries = WebhookDelivery._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET leased_until = %s WHERE id IN ("  # noqa: S608
        f" SELECT s.id FROM {table} s WHERE s.is_active AND s.parked_at IS NULL"
        " AND (s.leased_until IS NULL OR s.leased_until < %s)"
        f" AND EXISTS (SELECT 1 FROM {deliveries} d WHERE d.subscription_id = s.id"
        " AND d.status = %s AND d.next_attempt_at <= %s)"
        f" ORDER BY s.id LIMIT %s{lock}) RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [now + LEASE, now, DeliveryStatus.PENDING, now, limit])
        return sorted(row[0] for row in cursor.fetchall())


def _send(session, sub: WebhookSubscription, delivery: WebhookDelivery):
    """POST one delivery; return ``(status_code or None, error code (``DeliveryError``) or "",
    milliseconds)``."""
    timestamp = int(time.time())
    body = json.dumps(
        {
            **delivery.payload,
            "delivery_id": str(uuid.UUID(int=delivery.pk)),
            "timestamp": timestamp,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "integrity-portal-webhooks/1",
        "X-Portal-Signature": sign(body, sub.secret),
        "X-Portal-Delivery": str(uuid.UUID(int=delivery.pk)),
        "X-Portal-Timestamp": str(timestamp),
    }
    started = time.monotonic()
    host = (urlsplit(sub.url).hostname or "").lower()
    if not host_allowed(host):  # the allowed list may have narrowed since it was registered
        return None, DeliveryError.HOST_NOT_ALLOWED, 0
    try:
        response = session.post(
            sub.url,
            data=body,
            headers=headers,
            timeout=(3, settings.WEBHOOK_TIMEOUT_SECONDS),
            allow_redirects=False,  # a redirect is a failure, never followed to another host
        )
    except requests.Timeout:
        return None, DeliveryError.TIMEOUT, int((time.monotonic() - started) * 1000)
    except requests.ConnectionError:
        return None, DeliveryError.CONNECTION, int((time.monotonic() - started) * 1000)
    except requests.RequestException:
        return None, DeliveryError.REQUEST_FAILED, int((time.monotonic() - started) * 1000)
    ms = int((time.monotonic() - started) * 1000)
    if 300 <= response.status_code < 400:
        return response.status_code, DeliveryError.REDIRECT, ms
    return response.status_code, "", ms


MARKED_FIELDS = (
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "first_attempt_at",
    "next_attempt_at",
    "delivered_at",
)


def _mark(done: list[WebhookDelivery]) -> None:
    """Store the outcome of a batch of attempts. On PostgreSQL one ``UPDATE … FROM (VALUES
    …)`` statement: ``bulk_update``'s ``CASE WHEN`` per field and row cost more CPU than the
    sending itself (profiled: benchmarks/sharing.py); elsewhere (embedded) ``bulk_update``."""
    if not done:
        return
    if connection.vendor != "postgresql":
        WebhookDelivery.objects.bulk_update(done, list(MARKED_FIELDS), batch_size=500)
        return
    table = WebhookDelivery._meta.db_table
    row = "(%s::bigint, %s::varchar, %s::integer, %s::integer, %s::varchar, %s::timestamptz,"
    row += " %s::timestamptz, %s::timestamptz)"
    params = []
    for d in done:
        params += [d.pk, *(getattr(d, field) for field in MARKED_FIELDS)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS d SET status = v.status, attempts = v.attempts,"  # noqa: S608
            " last_status_code = v.code, last_error = v.error, first_attempt_at = v.first_at,"
            " next_attempt_at = v.next_at, delivered_at = v.delivered_at"
            f" FROM (VALUES {', '.join([row] * len(done))}) AS v(id, status, attempts, code,"
            " error, first_at, next_at, delivered_at) WHERE d.id = v.id",
            params,
        )


def _deliver_subscription(session, sub_id: int, *, now, max_per_subscription: int) -> int:
    """Send one leased subscription's due deliveries in order, stopping at the first failure;
    return how many were delivered."""
    sub = WebhookSubscription.objects.get(pk=sub_id)
    delivered = 0
    try:
        pending = list(
            WebhookDelivery.objects.filter(
                subscription_id=sub_id, status=DeliveryStatus.PENDING
            ).order_by("id")[:max_per_subscription]
        )
        done: list[WebhookDelivery] = []
        attempts: list[WebhookAttempt] = []
        for delivery in pending:
            if delivery.next_attempt_at > now:
                break  # the head is waiting for its retry: nothing behind it may overtake
            at = timezone.now()
            code, error, ms = _send(session, sub, delivery)
            attempts.append(
                WebhookAttempt(
                    delivery=delivery, at=at, status_code=code, error=error, duration_ms=ms
                )
            )
            delivery.attempts += 1
            delivery.last_status_code = code
            delivery.first_attempt_at = delivery.first_attempt_at or at
            if code is not None and 200 <= code < 300 and not error:
                delivery.status = DeliveryStatus.DELIVERED
                delivery.delivered_at = at
                delivery.last_error = ""
                done.append(delivery)
                delivered += 1
                continue
            delivery.last_error = error or DeliveryError.HTTP_STATUS
            if at - delivery.first_attempt_at >= GIVE_UP_AFTER:
                delivery.status = DeliveryStatus.PARKED
                logger.error(
                    "webhook delivery %s to subscription %s parked after 24 hours of failures"
                    " (%s); the credit office must redeliver",
                    delivery.pk,
                    sub_id,
                    delivery.last_error,
                )
            else:
                delivery.next_attempt_at = at + retry_delay(delivery.attempts)
            done.append(delivery)
            break
        with transaction.atomic():
            _mark(done)
            WebhookAttempt.objects.bulk_create(attempts, batch_size=500)
            if any(d.status == DeliveryStatus.PARKED for d in done):
                WebhookSubscription.objects.filter(pk=sub_id).update(parked_at=timezone.now())
    finally:
        WebhookSubscription.objects.filter(pk=sub_id).update(leased_until=None)
    return delivered


def _deliver_leased(sub_id: int, *, now, max_per_subscription: int, own_connection: bool) -> int:
    try:
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: receivers are named
            return _deliver_subscription(
                session, sub_id, now=now, max_per_subscription=max_per_subscription
            )
    finally:
        if own_connection:
            connection.close()  # a pool thread's own connection


def webhooks_deliver(*, claim: int = 20, max_per_subscription: int = 1000) -> int:
    """Lease subscriptions with due deliveries and send them; return how many were delivered.

    Subscriptions are independent, so up to ``WEBHOOK_DELIVERY_THREADS`` of them are sent at
    once (waiting on receivers is I/O); inside one subscription deliveries stay sequential.
    """
    now = timezone.now()
    leased = _claim(limit=claim, now=now)
    threads = min(settings.WEBHOOK_DELIVERY_THREADS, len(leased))
    if threads <= 1:
        return sum(
            _deliver_leased(
                s, now=now, max_per_subscription=max_per_subscription, own_connection=False
            )
            for s in leased
        )
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(
            pool.map(
                lambda s: _deliver_leased(
                    s, now=now, max_per_subscription=max_per_subscription, own_connection=True
                ),
                leased,
            )
        )


def webhooks_run_once() -> int:
    """Fan out and deliver once (tests, the command); return how many were delivered."""
    webhooks_fan_out()
    return webhooks_deliver()
