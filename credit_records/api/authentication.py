"""API token authentication: external systems' tokens (``Authorization: Token ipc_…``) and
staff tokens (``Authorization: Token <key>`` from /api/v1/auth/token/), each answered from a
one-minute cache after its first request.

Why a cache — the API's one piece of performance machinery beyond Django's and DRF's own (the
rule in docs/ARCHITECTURE.md): a funding or procurement system asks the credit check thousands
of times an hour with the same token, and DRF's ``TokenAuthentication`` reads the token and its
user from the database on every request. That lookup (building the ORM query, the round trip)
was 39% of a credit check's CPU in this process (cProfile, 2,000 checks,
``benchmarks/request_cpu.py credit-check --profile``); with the cache a warm check makes no
authentication query, and the credit-check benchmark answered 516/s instead of 376/s
(``benchmarks/credit_check.py --load-generator wrk --connections 5 --repeat 3``, same run).

What is cached, under a hash of the token (never the token): the user's id, username, flags,
role and agency (any other field is loaded when read), and for an external system its client's
id, name and source. Unknown tokens and inactive users or clients are never cached. An entry is
dropped at once when the user, the client or the staff token is saved or deleted (the signal
receivers below, connected in every process), and in any case after ``TOKEN_TTL``. A cache that
is unreachable answers nothing, so the database is read as without the cache.

Tokens of external systems are stored as SHA-256 hashes (random tokens need no slow hasher).
"""

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from ..models import IntegrationClient, integration_token_hash
from ..services.clients import TOKEN_PREFIX

logger = logging.getLogger(__name__)

TOKEN_TTL = 60  # seconds
USER_FIELDS = ("id", "is_superuser", "username", "is_staff", "is_active", "agency_id", "role")
CLIENT_FIELDS = ("id", "name", "source", "user_id", "is_active")


def _user_attnames() -> list[str]:
    """The cached user fields in model order (``Model.from_db`` takes values in that order)."""
    return [f.attname for f in get_user_model()._meta.concrete_fields if f.attname in USER_FIELDS]


def _entry_key(kind: str, token: str) -> str:
    return f"auth:{kind}:{hashlib.sha256(token.encode()).hexdigest()}"


def _index_key(kind: str, user_id) -> str:
    return f"auth:{kind}-of:{user_id}"


def _remember(kind: str, token: str, user, extra=()) -> None:
    values = tuple(getattr(user, name) for name in _user_attnames())
    key = _entry_key(kind, token)
    cache.set_many({key: (values, tuple(extra)), _index_key(kind, user.pk): key}, TOKEN_TTL)


def _recall(kind: str, token: str):
    """``(user, extra)`` from the cache, or None."""
    found = cache.get(_entry_key(kind, token))
    if found is None:
        return None
    values, extra = found
    return get_user_model().from_db(DEFAULT_DB_ALIAS, _user_attnames(), list(values)), extra


def forget_user(user_id) -> None:
    """Drop every cached entry of the user (both kinds)."""
    indexes = [_index_key(kind, user_id) for kind in ("staff", "ipc")]
    keys = [key for key in cache.get_many(indexes).values() if key]
    cache.delete_many([*indexes, *keys])


class IntegrationTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (same header, same errors) over ``IntegrationClient``; a
    token without the ``ipc_`` prefix is not ours (None: the next class reads it)."""

    def authenticate_credentials(self, key):
        if not key.startswith(TOKEN_PREFIX):
            return None
        cached = _recall("ipc", key)
        if cached is not None:
            user, values = cached
            client = IntegrationClient.from_db(DEFAULT_DB_ALIAS, CLIENT_FIELDS, list(values))
            client.user = user  # also sets user.integration_client
            return user, client
        client = (
            IntegrationClient.objects.select_related("user")
            .filter(token_hash=integration_token_hash(key))
            .first()
        )
        if client is None or not client.is_active or not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("无效的令牌。"))
        _remember("ipc", key, client.user, (getattr(client, f) for f in CLIENT_FIELDS))
        return client.user, client


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's ``TokenAuthentication`` (same header, same errors, same checks) for staff tokens,
    answered from the cache after the first request."""

    def authenticate_credentials(self, key):
        cached = _recall("staff", key)
        if cached is None:
            user, token = super().authenticate_credentials(key)  # raises for unknown, inactive
            _remember("staff", key, user)
            return user, token
        user, _extra = cached
        token = Token.from_db(DEFAULT_DB_ALIAS, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token


def _forget_quietly(user_id) -> None:
    """For the receivers: a save must not fail because the cache is unreachable (which then
    serves no entry either; ``TOKEN_TTL`` bounds what it kept)."""
    try:
        forget_user(user_id)
    except Exception:  # the cache client's connection errors differ by backend
        logger.warning("token cache entries of user %s not dropped", user_id, exc_info=True)


def _on_user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login stamp changes nothing an entry holds
    _forget_quietly(instance.pk)


def _on_owner_changed(sender, instance, **kwargs):
    _forget_quietly(instance.user_id)


def connect_cache_receivers() -> None:
    """From ``CreditRecordsConfig.ready``: every process (web, workers, commands) drops the
    entries of a user, token or client it changes."""
    for signal in (post_save, post_delete):
        signal.connect(_on_user_changed, sender=get_user_model(), dispatch_uid="auth-cache-user")
        signal.connect(_on_owner_changed, sender=Token, dispatch_uid="auth-cache-token")
        signal.connect(_on_owner_changed, sender=IntegrationClient, dispatch_uid="auth-cache-ipc")


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "credit_records.api.authentication.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token ipc_… (integration client tokens)",
        }
