"""axe-core (committed under static/vendor/axe-core, from the npm registry) finds no serious
or critical violation on the public pages a complainant goes through, in Chinese and in English
(one pass over the pages per language, the language chosen by the browser's locale)."""

import pytest
from django.test import override_settings

from complaints.services import workflow as wf
from complaints.services.documents import document_issue, fingerprint
from tests.agencies.factories import AgencyFactory, make_uscc
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE = "/static/vendor/axe-core/axe.min.js"


def violations(page, base_url) -> list[dict]:
    page.add_script_tag(url=base_url + AXE)
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )


@pytest.fixture
def case():
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        complaint = ComplaintFactory()
        handler = handler_of(complaint)
        wf.complaint_accept(complaint=complaint, actor=handler)
        wf.complaint_find_founded(complaint=complaint, actor=handler, note="属实")
        wf.complaint_determine_breach(
            complaint=complaint, actor=handler, severity="serious", facts="拒不支付工程款"
        )
    return complaint


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_public_pages_have_no_serious_or_critical_violations(
    live_server, make_browser_page, case, locale
):
    base = live_server.url
    page = make_browser_page(locale=locale)
    found = {}
    submit = page.locator('button[name="submit"]')

    def check(name):
        problems = violations(page, base)
        if problems:
            found[name] = problems

    for url in (
        "/",
        "/complaints/new/",
        "/credit/",
        f"/credit/agencies/{case.respondent_agency.pk}/",
        "/stats/",
    ):
        page.goto(base + url)
        check(url)

    # The form with errors, then a filed complaint's receipt.
    page.goto(base + "/complaints/new/")
    assert page.locator("html").get_attribute("lang") == {"zh-CN": "zh-CN", "en-US": "en"}[locale]
    submit.click()
    page.wait_for_selector("#error-summary")
    check("form with errors")
    school = AgencyFactory(name="阳光小学", supervisor=AgencyFactory(name="城东区教育局"))
    page.fill("#agency-q", "阳光")
    page.locator('button[name="search"]').click()
    page.check(f'input[name=respondent_agency][value="{school.pk}"]')
    page.fill("#id_complainant_name", "城东建筑修缮有限公司")
    page.fill("#id_complainant_uscc", make_uscc(42, prefix="91330106"))
    page.fill("#id_contact_name", "赵六")
    page.fill("#id_contact_phone", "13712345678")
    page.check('input[name=domain][value="payment_arrears"]')
    page.fill("#id_title", "校舍维修工程款拖欠")
    page.fill("#id_description", "验收合格后至今未付款。")
    submit.click()
    page.wait_for_selector("#receipt-access-code")
    check("receipt")

    # Tracking: the prompt, then the case.
    page.goto(f"{base}/track/{case.reference}/")
    check("tracking prompt")
    page.fill("#id_access_code", case.access_code)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector("#track-status")
    check("tracking")

    # Recovering a code and checking a document.
    for url in ("/track/recover/", "/track/recover/code/"):
        page.goto(base + url)
        check(url)
    document = document_issue(complaint=case, kind="receipt")
    page.goto(f"{base}/verify/{document.code}/?h={fingerprint(document)}")
    check("verify")
    assert not found, found


def test_the_check_itself_catches_a_critical_violation(live_server, make_browser_page):
    """So that an empty result above means a clean page, not a check that never ran."""
    page = make_browser_page(locale="zh-CN")
    page.goto(live_server.url + "/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"x.png\">')"
    )
    assert "image-alt" in {v["id"] for v in violations(page, live_server.url)}
