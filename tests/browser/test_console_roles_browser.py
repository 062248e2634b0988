"""Each role's job in a real browser: the clerk registers a phone complaint and gets its
receipt; the liaison files an objection and applies for repair, each with a file; the handler
filters by a counter, assigns the case to a colleague from the queue and determines a breach
after confirming it; the credit office works the follow-up (回访) list; the console's layout
at 1366 px and on a phone."""

import datetime

import pytest
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import Satisfaction, Status
from complaints.models import Complaint
from complaints.services.tracking import feedback_submit
from credit_records.choices import Severity
from credit_records.models import Objection, ObjectionFile
from sanctions.models import Repair, RepairFile
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.evidence import PDF_BYTES
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


def test_liaison_files_an_objection_and_a_repair_application_each_with_a_file(
    live_server, make_browser_page
):
    agency = AgencyFactory()
    # Minor and decided 10 days ago: repairable at once and inside its term (as in
    # tests/credit_records/test_evidence_files.py), so both an objection and a repair fit.
    recent = timezone.localdate() - datetime.timedelta(days=10)
    objected = record(agency, severity=Severity.MINOR, decided_on=recent)
    repaired = record(agency, severity=Severity.MINOR, decided_on=recent)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    page = make_browser_page()
    _login(page, live_server.url, liaison.username)
    page.click("text=本单位信用记录")
    page.click(f"#record-{objected.pk} >> text=提出异议")
    page.fill("#id_reason", "款项已付清")
    page.fill("#id_evidence_note", "银行回单")
    page.set_input_files(
        "#id_files", {"name": "付款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.click("button[type=submit] >> text=提交异议")
    page.wait_for_url(live_server.url + "/console/credit/mine/")
    objection = Objection.objects.get()
    assert objection.reason == "款项已付清"
    stored = ObjectionFile.objects.get(objection=objection)
    assert stored.original_name == "付款凭证.pdf" and stored.size == len(PDF_BYTES)
    page.click("text=本单位的异议")
    assert "付款凭证.pdf" in page.inner_text("main")

    page.goto(live_server.url + "/console/credit/mine/")
    page.click(f"#record-{repaired.pk} >> text=申请信用修复")
    page.fill("#id_statement", "已足额支付工程款并完成整改")
    page.check("#id_commitment")
    page.set_input_files(
        "#id_files", {"name": "付款回单.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.click("button[type=submit] >> text=提交修复申请")
    page.wait_for_selector("#repair-files")
    repair = Repair.objects.get()
    assert repair.record_id == repaired.pk
    stored = RepairFile.objects.get(repair=repair)
    assert stored.original_name == "付款回单.pdf" and stored.size == len(PDF_BYTES)
    assert "付款回单.pdf" in page.inner_text("#repair-files")


def test_handler_filters_by_a_counter_and_determines_a_breach_after_confirming(
    live_server, make_browser_page
):
    complaint = complaint_in(Status.RECTIFYING)
    Complaint.objects.filter(pk=complaint.pk).update(
        due_at=timezone.now() + datetime.timedelta(hours=2)
    )
    handler = handler_of(complaint)
    colleague = StaffFactory(
        role=StaffRole.HANDLER, agency=complaint.handling_agency, first_name="晓明", last_name="李"
    )
    page = make_browser_page()
    _login(page, live_server.url, handler.username)
    page.click("#counter-soon")
    page.wait_for_load_state()
    # Bulk assignment from the queue: tick the row, choose the colleague, one POST.
    page.check(f"#select-{complaint.reference}")
    page.select_option("#id_bulk_assignee", str(colleague.pk))
    page.click("#bulk-assign button[type=submit]")
    page.wait_for_selector(".messages")
    assert "晓明" in page.inner_text(f"tr[data-reference='{complaint.reference}'] td.assignee")
    assert Complaint.objects.get(pk=complaint.pk).assignee_id == colleague.pk
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


def test_credit_office_works_the_follow_up_list(live_server, make_browser_page):
    case = complaint_in(Status.UNFOUNDED)
    feedback_submit(complaint=case, satisfaction=Satisfaction.DISSATISFIED, comment="没有说明依据")
    office = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    page = make_browser_page()
    _login(page, live_server.url, office.username)
    page.click("nav >> text=回访")
    card = page.locator(f"#follow-up-{case.reference}")
    assert "没有说明依据" in card.inner_text()
    card.locator("select").select_option("unresolved")
    card.locator("textarea").fill("已电话联系，补充材料后重新核查")
    card.locator("input[type=checkbox]").check()
    card.locator("button[type=submit]").click()
    page.wait_for_selector("#case-status")
    assert page.locator("#case-status").get_attribute("data-status") == Status.VERIFYING
    assert "回访记录" in page.inner_text("body")


def test_layout_header_at_1366_and_phone_cards(live_server, make_browser_page):
    """The credit officer's header stays on one line at 1366 px; on a 390 px phone the
    filters are behind a button, rows are cards and nothing scrolls sideways."""
    case = complaint_in(Status.VERIFYING)
    complaint_in(Status.VERIFYING)  # another respondent, filtered out by name
    office = StaffFactory(
        role=StaffRole.CREDIT_OFFICER,
        agency=AgencyFactory(name="杭州市社会信用体系建设领导小组办公室"),
        first_name="信用办",
        last_name="演示",
    )
    page = make_browser_page(viewport={"width": 1366, "height": 800})
    _login(page, live_server.url, office.username)
    links = page.locator(".site-nav > a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert links.count() >= 8 and len(tops) == 1, tops
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80, header
    # The respondent filter suggests agencies from the public agency search as one types.
    page.click(".filters-toggle > summary")
    page.fill("#id_respondent_q", case.respondent_agency.name)
    page.wait_for_selector("#respondent-options option", state="attached")
    assert page.locator("#respondent-options option").first.get_attribute("value") == (
        case.respondent_agency.name
    )
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**respondent_q=**")
    assert page.locator("table.queue tbody tr[data-reference]").count() == 1

    phone = make_browser_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _login(phone, live_server.url, office.username)
    assert not phone.locator("form.filters").is_visible()
    phone.click(".filters-toggle > summary")
    assert phone.locator("form.filters").is_visible()
    row = phone.locator("table.queue tbody tr").first
    assert (
        phone.evaluate("getComputedStyle(document.querySelector('table.queue tr')).display")
        == "block"
    )
    assert row.bounding_box()["width"] <= 390
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow
