"""``ReadAhead``: keys read in one cache call, each served once, everything else from the cache."""

import pytest
from django.core.cache import cache

from integrity_portal.read_ahead import ReadAhead, reader_of


@pytest.fixture
def reads(cache_calls):
    cache.set_many({"ra:a": 1, "ra:b": 2, "ra:c": 3})
    cache_calls.clear()
    yield cache_calls
    cache.delete_many(["ra:a", "ra:b", "ra:c"])


def test_the_keys_are_read_in_one_call_and_then_served_without_the_cache(reads):
    ahead = ReadAhead(["ra:a", "ra:b", "ra:missing"])
    assert reads == [("get_many", ["ra:a", "ra:b", "ra:missing"])]
    assert ahead.get("ra:a") == 1
    assert ahead.get_many(["ra:b", "ra:missing"]) == {"ra:b": 2}
    assert len(reads) == 1
    assert ahead.get("ra:missing", "default") == "default"  # served once: now from the cache
    assert reads[1:] == [("get", "ra:missing")]


def test_a_key_is_served_once_then_read_from_the_cache_again(reads):
    ahead = ReadAhead(["ra:a"])
    assert ahead.get("ra:a") == 1
    cache.set("ra:a", 10)  # written after it was read ahead
    assert ahead.get("ra:a") == 10
    assert reads[-1] == ("get", "ra:a")


def test_a_missing_key_answers_the_default_without_a_cache_call(reads):
    ahead = ReadAhead(["ra:missing"])
    assert ahead.get("ra:missing", "default") == "default"
    assert reads == [("get_many", ["ra:missing"])]


def test_keys_not_read_ahead_go_to_the_cache(reads):
    ahead = ReadAhead(["ra:a"])
    assert ahead.get("ra:c") == 3
    assert ahead.get_many(["ra:a", "ra:b"]) == {"ra:a": 1, "ra:b": 2}
    assert reads[1:] == [("get", "ra:c"), ("get_many", ["ra:a", "ra:b"])]
    assert ahead.get("ra:a") == 1  # the partial get_many above served nothing from here
    assert len(reads) == 3


def test_no_keys_costs_no_cache_call(reads):
    ReadAhead([])
    assert reads == []


def test_a_request_without_a_read_ahead_reads_the_cache(rf):
    request = rf.get("/")
    assert reader_of(request) is cache
    request.cache_read_ahead = ahead = ReadAhead([])
    assert reader_of(request) is ahead
