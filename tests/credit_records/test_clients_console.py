"""The console's 对接系统 page (/console/credit/clients/): the credit office adds an external
system (its token shown once), sets the complaint channel it registers by (origin ids, DESIGN
section 13) and whether it reads the change feed; bad input is a clear error that changes
nothing, and a region-scoped officer cannot grant the whole feed."""

import pytest
from django.test import Client

from agencies.choices import StaffRole
from credit_records.models import IntegrationClient, integration_token_hash
from credit_records.services.clients import integration_client_create
from tests.agencies.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db

PAGE = "/console/credit/clients/"


def browser(region=None):
    client = Client()
    client.force_login(
        StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=region))
    )
    return client


def test_the_office_adds_a_client_with_its_channel_and_feed_access_and_sees_the_token_once():
    office = browser()
    answer = office.post(
        PAGE,
        {"name": "12345热线", "source": "hotline_12345", "channel": "", "reads_changes": "on"},
    )
    assert answer.status_code == 200
    client = IntegrationClient.objects.get(name="12345热线")
    assert client.channel == "hotline_12345"  # blank: the channel of its source
    assert client.reads_changes is True
    token = answer.context["token"]
    assert integration_token_hash(token) == client.token_hash
    assert token in answer.content.decode()
    again = office.get(PAGE).content.decode()
    assert token not in again and "12345热线" in again


def test_the_office_changes_channel_and_feed_access_and_a_bad_channel_changes_nothing():
    client, _token = integration_client_create(name="法院", source="court")
    office = browser()
    url = f"{PAGE}{client.pk}/"
    prefix = f"c{client.pk}"
    office.post(url, {f"{prefix}-channel": "petition", f"{prefix}-reads_changes": "on"})
    client.refresh_from_db()
    assert (client.channel, client.reads_changes) == ("petition", True)
    page = office.post(url, {f"{prefix}-channel": "fax"}, follow=True).content.decode()
    client.refresh_from_db()
    assert (client.channel, client.reads_changes) == ("petition", True)
    assert "法院" in page and "fax" in page  # the message names the client and the value
    office.post(url, {f"{prefix}-channel": ""})
    client.refresh_from_db()
    assert (client.channel, client.reads_changes) == ("", False)


def test_a_region_scoped_officer_cannot_grant_the_whole_feed(client_for):
    county = browser("330106")
    answer = county.post(
        PAGE, {"name": "县平台", "source": "court", "channel": "", "reads_changes": "on"}
    )
    assert answer.status_code == 400
    assert "reads_changes" in answer.context["form"].errors
    assert not IntegrationClient.objects.filter(name="县平台").exists()
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330106"))
    api = client_for(officer).post(
        "/api/v1/integration-clients/",
        {"name": "县平台", "source": "court", "reads_changes": True},
        format="json",
    )
    assert api.status_code == 400 and "reads_changes" in api.json()
    assert not IntegrationClient.objects.filter(name="县平台").exists()
    # Without the feed it may add one.
    assert county.post(PAGE, {"name": "县平台", "source": "court"}).status_code == 200
    assert IntegrationClient.objects.filter(name="县平台", reads_changes=False).exists()
