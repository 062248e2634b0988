"""The staff's second factor (DESIGN section 11): TOTP enrolment with a QR code and recovery
codes, the code after the password on the console, the admin and the token endpoint, wrong
codes counted by the per-account lockout, and nothing changed while STAFF_REQUIRE_TOTP is off."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from agencies.models import User
from agencies.services.lockout import LOCKOUT_FAILURES
from agencies.services.second_factor import RECOVERY_CODES, enrolment_confirm, enrolment_device
from integrity_portal.models import AccessLog
from tests.agencies.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"
SECURITY = "/console/account/security/"
VERIFY = "/console/account/verify/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.STAFF_REQUIRE_TOTP = True


@pytest.fixture
def clock():
    """The TOTP clock, moved on a step (30 s) at a time: one code per step is accepted once."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def officer(**extra):
    return StaffFactory(role=StaffRole.CREDIT_OFFICER, **extra)


def enrolled(user):
    """``user`` with a confirmed TOTP device; returns (device, recovery codes)."""
    device = enrolment_device(user)
    codes = enrolment_confirm(user=user, device=device, token=code(device))
    return device, codes


def password_login(user) -> Client:
    client = Client()
    response = client.post("/console/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def token(user, **extra):
    body = {"username": user.username, "password": PASSWORD, **extra}
    return APIClient().post("/api/v1/auth/token/", body, format="json")


def test_an_officer_enrols_with_the_qr_code_and_gets_recovery_codes(clock):
    user = officer()
    client = password_login(user)
    # The password alone opens nothing but the enrolment page.
    response = client.get("/console/")
    assert response.status_code == 302 and response.url.startswith(SECURITY)
    page = client.get(SECURITY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'id="totp-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(SECURITY).status_code == 200  # a reload shows the same device
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(SECURITY, {"otp_token": "000000" if code(device) != "000000" else "1"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    clock.shift(dt.timedelta(seconds=30))
    done = client.post(SECURITY, {"otp_token": code(device)})
    assert done.status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    shown = done.context["codes"]
    assert len(shown) == RECOVERY_CODES and all(c in done.content.decode() for c in shown)
    assert StaticToken.objects.filter(device__user=user).count() == RECOVERY_CODES
    assert AccessLog.objects.filter(user=user, what="totp_enrol").count() == 1
    assert client.get("/console/").status_code == 200  # this session gave its code


def test_after_the_password_the_console_api_and_admin_wait_for_the_code(clock):
    user = officer(is_staff=True, is_superuser=True)
    device, _codes = enrolled(user)
    client = password_login(user)
    for path in ("/console/", "/admin/", SECURITY):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(VERIFY), path
    # Elsewhere the half-logged-in session is anonymous.
    assert client.get("/api/v1/staff/").status_code in (401, 403)
    assert 'href="/console/"' not in client.get(VERIFY).content.decode()  # no header links

    clock.shift(dt.timedelta(seconds=30))
    assert client.post(VERIFY, {"otp_token": "12345"}).status_code == 200  # wrong: form again
    assert User.objects.get(pk=user.pk).failed_logins == 1
    clock.shift(dt.timedelta(seconds=30))
    response = client.post(VERIFY, {"otp_token": code(device), "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert User.objects.get(pk=user.pk).failed_logins == 0
    assert client.get("/admin/").status_code == 200
    assert client.get("/console/").status_code == 200
    assert client.get("/api/v1/staff/").status_code == 200


def test_the_admin_login_asks_for_the_code_too(clock):
    user = officer(is_staff=True, is_superuser=True)
    device, _codes = enrolled(user)
    client = Client()
    login = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert login.status_code == 302
    assert client.get("/admin/").url.startswith(VERIFY)
    clock.shift(dt.timedelta(seconds=30))
    client.post(VERIFY, {"otp_token": code(device)})
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_opens_one_login_only(clock):
    user = officer()
    _device, codes = enrolled(user)
    first = password_login(user)
    response = first.post(VERIFY, {"otp_token": codes[0].upper()})
    assert response.status_code == 302 and first.get("/console/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == RECOVERY_CODES - 1
    clock.shift(dt.timedelta(minutes=5))  # past django-otp's back-off
    second = password_login(user)
    again = second.post(VERIFY, {"otp_token": codes[0]})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()
    assert second.get("/console/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(clock):
    user = officer()
    _device, old = enrolled(user)
    client = password_login(user)
    client.post(VERIFY, {"otp_token": old[0]})
    response = client.post("/console/account/security/recovery-codes/")
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(new)
    assert AccessLog.objects.filter(user=user, what="recovery_codes_renew").exists()


def test_wrong_codes_lock_the_account_and_a_new_password_login_does_not_reset_them(clock):
    user = officer()
    device, _codes = enrolled(user)
    client = password_login(user)
    for _ in range(LOCKOUT_FAILURES - 2):
        client.post(VERIFY, {"otp_token": "999999x"})
    client = password_login(user)  # the right password again: the count stays
    assert User.objects.get(pk=user.pk).failed_logins == LOCKOUT_FAILURES - 2
    for _ in range(2):
        client.post(VERIFY, {"otp_token": "999999x"})
    assert User.objects.get(pk=user.pk).locked_until is not None
    clock.shift(dt.timedelta(seconds=30))
    # Locked: even the right code logs the session out.
    response = client.post(VERIFY, {"otp_token": code(device)})
    assert response.status_code == 302 and response.url == "/console/login/"
    assert client.get("/console/").status_code == 302
    assert token(user, otp_token=code(device)).status_code == 403


def test_the_token_endpoint_asks_for_the_code(clock):
    user = officer()
    assert token(user).status_code == 403  # must enrol first, in the console
    device, _codes = enrolled(user)
    missing = token(user)
    assert missing.status_code == 400 and "otp_token" in missing.json()
    wrong = token(user, otp_token="123")
    assert wrong.status_code == 400 and "otp_token" in wrong.json()
    assert User.objects.get(pk=user.pk).failed_logins == 1
    clock.shift(dt.timedelta(seconds=30))
    right = token(user, otp_token=code(device))
    assert right.status_code == 200 and right.json()["token"]
    assert User.objects.get(pk=user.pk).failed_logins == 0


def test_other_staff_are_not_asked_unless_they_enrolled(clock):
    handler = StaffFactory(role=StaffRole.HANDLER)
    assert token(handler).status_code == 200
    assert password_login(handler).get("/console/").status_code == 200
    device, _codes = enrolled(handler)  # enrolled of their own accord: asked from now on
    assert token(handler).status_code == 400
    assert password_login(handler).get("/console/").status_code == 302
    clock.shift(dt.timedelta(seconds=30))
    assert token(handler, otp_token=code(device)).status_code == 200


def test_with_the_setting_off_nothing_changes(settings):
    settings.STAFF_REQUIRE_TOTP = False
    user = officer(is_staff=True, is_superuser=True)
    client = password_login(user)
    assert client.get("/console/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert token(user).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("bad", ["abc\x00def", "x" * 5000, 123456, ["123456"], None])
def test_a_malformed_code_on_the_token_endpoint_is_a_400_on_its_field(clock, bad):
    user = officer()
    enrolled(user)
    response = token(user, otp_token=bad)
    assert response.status_code == 400 and "otp_token" in response.json()
