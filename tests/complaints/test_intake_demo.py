import io

import pytest

from complaints.demo import DEMO_ACCESS_CODE, build_demo
from complaints.models import Complaint
from complaints.services.references import access_code_matches

pytestmark = pytest.mark.django_db


def test_demo_complaints_are_filed_through_the_service_and_idempotent():
    from agencies.demo import build_demo as build_agencies

    build_agencies(stdout=io.StringIO())
    build_demo(stdout=io.StringIO())
    first = Complaint.objects.count()
    assert first >= 4
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {"routed", "pending_routing"} <= statuses
    assert all(
        access_code_matches(DEMO_ACCESS_CODE, h)
        for h in Complaint.objects.values_list("access_code_hash", flat=True)
    )
    build_demo(stdout=io.StringIO())
    assert Complaint.objects.count() == first
