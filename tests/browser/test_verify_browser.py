"""A printed receipt is checked by opening its QR code's address: a genuine one verifies, an
altered fingerprint is called out."""

import pytest

from complaints.services.documents import code_display, document_issue, fingerprint
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_verify_a_genuine_and_an_altered_document(live_server, make_browser_page):
    document = document_issue(complaint=ComplaintFactory(), kind="receipt")
    page = make_browser_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    url = f"{live_server.url}/verify/{code_display(document.code)}/"
    page.goto(f"{url}?h={fingerprint(document)}")
    assert page.get_attribute("#verify-result", "data-matches") == "true"
    assert "真实有效" in page.inner_text("#verify-result")

    # Someone edited the printout and its fingerprint: typing what the paper says exposes it.
    page.goto(url)
    page.fill("#id_h", "deadbeefdeadbeef")
    page.get_by_role("button", name="核对").click()
    page.wait_for_selector("[role=alert]")
    assert page.get_attribute("#verify-result", "data-matches") == "false"
    assert "可能被改动过" in page.inner_text("[role=alert]")
