"""Django's Redis cache backend, keeping one client object per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and redis-py's
constructor fills a table of about 160 response callbacks each time: on the credit check (two
cache reads per request) that cost more CPU than the round trips to Redis. A ``redis.Redis``
on a connection pool is thread-safe and keeps no per-call state, so one per pool is enough;
connections still come from the pool per command, and redis-py resets a pool after a fork.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients.setdefault(
                index, self._client(connection_pool=self._pools[index])
            )
        return client


class PooledRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with ``PooledRedisCacheClient``."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
