"""Irreversible actions ask first: determine breach, reject, uphold an objection, approve or
reject a repair each answer a confirmation page saying what will follow, and act only when it
is confirmed. The objection card shows the record it is about; statuses say what is awaited."""

import datetime

import pytest
from django.test import Client

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.models import Complaint
from credit_records.choices import ObjectionStatus, RecordStatus
from credit_records.models import Objection
from credit_records.services.objections import objection_file
from sanctions.choices import RepairStatus
from sanctions.models import Repair
from sanctions.services import repair_apply
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of
from tests.sanctions.helpers import record

from .test_crawl import raw_codes

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_determine_breach_is_done_only_after_the_confirmation_page():
    complaint = complaint_in(Status.RECTIFYING)
    client = logged_in(handler_of(complaint))
    url = f"/console/c/{complaint.reference}/act/determine_breach/"
    body = {
        "determine_breach-version": complaint.version,
        "determine_breach-severity": "general",
        "determine_breach-facts": "拒不支付工程款",
    }
    first = client.post(url, body)
    page = first.content.decode()
    assert first.status_code == 200 and 'id="confirm"' in page
    assert "政务失信记录" in page and "拒不支付工程款" in page and "一般" in page
    assert not raw_codes(page)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RECTIFYING

    done = client.post(url, {**body, "confirmed": "1"})
    assert done.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == Status.BREACH


def test_reject_asks_for_confirmation_and_cancel_changes_nothing():
    complaint = complaint_in(Status.ROUTED)
    client = logged_in(handler_of(complaint))
    url = f"/console/c/{complaint.reference}/act/reject/"
    body = {"reject-version": complaint.version, "reject-reason": "不属于受理范围"}
    page = client.post(url, body).content.decode()
    assert 'id="confirm"' in page and f'href="/console/c/{complaint.reference}/"' in page
    assert Complaint.objects.get(pk=complaint.pk).status == Status.ROUTED


def test_reversible_verbs_act_at_once():
    complaint = complaint_in(Status.ROUTED)
    client = logged_in(handler_of(complaint))
    response = client.post(
        f"/console/c/{complaint.reference}/act/accept/", {"accept-version": complaint.version}
    )
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == Status.VERIFYING


def test_objection_card_shows_the_record_and_upholding_asks_first():
    agency = AgencyFactory()
    rec = record(agency, facts="逾期未支付设备款")
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    objection = objection_file(record_id=rec.pk, actor=liaison, reason="已付清")
    client = logged_in(StaffFactory(role=StaffRole.CREDIT_OFFICER))
    card = client.get("/console/credit/objections/").content.decode()
    assert "逾期未支付设备款" in card and rec.decided_on.isoformat() in card
    assert "secondary danger" in card  # the destructive decision is not the primary button
    assert not raw_codes(card)

    url = f"/console/credit/objections/{objection.pk}/uphold/"
    page = client.post(url, {"note": "凭证属实"}).content.decode()
    assert 'id="confirm"' in page and "撤销该信用记录" in page
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.PENDING
    client.post(url, {"note": "凭证属实", "confirmed": "1"})
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.UPHELD
    rec.refresh_from_db()
    assert rec.status == RecordStatus.REVOKED


def test_repair_status_says_what_is_awaited_and_approval_is_confirmed_with_one_message():
    agency = AgencyFactory()
    rec = record(agency, decided_on=datetime.date(2024, 1, 2))  # pushed: no confirming dept
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    repair = repair_apply(record_id=rec.pk, actor=liaison, statement="已付清", commitment=True)
    client = logged_in(StaffFactory(role=StaffRole.CREDIT_OFFICER))
    page = client.get(f"/console/sanctions/repairs/{repair.pk}/").content.decode()
    assert "待信用办审核" in page and "待确认" not in page

    url = f"/console/sanctions/repairs/{repair.pk}/approve/"
    confirm = client.post(url, {"note": "同意"}).content.decode()
    assert 'id="confirm"' in confirm
    assert Repair.objects.get(pk=repair.pk).status == RepairStatus.PENDING
    done = client.post(url, {"note": "同意", "confirmed": "1"}, follow=True)
    assert Repair.objects.get(pk=repair.pk).status == RepairStatus.APPROVED
    assert done.content.decode().count("已办理。") == 1
