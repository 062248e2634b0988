"""A complainant follows the receipt's link in a new session, loses the code and gets a new
one through 找回查询码, on a phone-sized screen."""

import re

import pytest

from complaints.models import Notification
from complaints.notices import notice_text
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_receipt_link_in_a_new_session_then_a_lost_code_is_recovered(
    live_server, make_browser_page
):
    complaint = ComplaintFactory()
    page = make_browser_page(locale="zh-CN", **PHONE)

    # The link from the receipt, the SMS or the e-mail, opened later on another device.
    page.goto(f"{live_server.url}/track/{complaint.reference}/")
    assert page.input_value("#id_reference") == complaint.reference
    assert complaint.title not in page.inner_text("main")

    # The code is lost: recover it with the phone number on file.
    page.get_by_role("link", name="找回查询码").click()
    assert page.input_value("#id_reference") == complaint.reference
    page.fill("#id_contact", complaint.contact_phone)
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_selector("#id_code")
    sms = Notification.objects.filter(complaint=complaint, template="recovery_code").get()
    one_time = re.search(r"验证码(\d{6})", notice_text(sms)[1]).group(1)
    page.fill("#id_code", one_time)
    page.get_by_role("button", name="重设查询码").click()
    page.wait_for_selector("#receipt-access-code")
    new_code = page.inner_text("#receipt-access-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", new_code)

    # The old code no longer opens the case; the new one does, in yet another session.
    other = make_browser_page(locale="zh-CN", **PHONE)
    other.goto(f"{live_server.url}/track/{complaint.reference}/")
    other.fill("#id_access_code", complaint.access_code)
    other.get_by_role("button", name="查询").click()
    other.wait_for_selector(".errorlist")
    assert "查询码不正确" in other.inner_text(".errorlist")
    other.fill("#id_access_code", new_code)
    other.get_by_role("button", name="查询").click()
    other.wait_for_selector("#track-status")
    assert complaint.title in other.inner_text("main")
