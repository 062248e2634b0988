"""Each role's job in a real browser: the clerk registers a phone complaint and gets its
receipt; the liaison files an objection; the handler filters by a counter and determines a
breach after confirming it."""

import datetime

import pytest
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.models import Complaint
from credit_records.models import Objection
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of
from tests.sanctions.helpers import record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct-horse-battery-9"


def _login(page, base, username):
    page.goto(base + "/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(base + "/console/")


def test_clerk_registers_a_phone_complaint_and_gets_the_receipt(live_server, make_browser_page):
    department = AgencyFactory(name="市教育局")
    AgencyFactory(name="市第一中学", supervisor=department)
    clerk = StaffFactory(role=StaffRole.INTAKE_CLERK)
    page = make_browser_page()
    _login(page, live_server.url, clerk.username)
    page.click("text=登记投诉")
    page.select_option("#id_channel", "hotline_12345")
    page.fill("#id_origin_ref", "12345-0001")
    page.fill("#id_received_on", "2026-11-30")
    page.fill("#agency-q", "第一中学")
    page.click("button[name=search]")
    page.check("input[name=respondent_agency]")
    page.check("input[name=complainant_type][value=individual]")
    page.fill("#id_complainant_name", "王女士")
    page.fill("#id_contact_name", "王女士")
    page.fill("#id_contact_phone", "13900001111")
    page.check("input[name=domain][value=payment_arrears]")
    page.fill("#id_title", "装修款拖欠")
    page.fill("#id_description", "完工验收半年未付款。")
    page.click("button[name=submit]")
    page.wait_for_selector("#receipt-access-code")
    complaint = Complaint.objects.get()
    assert page.inner_text("#receipt-reference") == complaint.reference
    assert len(page.inner_text("#receipt-access-code").strip()) > 8
    assert complaint.channel == "hotline_12345"


def test_liaison_files_an_objection(live_server, make_browser_page):
    agency = AgencyFactory()
    rec = record(agency)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    page = make_browser_page()
    _login(page, live_server.url, liaison.username)
    page.click("text=本单位信用记录")
    page.click(f"#record-{rec.pk} >> text=提出异议")
    page.fill("#id_reason", "款项已付清")
    page.fill("#id_evidence_note", "银行回单")
    page.click("button[type=submit] >> text=提交异议")
    page.wait_for_url(live_server.url + "/console/credit/mine/")
    assert Objection.objects.get().reason == "款项已付清"


def test_handler_filters_by_a_counter_and_determines_a_breach_after_confirming(
    live_server, make_browser_page
):
    complaint = complaint_in(Status.RECTIFYING)
    Complaint.objects.filter(pk=complaint.pk).update(
        due_at=timezone.now() + datetime.timedelta(hours=2)
    )
    handler = handler_of(complaint)
    page = make_browser_page()
    _login(page, live_server.url, handler.username)
    page.click("#counter-soon")
    page.wait_for_load_state()
    page.click(f"text={complaint.reference}")
    details = page.locator("#action-determine_breach")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    details.locator("select").select_option("general")
    details.locator("textarea").fill("拒不支付工程款")
    details.locator("button[type=submit]").click()
    page.wait_for_selector("#confirm")
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RECTIFYING
    page.click("#confirm-button")
    page.wait_for_selector("#case-status")
    assert page.locator("#case-status").get_attribute("data-status") == Status.BREACH
