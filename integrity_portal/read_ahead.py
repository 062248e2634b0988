"""Cache keys read together, ahead of the code that needs them.

A request that reads several cache entries one after another (the API token's user during
authentication, then the data the view answers from) pays one round trip to Redis for each.
When the view can name all the keys at its start, ``ReadAhead`` reads them in one ``get_many``
and serves each key once from that answer; the code further down reads through
``reader.get(key)`` / ``reader.get_many(keys)`` as it would read the cache, and anything it
was not given ahead (or asks for a second time, after it may have written it) goes to the cache.
Code that is not handed a ``ReadAhead`` passes the cache itself, which has the same two methods.
"""

from collections.abc import Iterable

from django.core.cache import cache


class ReadAhead:
    def __init__(self, keys: Iterable[str]):
        self._pending = set(keys)
        self._found = cache.get_many(list(self._pending)) if self._pending else {}

    def get(self, key: str, default=None):
        if key in self._pending:
            self._pending.discard(key)
            return self._found.get(key, default)
        return cache.get(key, default)

    def get_many(self, keys: Iterable[str]) -> dict:
        keys = list(keys)
        if not self._pending.issuperset(keys):
            return cache.get_many(keys)
        self._pending.difference_update(keys)
        return {key: self._found[key] for key in keys if key in self._found}


def reader_of(request):
    """The request's ``ReadAhead`` when its view set one up, else the cache."""
    return getattr(request, "cache_read_ahead", None) or cache
