"""Lockouts per account on every login, a throttle per address beside them, unlock by the
credit office and by time; nothing keyed on an address can lock another user out."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from agencies.models import User
from agencies.services.lockout import LOCKOUT_FAILURES
from tests.agencies.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"
PROXY = "10.9.9.9"


def console(username, password, *, address=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client(**extra)
    response = client.post("/console/login/", {"username": username, "password": password})
    return response.status_code, client


def admin(username, password):
    client = Client(REMOTE_ADDR=PROXY)
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    ).status_code


def token(username, password):
    return (
        APIClient(REMOTE_ADDR=PROXY)
        .post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
        .status_code
    )


LOGINS = {
    "console": (lambda u, p: console(u, p)[0], 302, 200),
    "admin": (admin, 302, 200),
    "token": (token, 200, 400),
}


@pytest.mark.parametrize("door", LOGINS)
def test_after_five_wrong_passwords_the_right_one_is_refused_on_every_login(door):
    attempt, ok, wrong = LOGINS[door]
    user = StaffFactory(role=StaffRole.CREDIT_OFFICER, is_staff=True, is_superuser=True)
    for _ in range(LOCKOUT_FAILURES):
        assert attempt(user.username, "wrong") == wrong
    assert attempt(user.username, PASSWORD) not in (ok, 500)
    assert User.objects.get(pk=user.pk).locked_until is not None


def test_the_lockout_counts_across_doors_and_ends_by_itself():
    user = StaffFactory(role=StaffRole.HANDLER)
    for _ in range(2):
        console(user.username, "wrong")
    for _ in range(LOCKOUT_FAILURES - 2):
        token(user.username, "wrong")
    assert token(user.username, PASSWORD) == 403
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert token(user.username, PASSWORD) == 200


def test_one_users_typos_behind_the_proxy_never_lock_another_user_out():
    careless, colleague = StaffFactory(role=StaffRole.HANDLER), StaffFactory(role=StaffRole.HANDLER)
    for _ in range(LOCKOUT_FAILURES + 1):
        console(careless.username, "wrong")
    status, _client = console(colleague.username, PASSWORD)
    assert status == 302


def test_the_credit_office_unlocks_an_account_at_once(client_for):
    user = StaffFactory(role=StaffRole.HANDLER)
    for _ in range(LOCKOUT_FAILURES):
        token(user.username, "wrong")
    assert token(user.username, PASSWORD) == 403
    handler = StaffFactory(role=StaffRole.HANDLER)
    assert client_for(handler).post(f"/api/v1/staff/{user.pk}/unlock/").status_code == 403
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    assert client_for(officer).post(f"/api/v1/staff/{user.pk}/unlock/").status_code == 204
    assert token(user.username, PASSWORD) == 200


def test_guessing_many_accounts_from_one_address_is_throttled_per_address(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "3/min",
        },
    }
    users = [StaffFactory(role=StaffRole.HANDLER) for _ in range(4)]
    for user in users[:3]:
        assert token(user.username, "wrong") == 400
    assert token(users[3].username, PASSWORD) == 429
    other_address = APIClient(REMOTE_ADDR="192.0.2.1").post(
        "/api/v1/auth/token/", {"username": users[3].username, "password": PASSWORD}, format="json"
    )
    assert other_address.status_code == 200


def test_the_forwarded_address_counts_only_behind_a_declared_proxy(settings):
    from django.test import RequestFactory

    from integrity_portal.http import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7"
    )
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_address(request) == PROXY
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "198.51.100.7"
