"""Anonymous intake is open; an auditor's account still changes nothing (DESIGN section 11)."""

import pytest

from agencies.choices import StaffRole
from complaints.models import Complaint
from tests.agencies.factories import StaffFactory
from tests.complaints.factories import complaint_data

pytestmark = pytest.mark.django_db


def test_an_auditor_cannot_file_a_complaint_through_the_api(client_for):
    auditor = StaffFactory(role=StaffRole.AUDITOR)
    data = complaint_data()
    data["respondent_agency"] = data["respondent_agency"].pk

    response = client_for(auditor).post("/api/v1/complaints/", data, format="json")

    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_an_integration_client_files_a_complaint_with_its_token_and_its_channel_is_kept():
    from rest_framework.test import APIClient

    from credit_records.services.clients import integration_client_create

    client, token = integration_client_create(name="12345热线平台", source="other")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    data = complaint_data()
    data["respondent_agency"] = data["respondent_agency"].pk
    data["channel"] = "hotline_12345"

    response = api.post("/api/v1/complaints/", data, format="json")

    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.channel == "hotline_12345"
    assert complaint.registered_by_id == client.user_id
    bad = api.post("/api/v1/complaints/", {**data, "respondent_agency": 1.5}, format="json")
    assert bad.status_code == 400
    assert Complaint.objects.count() == 1
