import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_can_search_agencies_by_name(api_client, agency):
    response = api_client.get("/api/v1/agencies/", {"q": agency.name})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [agency.id]


def test_credit_officer_creates_agency_and_bad_uscc_is_rejected(client_for, credit_officer):
    client = client_for(credit_officer)
    ok = client.post(
        "/api/v1/agencies/",
        {"name": "市财政局", "kind": "department", "region_code": "330100"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    bad = client.post(
        "/api/v1/agencies/",
        {"name": "市教育局", "kind": "department", "uscc": "11330100MB0000000X"},
        format="json",
    )
    assert bad.status_code == 400
    assert "uscc" in bad.json()
