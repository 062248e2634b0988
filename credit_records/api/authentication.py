"""Token authentication for integration clients (``Authorization: Token ipc_...``).

Tokens are stored as SHA-256 hashes; a header whose token does not start with ``ipc_`` is
left to DRF's own TokenAuthentication (staff tokens from /api/v1/auth/token/). The answer
(client and user) is cached briefly through ``agencies.token_cache``, under the token's hash:
a funding system asks the credit check thousands of times an hour with one token. Saving or
deleting the client (a rotated token, a deactivation) or its user drops the entry at once.
"""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from agencies.token_cache import (
    forget_quietly,
    header_token,
    register_kind,
    remember,
    user_from_values,
    user_values,
)
from integrity_portal.read_ahead import reader_of

from ..models import IntegrationClient, integration_token_hash
from ..services.clients import TOKEN_PREFIX

KIND = "ipc"
CLIENT_FIELDS = ["id", "name", "source", "user_id", "is_active"]


def _client_key(token_hash: str) -> str:
    return "auth:ipc:" + token_hash


class IntegrationTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def _token_of(self, request) -> str | None:
        token = header_token(request, self.keyword)
        return token if token is not None and token.startswith(TOKEN_PREFIX) else None

    def cache_key_for(self, request) -> str | None:
        """The cache entry ``authenticate`` will read (for ``integrity_portal.read_ahead``)."""
        token = self._token_of(request)
        return None if token is None else _client_key(integration_token_hash(token))

    def authenticate(self, request):
        token = self._token_of(request)
        if token is None:
            return None
        token_hash = integration_token_hash(token)
        key = _client_key(token_hash)
        cached = reader_of(request).get(key)
        if cached is not None:
            return self._from_cache(*cached)
        client = (
            IntegrationClient.objects.select_related("user").filter(token_hash=token_hash).first()
        )
        if client is None or not client.is_active or not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("无效的令牌。"))
        values = tuple(getattr(client, name) for name in CLIENT_FIELDS)
        remember(KIND, key, (values, user_values(client.user)), user_id=client.user_id)
        return client.user, client

    @staticmethod
    def _from_cache(client_values, values):
        """The client and its user as stored (only active ones are); the user knows its client
        (``user.integration_client``) without a query, as after ``select_related``."""
        user = user_from_values(values)
        client = IntegrationClient.from_db(DEFAULT_DB_ALIAS, CLIENT_FIELDS, list(client_values))
        client.user = user  # also sets user.integration_client
        return user, client

    def authenticate_header(self, request):
        return self.keyword


def _on_client_changed(sender, instance, **kwargs):
    forget_quietly(kind=KIND, user_id=instance.user_id)


def connect_client_cache_receivers() -> None:
    """Called from the app config, so invalidation runs in every process."""
    for signal in (post_save, post_delete):
        signal.connect(
            _on_client_changed, sender=IntegrationClient, dispatch_uid="credit_records.ipc_cache"
        )
    register_kind(KIND)


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # pragma: no cover — the schema package is a dependency
    pass
else:

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
