"""The Redis cache backend keeps one client per pool and behaves as Django's."""

import pytest
from django.core.cache import cache, caches

from integrity_portal.cache import PooledRedisCache

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
