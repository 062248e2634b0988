"""The intake benchmark's yardstick (benchmarks/bare_drf_intake.py) writes what the product's
intake writes for a routed complaint, so the two benchmark figures compare like with like."""

import importlib
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from rest_framework.test import APIClient

from complaints.models import Complaint, ComplaintEvent, Notification
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_intake_api import URL, payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def yardstick_urlconf():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    product_urlconf = django_settings.ROOT_URLCONF
    try:
        module = importlib.import_module("bare_drf_intake")  # points ROOT_URLCONF at itself
    finally:
        django_settings.ROOT_URLCONF = product_urlconf
        sys.path.pop(0)
    return module.__name__


def _rows_written(client, respondent) -> dict:
    response = client.post(URL, payload(respondent), format="json")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    return {
        "complaints": 1,
        "status": complaint.status,
        "handling_agency": complaint.handling_agency_id,
        "events": ComplaintEvent.objects.filter(complaint=complaint).count(),
        "receipts": sorted(
            Notification.objects.filter(complaint=complaint).values_list("channel", flat=True)
        ),
    }


def test_the_bare_drf_view_writes_the_rows_the_intake_writes(yardstick_urlconf):
    respondent = AgencyFactory(supervisor=AgencyFactory())
    client = APIClient()
    by_product = _rows_written(client, respondent)
    with override_settings(ROOT_URLCONF=yardstick_urlconf):
        by_yardstick = _rows_written(client, respondent)
    assert (
        by_yardstick
        == by_product
        == {
            "complaints": 1,
            "status": "routed",
            "handling_agency": respondent.supervisor_id,
            "events": 2,
            "receipts": ["email", "sms"],
        }
    )
