"""Time-limit policies and calendar overrides are cached per process on the intake path, and
an admin edit is seen at once in the process that made it."""

import datetime as dt

import pytest

from complaints.choices import Domain
from complaints.services.deadlines import policy_for
from integrity_portal.models import TimeLimitPolicy, WorkdayOverride
from integrity_portal.ttl_cache import TTLCache
from integrity_portal.workdays import Calendar

pytestmark = pytest.mark.django_db

NATIONAL_DAY = dt.date(2026, 10, 1)  # a statutory holiday in the package


def test_policy_lookups_after_the_first_cost_no_query(django_assert_num_queries):
    policy_for(Domain.PROCUREMENT)
    with django_assert_num_queries(0):
        assert policy_for(Domain.PAYMENT_ARREARS).result_days == 30
        assert policy_for(Domain.PROCUREMENT).acceptance_workdays == 2


def test_saving_a_policy_is_seen_at_once():
    assert policy_for(Domain.PROCUREMENT).acceptance_workdays == 2
    TimeLimitPolicy.objects.create(domain=Domain.PROCUREMENT, acceptance_workdays=3)
    assert policy_for(Domain.PROCUREMENT).acceptance_workdays == 3


def test_calendar_overrides_are_read_once_per_year_across_calendars(django_assert_num_queries):
    Calendar().is_workday(NATIONAL_DAY)
    with django_assert_num_queries(0):
        assert Calendar().is_workday(NATIONAL_DAY) is False


def test_saving_and_deleting_an_override_is_seen_at_once():
    assert Calendar().is_workday(NATIONAL_DAY) is False
    override = WorkdayOverride.objects.create(date=NATIONAL_DAY, is_workday=True, note="test")
    assert Calendar().is_workday(NATIONAL_DAY) is True
    override.delete()
    assert Calendar().is_workday(NATIONAL_DAY) is False


def test_ttl_cache_reloads_after_expiry(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("integrity_portal.ttl_cache.time.monotonic", lambda: clock[0])
    cache, loads = TTLCache(seconds=60), []

    def load():
        loads.append(1)
        return len(loads)

    assert cache.get_or_load("k", load) == 1
    clock[0] += 59
    assert cache.get_or_load("k", load) == 1
    clock[0] += 2
    assert cache.get_or_load("k", load) == 2
