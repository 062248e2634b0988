"""The credit office's unlock page: the accounts locked now, an unlock button (POST, CSRF,
logged), the link only for the roles the policy table allows."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from agencies.models import User
from integrity_portal.models import AccessLog
from tests.agencies.factories import StaffFactory

pytestmark = pytest.mark.django_db

LOCKED = "/console/account/locked/"


@pytest.fixture
def locked_user():
    return StaffFactory(
        role=StaffRole.HANDLER,
        failed_logins=0,
        locked_until=timezone.now() + dt.timedelta(minutes=10),
    )


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_office_sees_the_locked_accounts_and_unlocks_one(
    locked_user, django_assert_num_queries
):
    free = StaffFactory(role=StaffRole.HANDLER)
    expired = StaffFactory(
        role=StaffRole.HANDLER, locked_until=timezone.now() - dt.timedelta(minutes=1)
    )
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    client = logged_in(officer)
    # Session, user, the office's region (scope), the locked accounts with their agencies, and
    # the navigation's entries.
    with django_assert_num_queries(5):
        page = client.get(LOCKED)
    html = page.content.decode()
    assert page.status_code == 200
    assert locked_user.username in html
    assert free.username not in html and expired.username not in html
    assert f'href="{LOCKED}"' in html  # the header's entry

    response = client.post(f"{LOCKED}{locked_user.pk}/unlock/")
    assert response.status_code == 302 and response.url == LOCKED
    assert User.objects.get(pk=locked_user.pk).locked_until is None
    log = AccessLog.objects.get(what="account_unlock")
    assert (log.user, log.object_ref, log.via) == (officer, locked_user.username, "console")
    assert f'id="locked-{locked_user.pk}"' not in client.get(LOCKED).content.decode()


def test_unlocking_needs_a_post_with_the_csrf_token(locked_user):
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    assert logged_in(officer).get(f"{LOCKED}{locked_user.pk}/unlock/").status_code == 405
    strict = logged_in(officer, enforce_csrf_checks=True)
    assert strict.post(f"{LOCKED}{locked_user.pk}/unlock/").status_code == 403
    assert User.objects.get(pk=locked_user.pk).locked_until is not None
    assert logged_in(officer).post(f"{LOCKED}999999/unlock/").status_code == 404


@pytest.mark.parametrize("role", [StaffRole.HANDLER, StaffRole.AUDITOR, StaffRole.AGENCY_LIAISON])
def test_other_roles_get_neither_the_link_nor_the_page(role, locked_user):
    client = logged_in(StaffFactory(role=role))
    assert LOCKED not in client.get("/console/").content.decode()
    assert client.get(LOCKED).status_code == 403
    assert client.post(f"{LOCKED}{locked_user.pk}/unlock/").status_code == 403
    assert User.objects.get(pk=locked_user.pk).locked_until is not None
