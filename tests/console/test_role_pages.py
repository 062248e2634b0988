"""Every role's job has a page: the intake clerk registers a complaint that came by another
channel and prints its receipt; the liaison objects to a record and applies for repair."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import Action
from complaints.models import Complaint
from credit_records.choices import RecordStatus
from credit_records.models import Objection
from sanctions.models import Repair
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.sanctions.helpers import record

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def phone_complaint(respondent, **overrides) -> dict:
    data = {
        "submit": "1",
        "channel": "hotline_12345",
        "origin_ref": "12345-2026-000871",
        "received_on": "2026-11-30",
        "respondent_agency": respondent.pk,
        "complainant_type": "individual",
        "complainant_name": "王女士",
        "contact_name": "王女士",
        "contact_phone": "13900001111",
        "domain": "payment_arrears",
        "title": "装修工程款拖欠",
        "description": "学校食堂装修完工验收半年仍未付款。",
    }
    data.update(overrides)
    return data


def test_clerk_registers_a_phone_complaint_and_prints_its_receipt_with_the_access_code():
    department = AgencyFactory(name="市教育局")
    school = AgencyFactory(name="市第一中学", supervisor=department)
    clerk = StaffFactory(role=StaffRole.INTAKE_CLERK)
    client = logged_in(clerk)
    assert "/console/register/" in client.get("/console/").content.decode()

    response = client.post("/console/register/", phone_complaint(school))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/register/{complaint.reference}/receipt/"
    assert (complaint.channel, complaint.registered_by, complaint.handling_agency) == (
        "hotline_12345",
        clerk,
        department,
    )
    submitted = complaint.events.get(action=Action.SUBMIT)
    assert submitted.data["origin_ref"] == "12345-2026-000871"
    assert submitted.data["received_on"] == "2026-11-30"

    receipt = client.get(response["Location"])
    page = receipt.content.decode()
    assert receipt["Cache-Control"] == "no-store"
    assert complaint.reference in page and "12345-2026-000871" in page
    code = page.split('id="receipt-access-code" class="code">')[1].split("<")[0].strip()
    tracked = Client().post("/track/", {"reference": complaint.reference, "access_code": code})
    assert tracked.status_code == 302  # the printed code opens the complainant's tracking page
    # The handler reads where it came from.
    handler = StaffFactory(role=StaffRole.HANDLER, agency=department)
    case = logged_in(handler).get(f"/console/c/{complaint.reference}/").content.decode()
    assert "12345-2026-000871" in case


def test_re_keying_the_same_work_order_finds_the_first_complaint():
    school = AgencyFactory(supervisor=AgencyFactory())
    clerk, colleague = (StaffFactory(role=StaffRole.INTAKE_CLERK) for _ in range(2))
    first = logged_in(clerk).post("/console/register/", phone_complaint(school))
    complaint = Complaint.objects.get()
    assert complaint.external_ref == "12345-2026-000871"
    assert first["Location"].endswith("/receipt/")

    client = logged_in(clerk)
    again = client.post("/console/register/", phone_complaint(school), follow=True)
    assert again.redirect_chain == [(f"/console/c/{complaint.reference}/", 302)]
    page = again.content.decode()
    assert "该工单已于" in page and complaint.reference in page
    assert Complaint.objects.count() == 1

    # A colleague who cannot open the first complaint is told its reference, offered no link.
    other = logged_in(colleague).post("/console/register/", phone_complaint(school), follow=True)
    assert other.redirect_chain == [("/console/register/", 302)]
    page = other.content.decode()
    assert complaint.reference in page and f"/console/c/{complaint.reference}/" not in page
    assert Complaint.objects.count() == 1

    # The same number from another channel is another work order.
    logged_in(clerk).post("/console/register/", phone_complaint(school, channel="petition"))
    assert Complaint.objects.count() == 2


def test_clerk_registration_with_bad_input_says_why_and_creates_nothing():
    school = AgencyFactory()
    client = logged_in(StaffFactory(role=StaffRole.INTAKE_CLERK))
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        "/console/register/", phone_complaint(school, origin_ref="", received_on=future)
    )
    assert response.status_code == 200
    assert 'id="id_origin_ref_error"' in response.content.decode()
    assert 'id="id_received_on_error"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_only_registrants_open_the_register_page():
    handler = logged_in(StaffFactory(role=StaffRole.HANDLER))
    assert handler.get("/console/register/").status_code == 403
    nav = handler.get("/console/").content.decode()
    assert "/console/register/" not in nav


def test_liaison_objects_to_its_agencys_record_from_the_console():
    agency = AgencyFactory()
    rec = record(agency)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    client = logged_in(liaison)
    mine = client.get("/console/credit/mine/").content.decode()
    assert f"/console/credit/records/{rec.pk}/object/" in mine

    empty = client.post(f"/console/credit/records/{rec.pk}/object/", {"reason": ""})
    assert empty.status_code == 200 and not Objection.objects.exists()
    response = client.post(
        f"/console/credit/records/{rec.pk}/object/",
        {"reason": "款项已于判决前付清", "evidence_note": "银行回单"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.reason, objection.evidence_note, objection.filed_by) == (
        "款项已于判决前付清",
        "银行回单",
        liaison,
    )
    rec.refresh_from_db()
    assert rec.status == RecordStatus.UNDER_OBJECTION
    # A second objection is refused with the reason, not a 5xx.
    again = client.post(f"/console/credit/records/{rec.pk}/object/", {"reason": "再次"})
    assert again.status_code == 200 and Objection.objects.count() == 1


def test_liaison_cannot_object_to_another_agencys_record():
    other = record(AgencyFactory())
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=AgencyFactory())
    client = logged_in(liaison)
    assert client.get(f"/console/credit/records/{other.pk}/object/").status_code == 404
    assert client.get(f"/console/sanctions/repairs/apply/{other.pk}/").status_code == 404


def test_liaison_applies_for_repair_with_statement_commitment_and_evidence():
    agency = AgencyFactory()
    rec = record(agency, decided_on=datetime.date(2024, 1, 2))
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    client = logged_in(liaison)
    url = f"/console/sanctions/repairs/apply/{rec.pk}/"
    no_commitment = client.post(url, {"statement": "已付清"})
    assert no_commitment.status_code == 200 and not Repair.objects.exists()
    assert "信用承诺" in no_commitment.content.decode()

    response = client.post(
        url, {"statement": "已付清全部款项", "commitment": "on", "evidence_note": "付款凭证"}
    )
    repair = Repair.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/sanctions/repairs/{repair.pk}/"
    assert (repair.statement, repair.evidence_note) == ("已付清全部款项", "付款凭证")
    page = client.get(response["Location"]).content.decode()
    assert page.count("修复申请已提交。") == 1  # one message per action


def test_repair_page_says_when_a_record_becomes_eligible():
    agency = AgencyFactory()
    rec = record(agency, decided_on=timezone.localdate())
    client = logged_in(StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency))
    page = client.get(f"/console/sanctions/repairs/apply/{rec.pk}/").content.decode()
    assert 'id="repair-not-eligible"' in page
    assert rec.repair_eligible_on.isoformat() in page
