"""A person files a complaint in the browser, keeps the receipt and tracks it."""

import re
import struct
import zlib

import pytest

from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints.evidence import PDF_BYTES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def school(db):
    return AgencyFactory(name="阳光小学", supervisor=AgencyFactory(name="城东区教育局"))


def fill_and_submit(page, base_url, school, tmp_path, *, search_button: str, submit_button: str):
    evidence = tmp_path / "acceptance.pdf"
    evidence.write_bytes(PDF_BYTES)
    page.goto(base_url + "/complaints/new/")
    page.fill("#agency-q", "阳光")
    # With JavaScript the list appears while typing; the search button is the fallback.
    try:
        page.wait_for_selector(f'input[name=respondent_agency][value="{school.pk}"]', timeout=3000)
    except Exception:
        page.get_by_role("button", name=search_button).click()
    page.check(f'input[name=respondent_agency][value="{school.pk}"]')
    page.check('input[name=complainant_type][value="enterprise"]')
    page.fill("#id_complainant_name", "城东建筑修缮有限公司")
    page.fill("#id_complainant_uscc", make_uscc(42, prefix="91330106"))
    page.fill("#id_contact_name", "赵六")
    page.fill("#id_contact_phone", "13712345678")
    page.check('input[name=domain][value="payment_arrears"]')
    page.fill("#id_title", "校舍维修工程款拖欠一年")
    page.fill("#id_description", "2024年完成校舍维修，验收合格，至今未付款。<b>不要渲染</b>")
    page.fill("#id_contract_title", "校舍维修工程施工合同")
    page.fill("#id_amount_involved", "385000.50")
    page.set_input_files("#id_files", str(evidence))
    page.check("#id_consent_to_share_contact")
    page.get_by_role("button", name=submit_button).click()
    page.wait_for_selector("#receipt-access-code")
    reference = page.inner_text("#receipt-reference").strip()
    code = page.inner_text("#receipt-access-code").strip()
    return reference, code


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct bytes of the decoded pixel rows of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            idat += data[at + 8 : at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_file_a_complaint_in_chinese_and_track_it(live_server, browser_page, school, tmp_path):
    page = browser_page
    reference, code = fill_and_submit(
        page, live_server.url, school, tmp_path, search_button="搜索", submit_button="提交投诉"
    )
    assert re.fullmatch(r"\d{4}-\d{6}", reference)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.attachments.get().content_type == "application/pdf"
    page.screenshot(path=str(tmp_path / "receipt-zh.png"), full_page=True)

    # 保存为图片: a PNG of the receipt, drawn in the browser (vendored html-to-image).
    box = page.locator("#receipt").bounding_box()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="保存为图片").click()
    download = download_info.value
    assert download.suggested_filename == f"受理回执-{reference}.png"
    png = download.path().read_bytes()
    width, height, pixels = png_facts(png)
    # The receipt's size at pixel ratio 2 (the library rounds up).
    assert abs(width - box["width"] * 2) <= 2 and abs(height - box["height"] * 2) <= 2
    assert pixels > 50, "the picture is drawn, not a blank canvas"

    # The receipt is shown once: reloading does not show the code again.
    page.reload()
    assert code not in page.content()

    # Track from a fresh browser context, as the complainant would later.
    page.context.clear_cookies()
    page.goto(live_server.url + "/track/")
    page.fill("#id_reference", reference)
    page.fill("#id_access_code", code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#track-status")
    assert page.get_attribute("#track-status", "data-status") == "routed"
    assert "城东区教育局" in page.inner_text("#timeline")
    assert "<b>" not in page.inner_text("main")  # typed HTML is never rendered

    # The public statistics count it, and show no complainant.
    page.get_by_role("link", name="投诉统计").click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "政务诚信投诉统计"
    assert "累计受理投诉" in page.inner_text("main")
    assert complaint.complainant_name not in page.content()


@pytest.mark.parametrize("browser_locale", ["en-US"], indirect=True)
def test_file_a_complaint_in_english(live_server, browser_page, school, tmp_path):
    page = browser_page
    page.goto(live_server.url + "/complaints/new/")
    assert "Breach-of-contract complaint" in page.inner_text("h1")
    reference, code = fill_and_submit(
        page,
        live_server.url,
        school,
        tmp_path,
        search_button="Search",
        submit_button="Submit complaint",
    )
    assert "Complaint receipt" in page.inner_text("h1")
    page.goto(live_server.url + "/track/")
    page.fill("#id_reference", reference)
    page.fill("#id_access_code", code)
    page.get_by_role("button", name="Track").click()
    page.wait_for_selector("#track-status")
    assert page.inner_text("#track-status") == "Routed"
