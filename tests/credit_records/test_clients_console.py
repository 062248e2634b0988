"""The console's 对接系统 page (/console/credit/clients/): the credit office adds an external
system (its token shown once), sets the complaint channel it registers by (origin ids, DESIGN
section 13) and whether it reads the change feed; bad input is a clear error that changes
nothing. Clients are the deployment's: a region-scoped officer reads the list but adds and
changes nothing (403, and no form offered); an officer without a region and a superuser
manage them."""

import pytest
from django.core.exceptions import ValidationError
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


def test_a_region_scoped_officer_reads_the_clients_but_may_not_add_or_change_them(client_for):
    """Integration clients are the deployment's (DEPLOYMENT_WIDE in agencies.policy): a county
    officer sees the list with each client's channel, is offered no form, and gets 403 on
    every write, console and API, changing nothing."""
    court, _token = integration_client_create(name="法院", source="court", channel="petition")
    AgencyFactory(region_id="330102")  # another county of the deployment
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330106"))
    county = Client()
    county.force_login(officer)
    page = county.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "法院" in html and "信访" in html  # the channel, as its label
    assert "<form" not in html.split('id="clients"')[1]  # no add, no edit, no save button
    assert 'id="clients-read-only"' in html
    assert county.post(PAGE, {"name": "县平台", "source": "court"}).status_code == 403
    edit = county.post(f"{PAGE}{court.pk}/", {f"c{court.pk}-channel": ""})
    assert edit.status_code == 403
    api = client_for(officer)
    assert [c["name"] for c in api.get("/api/v1/integration-clients/").json()["results"]] == [
        "法院"
    ]
    assert api.get(f"/api/v1/integration-clients/{court.pk}/").status_code == 200
    created = api.post(
        "/api/v1/integration-clients/", {"name": "县平台", "source": "court"}, format="json"
    )
    assert created.status_code == 403
    for verb in ("rotate_token", "deactivate"):
        assert api.post(f"/api/v1/integration-clients/{court.pk}/{verb}/").status_code == 403
    court.refresh_from_db()
    assert (court.channel, court.is_active) == ("petition", True)
    assert list(IntegrationClient.objects.values_list("name", flat=True)) == ["法院"]


@pytest.mark.parametrize("who", ["officer_without_region", "office_of_the_whole", "superuser"])
def test_a_deployment_wide_officer_and_a_superuser_manage_clients(who, client_for, superuser):
    """Deployment-wide: no region, or a region that holds every agency of the directory (the
    city's office in a city's deployment: here every agency lies in 3301)."""
    AgencyFactory(region_id="330102")  # another county, inside the city
    if who == "superuser":
        user = superuser
    elif who == "office_of_the_whole":
        user = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330100"))
    else:
        user = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))
    office = Client()
    office.force_login(user)
    html = office.get(PAGE).content.decode()
    assert 'id="clients-read-only"' not in html and "添加对接系统" in html
    assert office.post(PAGE, {"name": "市平台", "source": "court"}).status_code == 200
    client = IntegrationClient.objects.get(name="市平台")
    assert f'action="{PAGE}{client.pk}/"' in office.get(PAGE).content.decode()
    office.post(f"{PAGE}{client.pk}/", {f"c{client.pk}-channel": "petition"})
    client.refresh_from_db()
    assert client.channel == "petition"
    api = client_for(user)
    made = api.post(
        "/api/v1/integration-clients/", {"name": "市平台二", "source": "court"}, format="json"
    )
    assert made.status_code == 201
    assert api.post(f"/api/v1/integration-clients/{client.pk}/deactivate/").status_code == 200


def test_the_service_refuses_a_region_scoped_grant_of_the_whole_feed():
    """Kept in the service too: a region-scoped actor never grants the whole change feed."""
    AgencyFactory(region_id="330200")  # another city of the deployment
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id="330106"))
    with pytest.raises(ValidationError) as refused:
        integration_client_create(name="县平台", source="court", actor=officer, reads_changes=True)
    assert "reads_changes" in refused.value.message_dict
    assert not IntegrationClient.objects.exists()
