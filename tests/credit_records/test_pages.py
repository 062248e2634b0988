import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from agencies.choices import StaffRole
from credit_records.models import AgencyCreditScoreHistory, CreditRecord
from credit_records.services.scoring import agency_scores_recompute
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory

from .factories import CreditRecordFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_breach_determined_through_the_api_shows_on_profiles_and_the_publicity_list(
    client_for, make_staff, credit_officer, django_capture_on_commit_callbacks, eager_tasks
):
    complaint = ComplaintFactory()
    handler = make_staff(role=StaffRole.HANDLER, agency=complaint.handling_agency)
    api = client_for(handler)
    base = f"/api/v1/complaints/{complaint.reference}"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{base}/accept/", {}, format="json").status_code == 200
        assert api.post(f"{base}/find_founded/", {"note": "属实"}, format="json").status_code == 200
        response = api.post(
            f"{base}/determine_breach/",
            {"severity": "general", "facts": "拒不支付工程款"},
            format="json",
        )
        assert response.status_code == 200, response.content
    record = CreditRecord.objects.get(complaint=complaint)
    # A payment_arrears complaint (the factory's domain): an arrears record (DESIGN section 12).
    assert (record.kind, record.severity, record.status) == ("arrears", "general", "active")
    agency = complaint.respondent_agency
    public = Client().get("/credit/", {"q": agency.name})
    assert public.status_code == 200
    assert agency.name in public.content.decode()
    assert "拒不支付工程款" in Client().get(f"/credit/agencies/{agency.pk}/").content.decode()
    console = logged_in(credit_officer).get(f"/console/agencies/{agency.pk}/")
    assert console.status_code == 200
    body = console.content.decode()
    assert "拒不支付工程款" in body and complaint.reference in body and "<svg" in body
    api_body = client_for(None).get(f"/api/v1/agencies/{agency.pk}/credit/").json()
    assert (api_body["score"], api_body["active_negative_records"]) == (90.0, 1)


def test_public_list_shows_only_published_records_and_searches_by_uscc(client):
    shown = CreditRecordFactory(severity="serious", facts="公开的记录")
    CreditRecordFactory(severity="minor", publicity_ends=None, facts="轻微记录")
    CreditRecordFactory(kind="promise_kept", facts="守信记录")
    CreditRecordFactory(status="revoked", facts="撤销记录")
    body = client.get("/credit/").content.decode()
    assert shown.agency.name in body
    for record in CreditRecord.objects.exclude(pk=shown.pk):
        assert record.agency.name not in body
    found = client.get("/credit/", {"q": shown.agency.uscc[:10]}).content.decode()
    assert shown.agency.name in found
    missing = client.get("/credit/", {"q": "不存在的单位"}).content.decode()
    assert shown.agency.name not in missing


def test_public_pages_escape_record_text(client):
    record = CreditRecordFactory(facts="<script>alert(1)</script>")
    body = client.get(f"/credit/agencies/{record.agency_id}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert client.get("/credit/agencies/999999/").status_code == 404


def test_console_record_list_filters_and_exports(credit_officer, django_assert_max_num_queries):
    agency = AgencyFactory(name="=HYPERLINK 单位")
    for _ in range(3):
        CreditRecordFactory(agency=agency, kind="arrears", facts="=cmd|' /C calc'!A0")
    CreditRecordFactory(kind="breach")
    client = logged_in(credit_officer)
    with django_assert_max_num_queries(8):
        page = client.get("/console/credit/", {"kind": "arrears"})
    assert page.status_code == 200
    assert page.content.decode().count("=HYPERLINK 单位") == 3
    exported = client.get("/console/credit/", {"kind": "arrears", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4
    assert rows[1][1] == "'=HYPERLINK 单位"
    xlsx = client.get("/console/credit/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5


@pytest.mark.parametrize(
    "role", [StaffRole.HANDLER, StaffRole.AGENCY_LIAISON, StaffRole.INTAKE_CLERK]
)
def test_console_record_list_is_for_the_credit_office_and_auditors(make_staff, role):
    assert logged_in(make_staff(role=role)).get("/console/credit/").status_code == 403
    assert logged_in(make_staff(role=StaffRole.AUDITOR)).get("/console/credit/").status_code == 200
    assert Client().get("/console/credit/").status_code == 302  # to the login page


def test_agency_profile_is_visible_to_own_liaison_but_not_to_others(make_staff):
    agency = AgencyFactory()
    CreditRecordFactory(agency=agency)
    agency_scores_recompute(agency_ids=[agency.pk])
    assert AgencyCreditScoreHistory.objects.count() == 1
    own = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    assert logged_in(own).get(f"/console/agencies/{agency.pk}/").status_code == 200
    other = make_staff(role=StaffRole.AGENCY_LIAISON)
    assert logged_in(other).get(f"/console/agencies/{agency.pk}/").status_code == 404
    # A handler opens only the files of agencies whose breach its department determined.
    handler = make_staff(role=StaffRole.HANDLER, agency=agency)
    assert logged_in(handler).get(f"/console/agencies/{agency.pk}/").status_code == 404
    assert (
        logged_in(make_staff(role=StaffRole.INTAKE_CLERK))
        .get(f"/console/agencies/{agency.pk}/")
        .status_code
        == 403
    )


def test_objection_is_decided_from_the_console(make_staff, credit_officer):
    agency = AgencyFactory()
    record = CreditRecordFactory(agency=agency)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    from credit_records.services.objections import objection_file

    objection = objection_file(record_id=record.pk, actor=liaison, reason="已支付")
    client = logged_in(credit_officer)
    assert "已支付" in client.get("/console/credit/objections/").content.decode()
    response = client.post(
        f"/console/credit/objections/{objection.pk}/dismiss/", {"note": "证据不足"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "active"
    auditor = make_staff(role=StaffRole.AUDITOR)
    assert (
        logged_in(auditor).post(f"/console/credit/objections/{objection.pk}/uphold/").status_code
        == 403
    )


def test_public_list_is_translated_to_english(client):
    response = client.get("/credit/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Publicity of government breaches of trust" in response.content.decode()
