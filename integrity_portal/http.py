"""The client's address, one way everywhere."""

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str:
    """The client address as DRF's throttles see it: ``REMOTE_ADDR``, or with
    ``TRUSTED_PROXY_COUNT`` = n > 0 the n-th address from the end of ``X-Forwarded-For`` (the
    one the outermost trusted proxy saw). Without a declared proxy the header is ignored: a
    client could write any address into it."""
    return BaseThrottle().get_ident(request)
