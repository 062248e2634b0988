"""GET /api/v1/evaluation/ and /api/v1/ledger/ as DESIGN section 9 says: who may, the fields,
the rates' format, bad input (400 naming the parameter), the files, a fixed query count."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from evaluation.definitions import RESULT_FIELDS
from tests.agencies.factories import StaffFactory

from .world import build_world

pytestmark = pytest.mark.django_db

EVALUATION = "/api/v1/evaluation/"
LEDGER = "/api/v1/ledger/"


@pytest.fixture
def world():
    return build_world()


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def office():
    return client_for(StaffFactory(role=StaffRole.CREDIT_OFFICER))


def _q(world, **extra):
    params = {"from": str(world.period.start), "to": str(world.period.end), **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def test_anonymous_gets_401_on_both():
    assert APIClient().get(EVALUATION).status_code == 401
    assert APIClient().get(LEDGER).status_code == 401


@pytest.mark.parametrize(
    "role", [StaffRole.HANDLER, StaffRole.AGENCY_LIAISON, StaffRole.INTAKE_CLERK]
)
def test_handler_liaison_and_intake_clerk_get_403(role):
    client = client_for(StaffFactory(role=role))
    assert client.get(EVALUATION).status_code == 403
    assert client.get(LEDGER).status_code == 403


def test_credit_officer_auditor_and_superuser_read_the_evaluation(world):
    superuser = get_user_model().objects.create_superuser("root", "r@example.invalid", "x")
    for user in (
        StaffFactory(role=StaffRole.CREDIT_OFFICER),
        StaffFactory(role=StaffRole.AUDITOR),
        superuser,
    ):
        response = client_for(user).get(f"{EVALUATION}?{_q(world)}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["from"] == str(world.period.start) and body["to"] == str(world.period.end)
        assert body["scheme_version"] == 1
        assert list(body["results"][0]) == list(RESULT_FIELDS)


def test_keys_are_agency_ids_or_region_codes_and_rates_are_decimal_strings_or_null(world):
    client = office()
    rows = client.get(f"{EVALUATION}?{_q(world, group_by='respondent')}").json()["results"]
    row = next(r for r in rows if r["key"] == world.respondent.pk)
    assert row["founded_rate"] == "0.7500" and row["received"] == 10
    other = next(r for r in rows if r["key"] == world.other.pk)
    assert other["satisfaction_rate"] is None and other["ranked"] is False
    for rate in ("routed_on_time_rate", "satisfaction_rate", "reopen_rate", "founded_rate"):
        value = row[rate]
        assert value is None or 0 <= float(value) <= 1
    regions = client.get(f"{EVALUATION}?{_q(world, group_by='region')}").json()["results"]
    assert regions[0]["key"] == world.respondent.region_id
    handling = client.get(f"{EVALUATION}?{_q(world, group_by='handling')}").json()["results"]
    assert handling[0]["key"] == world.department.pk


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("from=2026-05-01&to=2026-04-01", "from"),
        ("from=2019-01-01&to=2026-01-01", "to"),
        ("from=2026-13-01&to=2026-12-31", "from"),
        ("from=2026-01-01&to=yesterday", "to"),
        ("from=2026-01-01&to=2026-03-31&group_by=planet", "group_by"),
        ("from=2026-01-01&to=2026-03-31&format=pdf", "format"),
        ("from=2026-01-01&to=2026-03-31&group_by=region&level=street", "level"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(query, parameter):
    response = office().get(f"{EVALUATION}?{query}")
    assert response.status_code == 400, response.content
    assert parameter in response.json()
    if parameter == "format":
        ledger = office().get(f"{LEDGER}?{query}")
        assert ledger.status_code == 400 and "format" in ledger.json()


def test_ledger_rejects_bad_queue_filters_and_dates_with_a_400():
    client = office()
    assert "status" in client.get(f"{LEDGER}?status=lost").json()
    assert "from" in client.get(f"{LEDGER}?from=2026-05-01&to=2026-04-01").json()


def test_evaluation_as_csv_and_xlsx_answers_the_same_table(world):
    client = office()
    rows = client.get(f"{EVALUATION}?{_q(world)}").json()["results"]
    response = client.get(f"{EVALUATION}?{_q(world, format='csv')}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(table) == len(rows) + 1
    assert table[1][0] == str(rows[0]["key"]) and table[1][2] == str(rows[0]["received"])
    response = client.get(f"{EVALUATION}?{_q(world, format='xlsx')}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == len(rows) + 1


def test_ledger_lists_the_period_with_the_queue_filters_in_json_csv_and_xlsx(world):
    client = office()
    body = client.get(f"{LEDGER}?{_q(world)}").json()
    assert body["count"] == 11
    item = next(i for i in body["results"] if i["reference"] == world.complaints["late"].reference)
    assert item["overdue"] is True and item["respondent_agency_name"] == "某区教育局"
    assert item["routed_at"] is not None and item["outcome"] is None
    rectified = world.complaints["rectified"].reference
    item = next(i for i in body["results"] if i["reference"] == rectified)
    assert item["outcome"] == "rectified" and item["satisfaction"] == "satisfied"
    filtered = client.get(f"{LEDGER}?{_q(world, status='rectified')}").json()
    assert filtered["count"] == 1
    response = client.get(f"{LEDGER}?{_q(world, format='csv')}")
    assert response.streaming
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(lines) == 12 and lines[0][0] == "受理编号"
    response = client.get(f"{LEDGER}?{_q(world, format='xlsx')}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 12


def test_query_counts_do_not_grow_with_the_data(world):
    client = office()

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # One call each first: per-process caches (policies, the calendar) fill on the first request.
    queries(f"{EVALUATION}?{_q(world)}")
    queries(f"{LEDGER}?{_q(world)}")
    first_eval = queries(f"{EVALUATION}?{_q(world)}")
    first_ledger = queries(f"{LEDGER}?{_q(world)}")
    build_world()  # twice the data, new groups
    assert queries(f"{EVALUATION}?{_q(world)}") == first_eval
    assert queries(f"{LEDGER}?{_q(world)}") == first_ledger
    assert (first_eval, first_ledger) == (7, 2)
