"""A firm owner files on a phone with two files, makes a typo, and keeps the files."""

import pytest

from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints.evidence import PDF_BYTES, PNG_BYTES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_files_survive_a_failed_first_submission_on_a_phone(
    live_server, make_browser_page, tmp_path
):
    school = AgencyFactory(name="阳光小学", supervisor=AgencyFactory(name="城东区教育局"))
    pdf, png = tmp_path / "验收单.pdf", tmp_path / "现场照片.png"
    pdf.write_bytes(PDF_BYTES)
    png.write_bytes(PNG_BYTES)
    page = make_browser_page(locale="zh-CN", **PHONE)
    page.goto(live_server.url + "/complaints/new/")
    page.fill("#agency-q", "yg")  # pinyin initials of 阳光
    page.get_by_role("button", name="搜索").click()
    page.check(f'input[name=respondent_agency][value="{school.pk}"]')
    page.fill("#id_complainant_name", "城东建筑修缮有限公司")
    page.fill("#id_complainant_uscc", make_uscc(42, prefix="91330106"))
    page.fill("#id_contact_name", "赵六")
    page.fill("#id_contact_phone", "1371234567")  # one digit short: the typo
    page.check('input[name=domain][value="payment_arrears"]')
    page.fill("#id_title", "校舍维修工程款拖欠")
    page.fill("#id_description", "验收合格后至今未付款。")
    page.set_input_files("#id_files", [str(pdf), str(png)])
    page.get_by_role("button", name="提交投诉").click()

    # The summary takes focus and links to the field; the files are listed, still chosen.
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_contact_phone"
    staged = page.inner_text("#staged-files")
    assert "验收单.pdf" in staged and "现场照片.png" in staged

    page.fill("#id_contact_phone", "13712345678")
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_selector("#receipt-access-code")
    complaint = Complaint.objects.get()
    names = sorted(a.original_name for a in complaint.attachments.all())
    assert names == ["现场照片.png", "验收单.pdf"]
