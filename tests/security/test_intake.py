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
