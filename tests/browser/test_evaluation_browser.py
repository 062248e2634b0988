"""The credit officer's evaluation in a real browser: last quarter, the departments ranked with
charts, a figure clicked down to exactly the cases behind it, the table and the ledger
exported, last quarter's archived report downloaded — and axe-core finds no serious or
critical accessibility violation on the dashboard, the rows behind a figure or the report."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from agencies.choices import StaffRole
from evaluation.models import EvaluationReport
from evaluation.services.reports import reports_build_due
from tests.agencies.factories import StaffFactory
from tests.browser.test_accessibility_browser import violations
from tests.evaluation.world import build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct-horse-battery-9"
TODAY = dt.datetime(2026, 11, 18, 2, tzinfo=dt.UTC)  # last quarter: July to September
IN_LAST_QUARTER = dt.datetime(2026, 8, 20, 2, tzinfo=dt.UTC)


def _download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def test_credit_officer_evaluates_last_quarter_end_to_end(live_server, make_browser_page):
    with time_machine.travel(IN_LAST_QUARTER, tick=False):
        world = build_world()
    traveller = time_machine.travel(TODAY)  # ticking: the live server runs meanwhile
    traveller.start()
    try:
        reports_build_due()
        officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
        officer.set_password(PASSWORD)
        officer.save()
        page = make_browser_page()
        base = live_server.url
        page.goto(base + "/console/login/")
        page.fill("#id_username", officer.username)
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url(base + "/console/")

        page.goto(base + "/console/evaluation/")
        page.click("#preset-last-quarter")
        page.select_option("select[name=group_by]", "handling")
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert page.input_value("input[name=from]") == "2026-07-01"
        assert page.input_value("input[name=to]") == "2026-09-30"
        row = page.locator(f'#evaluation-table tr[data-key="{world.department.pk}"]')
        assert row.locator("td").first.inner_text() == "1"  # ranked first
        assert page.locator("svg[aria-label] rect").count() > 3  # trend, outcomes, ranking
        assert page.locator("#trend-chart rect").count() >= 3
        found = {}
        found["dashboard"] = violations(page, base)

        received = row.locator('td[data-figure="received"] a')
        figure = int(received.inner_text())
        assert figure == 11
        received.click()
        page.wait_for_load_state()
        assert page.locator("#rows-total").inner_text().strip().startswith("共 11")
        assert page.locator("table tbody tr").count() == figure
        found["rows"] = violations(page, base)
        page.go_back()

        table = _download(page, "text=CSV >> nth=0")
        lines = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
        assert lines[1][1] == "市住建局" and lines[1][2] == "11"
        ledger = _download(page, "text=投诉台账 CSV")
        assert len(list(csv.reader(io.StringIO(ledger.decode("utf-8-sig"))))) == 12

        page.click("text=已归档的考核报告")
        page.wait_for_load_state()
        report = EvaluationReport.objects.get(kind="quarter", period_start=dt.date(2026, 7, 1))
        assert page.locator("#reports").inner_text().count("2026-07-01") == 1
        row = page.locator("#reports tr", has_text="2026-07-01")
        workbook = load_workbook(io.BytesIO(_download(page, f'a[href$="/{report.pk}/xlsx/"]')))
        assert workbook.sheetnames == ["被投诉主体", "承办单位", "行政区划"]
        assert row.count() == 1
        found["reports"] = violations(page, base)
        page.goto(f"{base}/console/evaluation/reports/{report.pk}/")
        assert page.locator("#trend-chart rect").count() >= 3
        found["report"] = violations(page, base)
        assert not {name: v for name, v in found.items() if v}, found
    finally:
        traveller.stop()
