"""Two credit officers (or one double click) resetting the same account's second factor at
once on PostgreSQL: the account's row lock makes the second wait for the first, find no device
and write nothing, so the access log holds one reset."""

import threading

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.choices import StaffRole
from agencies.services.second_factor import second_factor_reset
from integrity_portal.models import AccessLog
from tests.agencies.factories import AgencyFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_resets_at_once_remove_the_devices_once_and_log_one_reset():
    target = StaffFactory(role=StaffRole.HANDLER)
    TOTPDevice.objects.create(user=target, name="totp", confirmed=True)
    officers = [
        StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330100"))
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def reset(officer):
        try:
            barrier.wait()
            results.append(second_factor_reset(actor=officer, user=target))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reset, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(results, key=lambda r: r is None) == [0, None]
    assert AccessLog.objects.filter(what="totp_reset").count() == 1
    assert not TOTPDevice.objects.filter(user=target).exists()
