"""Django's Redis cache backend with one client, holding one connection, per thread; and
without the memcached key checks.

Measured on the credit check, where these costs were a large share of a request:

- Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and
  redis-py's constructor fills a table of about 160 response callbacks each time. One client
  serves every call here.
- A pooled client takes a connection from its pool for every command, and the pool first
  makes sure nothing is waiting to be read on it: a non-blocking ``recv`` that fails, between
  two changes of the socket's timeout, about 30 µs of CPU per command. Django keeps one cache
  backend per thread, so each backend's client can hold one connection for good
  (redis-py's ``single_connection_client``), and that check has nothing left to guard: a
  command interrupted half-way (a timeout, a signal) drops the connection, so no reply is left
  to be read by the next command, and the next command connects again. A connection the
  server closed while it sat idle (a restart of Redis, its idle ``timeout``), which the pool's
  check used to find before sending, now fails the command once, which is retried at once on
  a new connection. After a fork the child builds its own client, never using the parent's
  socket.
- Django checks every key against memcached's limits (250 characters, no spaces or control
  characters), looping over the key's characters in Python: 13 µs a key, three keys a credit
  check. Redis keys are binary-safe and may be as long as a value, so the check guards against
  nothing here; Django's cache documentation suggests overriding ``validate_key`` for a
  backend that accepts a wider range of keys.

Pipelines (``set_many``, ``delete_many``) still take a connection of their own from the pool.
"""

import os

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry


class OneConnectionRedis(redis.Redis):
    """A ``redis.Redis`` holding one connection, which it drops when a command fails in any
    way (redis-py drops it when reading or sending is interrupted; this also covers the moment
    between the two), so that a reply can never be left on it for the next command."""

    def __init__(self, **kwargs):
        super().__init__(single_connection_client=True, **kwargs)

    def execute_command(self, *args, **options):
        try:
            return super().execute_command(*args, **options)
        except BaseException:
            if self.connection is not None:
                self.connection.disconnect()  # reconnects on the next command
            raise


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._client = OneConnectionRedis
        # One immediate retry on a new connection when the held one turns out to be closed
        # (see the module's docstring); a deployment's own OPTIONS["retry"] wins.
        self._pool_options.setdefault("retry", Retry(NoBackoff(), 1))
        self._clients = {}
        self._pid = os.getpid()

    def get_client(self, key=None, *, write=False):
        if self._pid != os.getpid():
            # A forked child (a web or task worker) must not share its parent's sockets: new
            # clients, whose pools redis-py resets in the child on first use.
            self._clients = {}
            self._pid = os.getpid()
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

    def validate_key(self, key):
        """Every key is valid in Redis (see the module's docstring)."""
