"""No public page scrolls sideways on a 360 px wide phone (Chinese and English, normal and
large text)."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def case():
    from complaints.services import workflow as wf

    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        complaint = ComplaintFactory(title="学校维修工程款拖欠" * 3, amount_involved=480000)
        handler = handler_of(complaint)
        wf.complaint_accept(complaint=complaint, actor=handler)
        wf.complaint_find_founded(complaint=complaint, actor=handler, note="属实")
        wf.complaint_determine_breach(
            complaint=complaint, actor=handler, severity="serious", facts="拒不支付工程款" * 5
        )
    return complaint


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(("locale", "cookie"), [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_no_public_page_scrolls_sideways_at_360_px(
    live_server, make_browser_page, case, locale, cookie
):
    page = make_browser_page(locale=locale, **PHONE)
    host = live_server.url.split("//")[1].split(":")[0]
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": cookie, "domain": host, "path": "/"}]
    )
    agency = case.respondent_agency
    urls = [
        "/",
        "/complaints/new/",
        "/track/",
        f"/track/{case.reference}/",
        "/track/recover/",
        "/track/recover/code/",
        "/credit/",
        f"/credit/agencies/{agency.pk}/",
        "/stats/",
        "/typical-cases/",
        "/no-such-page/",
    ]
    wide = {}
    for size in ("normal", "large"):
        if size == "large":
            page.goto(live_server.url + "/")
            page.locator("form.text-size button").click()
        for url in urls:
            page.goto(live_server.url + url)
            extra = overflow(page)
            if extra > 0:
                wide[(size, url)] = extra
    # The tracked case itself, after the code prompt.
    page.goto(f"{live_server.url}/track/{case.reference}/")
    page.fill("#id_access_code", case.access_code)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector("#track-status")
    if overflow(page) > 0:
        wide[("tracked", case.reference)] = overflow(page)
    assert not wide, wide
