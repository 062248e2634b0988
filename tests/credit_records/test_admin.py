import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from credit_records.models import IntegrationClient, integration_token_hash

pytestmark = pytest.mark.django_db


def test_admin_creates_an_integration_client_and_shows_the_token_once(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.post(
        "/admin/credit_records/integrationclient/add/",
        {"name": "市中级人民法院", "source": "court"},
        follow=True,
    )
    assert response.status_code == 200
    stored = IntegrationClient.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    token = shown[0].rsplit("：", 1)[1]
    assert integration_token_hash(token) == stored.token_hash
    listing = client.get("/admin/credit_records/integrationclient/").content.decode()
    assert token not in listing


def test_admin_shows_records_read_only(superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get("/admin/credit_records/creditrecord/").status_code == 200
    assert client.get("/admin/credit_records/creditrecord/add/").status_code == 403


def test_command_creates_a_client_whose_token_works(agency):
    out = io.StringIO()
    call_command(
        "create_integration_client", "12345平台", "hotline_12345", stdout=out, stderr=io.StringIO()
    )
    token = out.getvalue().strip()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(
        "/api/v1/credit-records/",
        {
            "agency": agency.pk,
            "kind": "breach",
            "severity": "minor",
            "facts": "热线反映未兑现",
            "decided_on": "2026-01-05",
            "source": "hotline_12345",
            "source_ref": "12345-1",
        },
        format="json",
    )
    assert response.status_code == 201


def test_demo_records_load_once():
    from agencies.demo import build_demo as build_agencies
    from credit_records.demo import DEMO_RECORDS, build_demo
    from credit_records.models import CreditRecord

    build_agencies()
    assert build_demo() == len(DEMO_RECORDS)
    assert build_demo() == 0
    # and the overdue contract on last year's published arrears list (one, also once)
    assert CreditRecord.objects.count() == len(DEMO_RECORDS) + 1
    assert CreditRecord.objects.filter(source_ref="DEMO-PAY-0002", kind="arrears").count() == 1


def test_admin_refuses_a_record_term_of_zero_and_keeps_the_stored_terms(superuser):
    """A term of 0 would end every minor record at once, make every pushed record overdue on
    its day, or open the typical-case third ground to any record: refused per field."""
    from credit_records.models import RecordPolicy

    client = Client()
    client.force_login(superuser)
    url = "/admin/credit_records/recordpolicy/1/change/"
    body = {"minor_term_months": 0, "perform_workdays": 0, "public_concern_complaints": 0}
    response = client.post(url, body)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"minor_term_months", "perform_workdays", "public_concern_complaints"}
    stored = RecordPolicy.objects.get(pk=1)
    assert (stored.minor_term_months, stored.perform_workdays) == (3, 20)
    ok = client.post(
        url,
        {**body, "minor_term_months": 6, "perform_workdays": 15, "public_concern_complaints": 4},
    )
    assert ok.status_code == 302
    assert RecordPolicy.objects.get(pk=1).minor_term_months == 6
