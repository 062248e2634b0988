"""回访: the complainant's rating and comment show on the staff case page (not only in the
admin); the respondent's liaison does not read the complainant's comment."""

import pytest
from django.test import Client

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.services.tracking import feedback_submit
from tests.agencies.factories import StaffFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of

pytestmark = pytest.mark.django_db


def page_for(user, complaint) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/console/c/{complaint.reference}/").content.decode()


def test_dissatisfied_comment_shows_to_the_credit_office_and_handler_not_the_liaison():
    complaint = complaint_in(Status.RECTIFIED)
    feedback_submit(complaint=complaint, satisfaction="dissatisfied", comment="整改流于形式")
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    assert "整改流于形式" in page_for(officer, complaint)
    assert "不满意" in page_for(handler_of(complaint), complaint)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=complaint.respondent_agency)
    assert "整改流于形式" not in page_for(liaison, complaint)
