"""The credit office's second-factor reset (/console/account/second-factor/): the staff
accounts of its region and below with their second factor, and a confirmed reset for a lost
phone that removes the devices, ends the account's logins, revokes its API token and is
logged; the next login enrols again."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from agencies.choices import StaffRole
from agencies.models import User
from agencies.services.second_factor import (
    RECOVERY_CODES,
    enrolment_confirm,
    enrolment_device,
    second_factor_reset,
)
from integrity_portal.models import AccessLog
from tests.agencies.factories import AgencyFactory, StaffFactory

from ..console.test_crawl import raw_codes
from .test_second_factor import code

pytestmark = pytest.mark.django_db

PAGE = "/console/account/second-factor/"
PASSWORD = "correct-horse-battery-9"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def reset_url(account) -> str:
    return f"{PAGE}{account.pk}/reset/"


@pytest.fixture(autouse=True)
def clock():
    """The TOTP clock, stopped: one code per 30-second step is accepted once."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def enrol(user, clock) -> TOTPDevice:
    device = enrolment_device(user)
    assert enrolment_confirm(user=user, device=device, token=code(device))
    clock.shift(dt.timedelta(seconds=30))  # the next code is a new one
    return device


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def verified(user, clock) -> Client:
    """A session of ``user`` that gave the password and the code, as on the user's phone."""
    client = Client()
    response = client.post("/console/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    assert client.post("/console/account/verify/", {"otp_token": code(device)}).status_code == 302
    clock.shift(dt.timedelta(seconds=30))
    assert client.get("/console/").status_code == 200
    return client


def city_officer():
    """A credit officer of a city's office (Hangzhou, 3301): it sees 3301xx and nothing else."""
    return StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330100"))


@pytest.fixture
def handler(clock):
    user = StaffFactory(role=StaffRole.HANDLER, first_name="小明", last_name="王")
    enrol(user, clock)
    return user


def devices(user) -> tuple[int, int]:
    return (
        TOTPDevice.objects.filter(user=user).count(),
        StaticToken.objects.filter(device__user=user).count(),
    )


def test_the_office_sees_its_region_with_labels_and_second_factors(
    handler, django_assert_max_num_queries
):
    officer = city_officer()
    bare = StaffFactory(role=StaffRole.AUDITOR, agency=AgencyFactory(region_id="330105"))
    elsewhere = StaffFactory(role=StaffRole.HANDLER, agency=AgencyFactory(region_id="330200"))
    locked = StaffFactory(
        role=StaffRole.HANDLER, locked_until=START + dt.timedelta(minutes=10), username="lockd"
    )
    client = logged_in(officer)
    with django_assert_max_num_queries(6):
        page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{PAGE}"' in html  # the header's entry
    row = html.split(f'id="account-{handler.pk}"')[1].split("</tr>")[0]
    assert handler.get_full_name() in row
    assert handler.agency.name in row and "已启用" in row and f"<td>{RECOVERY_CODES}</td>" in row
    assert handler.get_role_display() in row and "未锁定" in row
    assert 'class="button danger"' in row and "primary" not in row
    bare_row = html.split(f'id="account-{bare.pk}"')[1].split("</tr>")[0]
    assert "未启用" in bare_row and "<td>0</td>" in bare_row and "<form" not in bare_row
    assert "锁定至" in html.split(f'id="account-{locked.pk}"')[1].split("</tr>")[0]
    assert f'id="account-{elsewhere.pk}"' not in html
    assert not raw_codes(html) - {officer.username}


def test_the_page_costs_the_same_queries_for_more_accounts(handler, django_assert_num_queries):
    officer = city_officer()
    client = logged_in(officer)
    client.get(PAGE)
    with django_assert_num_queries(6):
        client.get(PAGE)
    for _ in range(5):
        StaffFactory(role=StaffRole.HANDLER)
    with django_assert_num_queries(6):
        client.get(PAGE)


def test_the_page_reads_in_english(handler):
    client = logged_in(city_officer())
    html = client.get(PAGE, headers={"Accept-Language": "en"}).content.decode()
    assert "Reset one-time codes" in html and "Recovery codes left" in html
    assert "动态验证码" not in html and "<td>Handler</td>" in html


def test_the_locked_page_links_to_it():
    html = logged_in(city_officer()).get("/console/account/locked/").content.decode()
    assert f'href="{PAGE}"' in html


def test_reset_asks_first_then_removes_devices_sessions_and_token_and_is_logged(handler, clock):
    officer = city_officer()
    stolen = verified(handler, clock)  # the session on the lost phone
    Token.objects.create(user=handler)
    client = logged_in(officer)

    confirm = client.post(reset_url(handler))
    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="confirm"' in html
    assert handler.username in html and handler.agency.name in html
    assert f'href="{PAGE}"' in html and not raw_codes(html)
    assert devices(handler) == (1, RECOVERY_CODES)
    assert not AccessLog.objects.filter(what="totp_reset").exists()

    done = client.post(reset_url(handler), {"confirmed": "1"}, follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    assert f"已重置账户 {handler.username} 的动态验证码" in done.content.decode()
    assert devices(handler) == (0, 0)
    assert not StaticDevice.objects.filter(user=handler).exists()
    assert not Token.objects.filter(user=handler).exists()
    log = AccessLog.objects.get(what="totp_reset")
    assert (log.user, log.object_ref, log.via) == (officer, handler.username, "console")
    # The stolen session is gone: the next request is a stranger's, sent to log in.
    response = stolen.get("/console/")
    assert response.status_code == 302 and "/console/login/" in response.url
    # The officer's own session was left alone.
    assert client.get(PAGE).status_code == 200


def test_a_reset_of_an_account_without_a_device_writes_nothing():
    officer = city_officer()
    bare = StaffFactory(role=StaffRole.HANDLER)
    session = logged_in(bare)
    assert second_factor_reset(actor=officer, user=bare) is None
    assert not AccessLog.objects.exists()
    assert session.get("/console/").status_code == 200


def test_reset_needs_a_post_with_the_csrf_token(handler):
    officer = city_officer()
    assert logged_in(officer).get(reset_url(handler)).status_code == 405
    strict = logged_in(officer, enforce_csrf_checks=True)
    assert strict.post(reset_url(handler), {"confirmed": "1"}).status_code == 403
    assert devices(handler) == (1, RECOVERY_CODES)
    assert not AccessLog.objects.filter(what="totp_reset").exists()


def test_an_account_outside_the_office_region_is_a_404(clock):
    officer = city_officer()
    other_city = StaffFactory(role=StaffRole.HANDLER, agency=AgencyFactory(region_id="330200"))
    enrol(other_city, clock)
    superuser = User.objects.create_superuser("root", "", PASSWORD)
    client = logged_in(officer)
    assert client.post(reset_url(other_city), {"confirmed": "1"}).status_code == 404
    assert client.post(reset_url(superuser), {"confirmed": "1"}).status_code == 404
    assert client.post(f"{PAGE}999999/reset/", {"confirmed": "1"}).status_code == 404
    assert devices(other_city) == (1, RECOVERY_CODES)
    # An office without a region (here a superuser) holds every account.
    assert f'id="account-{other_city.pk}"' in logged_in(superuser).get(PAGE).content.decode()


def test_nobody_resets_their_own_second_factor(clock):
    officer = city_officer()
    enrol(officer, clock)
    client = verified(officer, clock)
    row = client.get(PAGE).content.decode().split(f'id="account-{officer.pk}"')[1]
    assert "<form" not in row.split("</tr>")[0]
    assert client.post(reset_url(officer), {"confirmed": "1"}).status_code == 403
    assert devices(officer) == (1, RECOVERY_CODES)


@pytest.mark.parametrize("role", [StaffRole.HANDLER, StaffRole.AUDITOR, StaffRole.AGENCY_LIAISON])
def test_other_roles_get_neither_the_link_nor_the_page(role, handler):
    client = logged_in(StaffFactory(role=role))
    assert PAGE not in client.get("/console/").content.decode()
    assert client.get(PAGE).status_code == 403
    assert client.post(reset_url(handler), {"confirmed": "1"}).status_code == 403
    assert devices(handler) == (1, RECOVERY_CODES)


def test_after_a_reset_the_next_login_enrols_again(settings, clock):
    settings.STAFF_REQUIRE_TOTP = True
    lost = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330106"))
    enrol(lost, clock)
    second_factor_reset(actor=city_officer(), user=lost)

    client = Client()
    response = client.post("/console/login/", {"username": lost.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.url.startswith("/console/account/security/")
    page = client.get("/console/account/security/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page  # a new QR code
    device = TOTPDevice.objects.get(user=lost, confirmed=False)
    response = client.post("/console/account/security/", {"otp_token": code(device)})
    assert response.status_code == 200 and 'id="recovery-codes"' in response.content.decode()
    assert client.get("/console/").status_code == 200
    assert devices(lost) == (1, RECOVERY_CODES)


def test_sessions_of_other_accounts_survive_a_reset(handler, clock):
    bystander = StaffFactory(role=StaffRole.HANDLER)
    other = logged_in(bystander)
    verified(handler, clock)
    before = Session.objects.count()
    assert second_factor_reset(actor=city_officer(), user=handler) == 1
    assert Session.objects.count() == before - 1
    assert other.get("/console/").status_code == 200
