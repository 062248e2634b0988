"""A short-lived cache of "token → user" answers, for the token authentications of the API.

A funding or procurement system asking the credit check thousands of times an hour presents
the same token again and again; reading the token and its user from the database each time
cost a round trip per request. The answer is cached for ``TOKEN_TTL`` seconds under a hash of
the token (never the token itself), holding only the user's id, username, flags, role and
agency (any other field is read from the database when used: a deferred field) and whatever
the caller adds. Entries are dropped when the user is saved or deleted (deactivation, a
changed role) through a per-user index, and by the callers when their token row changes;
bulk updates that bypass signals are covered by the TTL. Inactive users and unknown tokens are
never cached.

Lives in ``agencies`` (the users' app) so that both ``credit_records`` (integration clients)
and ``sanctions`` (staff tokens) can use it.
"""

import functools
import logging

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from rest_framework.authentication import get_authorization_header

logger = logging.getLogger(__name__)

TOKEN_TTL = 60  # seconds
USER_FIELDS = {"id", "username", "is_active", "is_staff", "is_superuser", "role", "agency_id"}


@functools.cache
def _user_attnames() -> list[str]:
    """The cached fields in model order (``Model.from_db`` takes values in that order)."""
    return [f.attname for f in get_user_model()._meta.concrete_fields if f.attname in USER_FIELDS]


def user_values(user) -> tuple:
    return tuple(getattr(user, name) for name in _user_attnames())


def user_from_values(values):
    return get_user_model().from_db(DEFAULT_DB_ALIAS, _user_attnames(), list(values))


def header_token(request, keyword: str) -> str | None:
    """The token of an ``Authorization: <keyword> <token>`` header, split as DRF splits it;
    None for any other header (DRF's classes then answer with their own errors)."""
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != keyword.lower().encode():
        return None
    try:
        return parts[1].decode()
    except UnicodeError:
        return None


def _user_index_key(kind: str, user_id) -> str:
    return f"auth:{kind}-of:{user_id}"


def remember(kind: str, key: str, value, *, user_id) -> None:
    """Cache ``value`` under ``key`` and index it under the user, so a change to the user
    drops it. ``kind`` names the token family (one index per user and family)."""
    cache.set_many({key: value, _user_index_key(kind, user_id): key}, TOKEN_TTL)


def forget(*, keys=(), kind: str | None = None, user_id=None) -> None:
    """Drop cached entries: the given keys, and the ``kind`` entry indexed under ``user_id``."""
    keys = list(keys)
    if kind is not None and user_id is not None:
        index = _user_index_key(kind, user_id)
        cached = cache.get(index)
        keys.append(index)
        if cached:
            keys.append(cached)
    if keys:
        cache.delete_many(keys)


def forget_quietly(**kwargs) -> None:
    """For signal receivers: a save must not fail because the cache is unreachable (an
    unreachable cache serves no stale entry either; the TTL bounds the rest)."""
    try:
        forget(**kwargs)
    except Exception:  # the cache client's connection errors differ by backend
        logger.warning("token cache entry not cleared (cache unreachable)", exc_info=True)


_KINDS: set[str] = set()


def _on_user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login stamp changes nothing an entry holds
    for kind in sorted(_KINDS):
        forget_quietly(kind=kind, user_id=instance.pk)


def register_kind(kind: str) -> None:
    """Called from an app config for each token family: user changes drop its entries in every
    process (web, workers, management commands), not only where the URLconf was loaded."""
    _KINDS.add(kind)
    user_model = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(_on_user_changed, sender=user_model, dispatch_uid="agencies.token_cache")
