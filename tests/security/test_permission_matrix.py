"""Who may call each write endpoint of the API: anonymous 401, a role outside the endpoint
403, an allowed role reaches validation (400 for an empty body). Nothing is stored."""

import pytest

from agencies.choices import StaffRole
from agencies.models import Agency, User
from credit_records.models import CreditRecord, IntegrationClient, Objection
from sanctions.models import Repair, SanctionRule, TypicalCase
from tests.agencies.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db

ANON, SUPER = "anonymous", "superuser"
ROLES = [ANON, *StaffRole.values, SUPER]
OFFICE = {StaffRole.CREDIT_OFFICER, SUPER}

# endpoint → roles that pass the permission check (everyone else: 403, anonymous 401)
WRITE_ENDPOINTS = {
    "/api/v1/agencies/": OFFICE,
    "/api/v1/staff/": OFFICE,
    "/api/v1/credit-records/": OFFICE,
    "/api/v1/objections/": {StaffRole.AGENCY_LIAISON},  # filed for its own agency
    # The factory's officer sits in a county and another city's agency exists (the test
    # below makes one): adding a client is for a deployment-wide office only.
    "/api/v1/integration-clients/": {SUPER},
    "/api/v1/sanction-rules/": OFFICE,
    "/api/v1/repairs/": {StaffRole.AGENCY_LIAISON, *OFFICE},
    "/api/v1/typical-cases/": OFFICE,
}
MODELS = (Agency, User, CreditRecord, Objection, IntegrationClient, SanctionRule, Repair)


def _client(client_for, role):
    if role == ANON:
        return client_for(None)
    if role == SUPER:
        return client_for(User.objects.create_superuser("root", "r@example.invalid", "x-Pass-1234"))
    return client_for(StaffFactory(role=role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(WRITE_ENDPOINTS))
def test_write_endpoint_answers_by_role_and_stores_nothing(client_for, url, role):
    AgencyFactory(region_id="330200")  # another city: the county's officer is not deployment-wide
    client = _client(client_for, role)
    before = [m.objects.count() for m in MODELS] + [TypicalCase.objects.count()]

    response = client.post(url, {}, format="json")

    if role == ANON:
        expected = 401
    elif role in WRITE_ENDPOINTS[url]:
        expected = 400
    else:
        expected = 403
    assert response.status_code == expected, response.content
    assert [m.objects.count() for m in MODELS] + [TypicalCase.objects.count()] == before


# A routed complaint: who may accept it (handler of the handling agency, the credit office).
ACCEPT_EXPECTED = {
    ANON: 401,
    StaffRole.INTAKE_CLERK: 404,  # sees only what it registered
    StaffRole.HANDLER: 404,  # of another agency
    StaffRole.AGENCY_LIAISON: 404,  # of another agency
    StaffRole.CREDIT_OFFICER: 200,
    StaffRole.AUDITOR: 403,
    SUPER: 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_complaint_action_answers_by_role(client_for, role):
    from complaints.models import ComplaintEvent
    from tests.complaints.factories import ComplaintFactory

    complaint = ComplaintFactory()
    events = ComplaintEvent.objects.count()

    response = _client(client_for, role).post(
        f"/api/v1/complaints/{complaint.reference}/accept/", {}, format="json"
    )

    assert response.status_code == ACCEPT_EXPECTED[role], response.content
    if ACCEPT_EXPECTED[role] != 200:
        assert ComplaintEvent.objects.count() == events


@pytest.mark.parametrize("path", ["act/accept/", "reply/", "note/"])
def test_an_auditor_cannot_post_on_a_console_case(path):
    from django.test import Client

    from complaints.models import ComplaintEvent, ComplaintMessage
    from tests.complaints.factories import ComplaintFactory

    complaint = ComplaintFactory()
    client = Client()
    client.force_login(StaffFactory(role=StaffRole.AUDITOR))
    before = (ComplaintEvent.objects.count(), ComplaintMessage.objects.count())

    response = client.post(
        f"/console/c/{complaint.reference}/{path}",
        {"accept-version": complaint.version, "body": "x", "note": "x"},
    )

    assert response.status_code == 403
    assert (ComplaintEvent.objects.count(), ComplaintMessage.objects.count()) == before
    complaint.refresh_from_db()
    assert complaint.status == "routed"
