"""An office with a region manages the accounts of its region and below only (DESIGN section 13,
levels): the unlock page, the unlock button and the staff API show and act on nothing else (404),
an account is given only to an agency in the region (400 naming ``agency``), and superusers
are left to superusers (an office must not take over or unlock the accounts that oversee it)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from agencies.models import User
from tests.agencies.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db

LOCKED = "/console/account/locked/"
SOON = dt.timedelta(minutes=10)


@pytest.fixture
def world():
    def locked(region):
        return StaffFactory(
            role=StaffRole.HANDLER,
            agency=AgencyFactory(region_id=region),
            locked_until=timezone.now() + SOON,
        )

    root = User.objects.create_superuser("root", "root@example.invalid", "root-pass-123456")
    User.objects.filter(pk=root.pk).update(locked_until=timezone.now() + SOON)
    return {
        "office": StaffFactory(
            role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330100")
        ),
        "inside": locked("330106"),
        "outside": locked("330200"),
        "root": root,
    }


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_unlock_page_lists_and_unlocks_the_region_only(world):
    client = console(world["office"])
    html = client.get(LOCKED).content.decode()
    assert world["inside"].username in html
    assert world["outside"].username not in html and world["root"].username not in html
    for account in (world["outside"], world["root"]):
        assert client.post(f"{LOCKED}{account.pk}/unlock/").status_code == 404
        assert User.objects.get(pk=account.pk).locked_until is not None
    assert client.post(f"{LOCKED}{world['inside'].pk}/unlock/").status_code == 302
    assert User.objects.get(pk=world["inside"].pk).locked_until is None


def test_the_staff_api_reads_edits_and_unlocks_the_region_only(world):
    client = api(world["office"])
    listed = {row["username"] for row in client.get("/api/v1/staff/").json()["results"]}
    assert world["inside"].username in listed
    assert world["outside"].username not in listed and "root" not in listed
    for account in (world["outside"], world["root"]):
        assert client.get(f"/api/v1/staff/{account.pk}/").status_code == 404
        response = client.patch(
            f"/api/v1/staff/{account.pk}/", {"password": "taken-Over-2026-xyz"}, format="json"
        )
        assert response.status_code == 404
        assert not User.objects.get(pk=account.pk).check_password("taken-Over-2026-xyz")
        assert client.post(f"/api/v1/staff/{account.pk}/unlock/").status_code == 404
        assert User.objects.get(pk=account.pk).locked_until is not None


def test_an_account_is_given_only_to_an_agency_of_the_region(world):
    client = api(world["office"])
    body = {"password": "correct-Horse-2026-xyz", "role": StaffRole.CREDIT_OFFICER}
    province = AgencyFactory(region_id="330000")
    response = client.post(
        "/api/v1/staff/", {**body, "username": "escalated", "agency": province.pk}, format="json"
    )
    assert response.status_code == 400 and "agency" in response.json()
    assert not User.objects.filter(username="escalated").exists()
    county = AgencyFactory(region_id="330106")
    response = client.post(
        "/api/v1/staff/", {**body, "username": "county", "agency": county.pk}, format="json"
    )
    assert response.status_code == 201, response.content


def test_an_office_without_a_region_and_a_superuser_manage_every_account(world):
    wide = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))
    listed = {row["username"] for row in api(wide).get("/api/v1/staff/").json()["results"]}
    assert {world["inside"].username, world["outside"].username} <= listed
    assert "root" not in listed  # superusers still only to superusers
    html = console(world["root"]).get(LOCKED).content.decode()
    assert world["outside"].username in html and world["root"].username in html
