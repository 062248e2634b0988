"""A handler opens the credit file of an agency whose breach its department determined, and
no other; the case page offers the link exactly when the file would open."""

import pytest
from django.test import Client

from complaints.choices import Status
from complaints.services.workflow import complaint_determine_breach
from credit_records.services.ingestion import complaint_events_ingest
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_handler_opens_the_credit_file_its_breach_created_and_the_case_links_to_it():
    complaint = complaint_in(Status.RECTIFYING)
    handler = handler_of(complaint)
    client = logged_in(handler)
    profile = f"/console/agencies/{complaint.respondent_agency_id}/"
    assert client.get(profile).status_code == 404
    assert profile not in client.get(f"/console/c/{complaint.reference}/").content.decode()

    complaint_determine_breach(complaint=complaint, actor=handler, severity="general", facts="拒付")
    complaint_events_ingest(event_ids=list(complaint.events.values_list("pk", flat=True)))

    assert profile in client.get(f"/console/c/{complaint.reference}/").content.decode()
    page = client.get(profile)
    assert page.status_code == 200
    assert complaint.respondent_agency.name in page.content.decode()


def test_handler_gets_404_on_the_credit_file_of_an_agency_it_never_determined():
    complaint = complaint_in(Status.RECTIFYING)
    handler = handler_of(complaint)
    other = AgencyFactory()
    assert logged_in(handler).get(f"/console/agencies/{other.pk}/").status_code == 404
