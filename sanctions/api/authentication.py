"""Staff token authentication with a short-lived cache, for the credit check.

DRF's ``TokenAuthentication`` reads the token and its user from the database on every request.
A credit-check client (a funding or procurement system asking thousands of times an hour)
presents the same token again and again, so the token → user answer is cached for
``TOKEN_TTL`` seconds under the SHA-256 of the key (never the key itself). The entry holds only
the user's id, username, flags, role and agency; any other field is read from the database
when used (a deferred field). It is dropped when the token is deleted and when the user is
saved or deleted (deactivation, a changed role); bulk updates that bypass signals are covered
by the TTL. Inactive users and unknown tokens are never cached: they fail as in DRF, with DRF's
messages.
"""

import functools
import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)

TOKEN_TTL = 60  # seconds
USER_FIELDS = {"id", "username", "is_active", "is_staff", "is_superuser", "role", "agency_id"}


@functools.cache
def _user_attnames() -> list[str]:
    """The cached fields in model order (``Model.from_db`` takes values in that order)."""
    return [f.attname for f in get_user_model()._meta.concrete_fields if f.attname in USER_FIELDS]


def _token_key(key: str) -> str:
    return "auth:token:" + hashlib.sha256(key.encode()).hexdigest()


def _user_index_key(user_id) -> str:
    return f"auth:token-of:{user_id}"


class CachedTokenAuthentication(TokenAuthentication):
    """``TokenAuthentication`` with the same header parsing, errors and semantics, whose
    token → user lookup is answered from the cache after the first request."""

    def authenticate_credentials(self, key):
        cache_key = _token_key(key)
        values = cache.get(cache_key)
        if values is not None:
            return self._from_cache(key, values)
        user, token = super().authenticate_credentials(key)  # raises for unknown or inactive
        cache.set_many(
            {
                cache_key: tuple(getattr(user, name) for name in _user_attnames()),
                _user_index_key(user.pk): cache_key,
            },
            TOKEN_TTL,
        )
        return user, token

    @staticmethod
    def _from_cache(key, values):
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, _user_attnames(), list(values))
        if not user.is_active:  # never stored, but the check stays where DRF has it
            # DRF's own msgid on purpose: DRF's zh-Hans catalogue translates it.
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(DEFAULT_DB_ALIAS, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token


def token_cache_forget(*, key: str | None = None, user_id=None) -> None:
    """Drop the cached entry of a token (by key) or of a user's token."""
    keys = []
    if key is not None:
        keys.append(_token_key(key))
    if user_id is not None:
        index = _user_index_key(user_id)
        cached = cache.get(index)
        keys.append(index)
        if cached:
            keys.append(cached)
    if keys:
        cache.delete_many(keys)


def _forget_quietly(**kwargs) -> None:
    """A receiver must not fail a user's or token's save because the cache is unreachable
    (an unreachable cache serves no stale entry either; the TTL bounds the rest)."""
    try:
        token_cache_forget(**kwargs)
    except Exception:  # the cache client's connection errors differ by backend
        logger.warning("token cache entry not cleared (cache unreachable)", exc_info=True)


def _on_token_deleted(sender, instance, **kwargs):
    _forget_quietly(key=instance.key, user_id=instance.user_id)


def _on_user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login stamp changes nothing the token entry holds
    _forget_quietly(user_id=instance.pk)


def connect_token_cache_receivers() -> None:
    """Called from the app config: invalidation must run in every process (web, workers,
    management commands), not only where the URLconf was loaded."""
    post_delete.connect(_on_token_deleted, sender=Token, dispatch_uid="sanctions.token_cache")
    user_model = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(_on_user_changed, sender=user_model, dispatch_uid="sanctions.user_cache")
