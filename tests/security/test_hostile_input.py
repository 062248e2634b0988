"""Inputs that once answered 500: each must be a clear 4xx and change nothing."""

import pytest

from agencies.choices import StaffRole
from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data

pytestmark = pytest.mark.django_db


def filing(**overrides):
    data = complaint_data()
    data["respondent_agency"] = data["respondent_agency"].pk
    data.update(overrides)
    return data


def test_json_nested_a_thousand_deep_is_a_400_not_a_recursion_error(client_for):
    body = '{"title": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client_for(None).post("/api/v1/complaints/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_a_nul_byte_in_a_tracking_path_is_a_404(client_for):
    response = client_for(None).get("/api/v1/track/IP%00X/", HTTP_X_ACCESS_CODE="x")
    assert response.status_code == 404
    page = client_for(None).get("/track/IP%00X/")
    assert page.status_code in (400, 404)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/complaints/", "respondent_agency"),
        ("/api/v1/complaints/", "handling_agency"),
        ("/api/v1/credit-records/", "agency"),
        ("/api/v1/sanctions/", "agency"),
        ("/api/v1/agencies/", "supervisor"),
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999", "1e400"])
def test_list_filters_out_of_the_64_bit_range_answer_a_400_or_nothing(
    client_for, path, field, value
):
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    response = client_for(officer).get(path, {field: value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["count"] == 0


@pytest.mark.parametrize("value", [1.5, "1.5", True, "1e0", 2**70])
def test_a_respondent_agency_that_is_not_a_whole_number_is_refused(client_for, value):
    agency = AgencyFactory()
    response = client_for(None).post(
        "/api/v1/complaints/", filing(respondent_agency=value), format="json"
    )
    assert response.status_code == 400, (value, agency.pk, response.content)
    assert "respondent_agency" in response.json()
    assert not Complaint.objects.exists()


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/agencies/{HUGE}/",
        f"/api/v1/agencies/{HUGE}/credit/",
        f"/api/v1/credit-records/{HUGE}/",
        f"/api/v1/sanctions/{HUGE}/",
        f"/api/v1/repairs/{HUGE}/",
        f"/api/v1/objections/{HUGE}/",
        f"/credit/agencies/{HUGE}/",
        f"/console/sanctions/rules/{HUGE}/",
        f"/console/sanctions/repairs/{HUGE}/",
    ],
)
def test_an_id_out_of_the_64_bit_range_in_a_path_is_a_404(client, path):
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    client.force_login(officer)
    response = client.get(path)
    assert response.status_code == 404, response.content[:300]


def test_a_credit_check_for_an_agency_out_of_range_is_a_400(client_for):
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    response = client_for(officer).get(
        "/api/v1/credit-check/", {"agency": HUGE, "measure": "x", "purpose": "y"}
    )
    assert response.status_code in (400, 404), response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/complaints/IP%00X/", "/console/c/IP%00X/", "/credit/agencies/%00/"]
)
def test_a_nul_byte_anywhere_in_a_path_is_a_404(client, path):
    client.force_login(StaffFactory(role=StaffRole.CREDIT_OFFICER))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/agencies/", "/api/v1/credit-records/"])
def test_a_nul_byte_in_a_search_is_a_400(client_for, path):
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    assert client_for(officer).get(path, {"q": "a\x00b"}).status_code == 400
