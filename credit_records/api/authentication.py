"""Token authentication for integration clients (``Authorization: Token ipc_...``).

Tokens are stored as SHA-256 hashes; a header whose token does not start with ``ipc_`` is
left to DRF's own TokenAuthentication (staff tokens from /api/v1/auth/token/).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..models import IntegrationClient, integration_token_hash
from ..services.clients import TOKEN_PREFIX


class IntegrationTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            return None
        try:
            token = parts[1].decode()
        except UnicodeError:
            return None
        if not token.startswith(TOKEN_PREFIX):
            return None
        client = (
            IntegrationClient.objects.select_related("user")
            .filter(token_hash=integration_token_hash(token))
            .first()
        )
        if client is None or not client.is_active or not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("无效的令牌。"))
        return client.user, client

    def authenticate_header(self, request):
        return self.keyword


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
