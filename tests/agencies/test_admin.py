"""Django admin for the agency directory and staff."""

import pytest

from agencies.models import User
from tests.agencies.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/agencies/agency/",
        "/admin/agencies/agency/?q=测试",
        "/admin/agencies/agency/add/",
        "/admin/agencies/user/",
        "/admin/agencies/user/add/",
        "/admin/agencies/region/?q=杭州",
    ],
)
def test_admin_pages_load(admin_client, url):
    AgencyFactory.create_batch(3)
    assert admin_client.get(url).status_code == 200


def test_agency_change_list_costs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    parent = AgencyFactory()
    AgencyFactory.create_batch(40, supervisor=parent)
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/agencies/agency/")
    assert response.status_code == 200


def test_staff_with_a_role_but_no_agency_is_refused(admin_client):
    response = admin_client.post(
        "/admin/agencies/user/add/",
        {
            "username": "half",
            "password1": "Tr0ub4dor&3-long",
            "password2": "Tr0ub4dor&3-long",
            "usable_password": "true",
            "role": "handler",
            "agency": "",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="half").exists()


def test_staff_is_created_with_agency_and_role(admin_client):
    agency = AgencyFactory()
    response = admin_client.post(
        "/admin/agencies/user/add/",
        {
            "username": "whole",
            "password1": "Tr0ub4dor&3-long",
            "password2": "Tr0ub4dor&3-long",
            "usable_password": "true",
            "role": "handler",
            "agency": agency.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="whole")
    assert (user.agency, user.role) == (agency, "handler")


def test_staff_without_admin_rights_cannot_open_the_admin(client):
    staff = StaffFactory(role="credit_officer")
    client.force_login(staff)
    response = client.get("/admin/agencies/agency/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
