"""A handler and a credit officer work cases in the console; the complainant sees the result."""

import pytest

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct-horse-battery-9"


def _login(page, base, username):
    page.goto(base + "/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")  # keyboard only
    page.wait_for_url(base + "/console/")


def _act(page, code, fields=None):
    details = page.locator(f"#action-{code}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in (fields or {}).items():
        target = details.locator(selector)
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    details.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _tracking_page_ready() -> bool:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template("complaints/public/track.html")
    except TemplateDoesNotExist:
        return False
    return True


def test_handler_works_a_case_to_rectified_and_the_complainant_sees_it(
    live_server, make_browser_page, transactional_db
):
    base = live_server.url
    complaint = ComplaintFactory(domain="procurement")
    handler = StaffFactory(role=StaffRole.HANDLER, agency=complaint.handling_agency)

    page = make_browser_page()
    _login(page, base, handler.username)
    page.click(f"text={complaint.reference}")
    assert page.locator("#case-status").get_attribute("data-status") == Status.ROUTED
    _act(page, "accept")
    assert page.locator("#case-status").get_attribute("data-status") == Status.VERIFYING
    assert "机构调整、人员变动" in page.content()
    _act(page, "find_founded", {"textarea": "经核实合同约定付款期已过"})
    assert page.locator("#case-status").get_attribute("data-status") == Status.RECTIFYING
    _act(page, "record_rectified", {"textarea": "已支付全部款项"})
    assert page.locator("#case-status").get_attribute("data-status") == Status.RECTIFIED
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RECTIFIED

    visitor = make_browser_page()
    if _tracking_page_ready():
        visitor.goto(base + "/track/")
        visitor.fill("input[name=reference]", complaint.reference)
        visitor.fill("input[name=access_code]", complaint.access_code)
        visitor.press("input[name=access_code]", "Enter")
        visitor.wait_for_load_state()
        text = visitor.content()
        assert "已整改" in text
        assert "经核实合同约定付款期已过" not in text  # internal note stays internal
    response = visitor.request.get(
        f"{base}/api/v1/track/{complaint.reference}/",
        headers={"X-Access-Code": complaint.access_code},
    )
    assert response.status == 200, response.text()
    body = response.json()
    assert body["status"] == Status.RECTIFIED
    statuses = [row["status"] for row in body["timeline"]]
    assert Status.VERIFYING in statuses and Status.RECTIFIED in statuses
    assert "经核实合同约定付款期已过" not in response.text()


def test_credit_officer_routes_a_pending_case(live_server, make_browser_page, transactional_db):
    base = live_server.url
    complaint = ComplaintFactory(routed=False)
    target = AgencyFactory(name="市住房和城乡建设局")
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)

    page = make_browser_page()
    _login(page, base, officer.username)
    page.goto(base + "/console/routing/")
    page.click(f"text={complaint.reference}")
    # The agency is found by a search (a GET form), then picked from the radio buttons.
    page.fill("#reroute-agency-q", "住房和城乡")
    page.press("#reroute-agency-q", "Enter")
    page.wait_for_load_state()
    details = page.locator("#action-reroute")
    details.locator(f"input[type=radio][value='{target.pk}']").check()
    details.locator("textarea").fill("按主管关系分办")
    details.locator("form[data-action=reroute] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#case-status").get_attribute("data-status") == Status.ROUTED
    complaint.refresh_from_db()
    assert complaint.handling_agency_id == target.pk
