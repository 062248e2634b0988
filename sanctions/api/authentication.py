"""Staff token authentication with a short-lived cache, for the credit check.

DRF's ``TokenAuthentication`` reads the token and its user from the database on every request.
Here the token → user answer comes from ``agencies.token_cache`` after the first request (see
there for what is kept, for how long, and when it is dropped); the entry is also dropped when
the token is deleted. Unknown tokens and inactive users fail as in DRF, with DRF's messages.
"""

import hashlib

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from agencies.token_cache import (
    forget_quietly,
    header_token,
    register_kind,
    remember,
    user_from_values,
    user_values,
)
from integrity_portal.read_ahead import reader_of

KIND = "token"


def _token_key(key: str) -> str:
    return "auth:token:" + hashlib.sha256(key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    """``TokenAuthentication`` with the same header parsing, errors and semantics, whose
    token → user lookup is answered from the cache after the first request."""

    reader = cache  # the request's ``ReadAhead`` once ``authenticate`` has it

    def cache_key_for(self, request) -> str | None:
        """The cache entry ``authenticate`` will read (for ``integrity_portal.read_ahead``)."""
        token = header_token(request, self.keyword)
        return None if token is None else _token_key(token)

    def authenticate(self, request):
        # DRF makes new authenticators for every request, so this is the request's reader.
        self.reader = reader_of(request)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        cache_key = _token_key(key)
        values = self.reader.get(cache_key)
        if values is not None:
            return self._from_cache(key, values)
        user, token = super().authenticate_credentials(key)  # raises for unknown or inactive
        remember(KIND, cache_key, user_values(user), user_id=user.pk)
        return user, token

    @staticmethod
    def _from_cache(key, values):
        user = user_from_values(values)
        if not user.is_active:  # never stored, but the check stays where DRF has it
            # DRF's own msgid on purpose: DRF's zh-Hans catalogue translates it.
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(DEFAULT_DB_ALIAS, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token


def _on_token_deleted(sender, instance, **kwargs):
    forget_quietly(keys=[_token_key(instance.key)], kind=KIND, user_id=instance.user_id)


def connect_token_cache_receivers() -> None:
    """Called from the app config: invalidation must run in every process (web, workers,
    management commands), not only where the URLconf was loaded."""
    post_delete.connect(_on_token_deleted, sender=Token, dispatch_uid="sanctions.token_cache")
    register_kind(KIND)
