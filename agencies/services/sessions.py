"""Ending an account's logins from elsewhere: when its second factor is reset, a session that
was opened (and verified) with the lost phone must not go on working."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def user_sessions_end(*, user) -> int:
    """Delete every live session logged in as ``user``; the number ended.

    Sessions are stored signed and encoded, so the account cannot be found in SQL: each live
    session is decoded (``get_decoded``) and compared. That reads every unexpired session of
    the deployment — acceptable for a rare act of the credit office (``docs/ARCHITECTURE.md``
    gives the measured cost). Deleting through the engine's ``SessionStore`` also drops a
    ``cached_db`` engine's cache entry. Only database-backed engines can be searched at all;
    any other engine is refused loudly rather than silently leaving the sessions alive."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        raise NotImplementedError(f"{settings.SESSION_ENGINE} cannot be searched by account")
    account = str(user.pk)
    live = get_model_class().objects.filter(expire_date__gt=timezone.now())
    ended = 0
    for session in live.iterator(chunk_size=2000):
        if session.get_decoded().get(SESSION_KEY) == account:
            store_class().delete(session.session_key)
            ended += 1
    return ended
