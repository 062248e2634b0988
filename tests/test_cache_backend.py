"""The Redis cache backend keeps one client per pool, holding one connection per thread, and
behaves as Django's."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches

from integrity_portal.cache import OneConnectionRedis, PooledRedisCache

pytestmark = pytest.mark.redis


def test_the_configured_cache_is_the_pooled_backend():
    assert isinstance(caches["default"], PooledRedisCache)


def test_one_client_object_serves_every_call():
    # Django keeps one cache backend per thread, so this is one client per thread and pool.
    backend = caches["default"]._cache
    client = backend.get_client()
    assert backend.get_client(write=True) is client
    cache.get("pooled-warm")
    assert backend.get_client() is client


def test_reads_writes_and_counters_work_as_in_django():
    cache.set("pooled-test", {"a": 1}, 30)
    assert cache.get("pooled-test") == {"a": 1}
    assert cache.get_many(["pooled-test", "pooled-missing"]) == {"pooled-test": {"a": 1}}
    assert cache.add("pooled-test", "other") is False
    cache.set("pooled-count", 1)
    assert cache.incr("pooled-count") == 2
    cache.delete_many(["pooled-test", "pooled-count"])
    assert cache.get("pooled-test") is None


def _client():
    return caches["default"]._cache.get_client()


def test_each_thread_keeps_one_connection_for_its_calls():
    cache.set("one-conn", 1)
    first = _client().client_id()
    for _ in range(5):
        cache.get("one-conn")
        cache.get_many(["one-conn", "one-conn-missing"])
    assert _client().client_id() == first


def test_a_connection_closed_by_the_server_is_replaced_on_the_next_call():
    cache.set("killed-conn", "still here")
    killed = _client().client_id()
    admin = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert admin.client_kill_filter(_id=killed) == 1
    assert cache.get("killed-conn") == "still here"
    assert _client().client_id() != killed


def test_a_command_interrupted_before_its_reply_leaves_no_reply_behind(monkeypatch):
    # Between sending a command and reading its reply (a signal, a time limit): the reply
    # stays on the socket, and the next command on that connection would read it as its own.
    cache.set_many({"reply-a": "A", "reply-b": "B"})
    original = OneConnectionRedis.parse_response
    calls = []

    def interrupted(self, connection, command_name, **options):
        if not calls:
            calls.append(command_name)
            raise KeyboardInterrupt
        return original(self, connection, command_name, **options)

    monkeypatch.setattr(OneConnectionRedis, "parse_response", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.get("reply-a")
    assert cache.get("reply-b") == "B"


def test_a_forked_child_connects_on_its_own():
    cache.set("forked", "shared value")
    parent_id = _client().client_id()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its connection and what it read, then leave at once
        try:
            answer = f"{_client().client_id()} {cache.get('forked')}"
        except BaseException as exc:  # reported to the parent
            answer = f"error {exc!r}"
        os.write(write_end, answer.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child_id, value = pipe.read().split(" ", 1)
    os.waitpid(pid, 0)
    assert value == "shared value"
    assert int(child_id) != parent_id
    assert _client().client_id() == parent_id  # the parent's socket was left alone
    assert cache.get("forked") == "shared value"
