"""Periodic reports: built once the period has ended, archived with the scheme version and a
content hash, listed and downloadable; a rebuild from the same data gives the same figures."""

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from agencies.choices import StaffRole
from evaluation.models import EvaluationReport
from evaluation.params import quarter_start
from evaluation.services.reports import (
    due_periods,
    report_build,
    report_matches_data,
    reports_build_due,
)
from evaluation.tasks import build_due_reports
from tests.agencies.factories import StaffFactory

from .world import build_world

pytestmark = pytest.mark.django_db

# Mid-quarter, so that the world's complaints (up to three weeks old) fall in this quarter.
MID_QUARTER = time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC))


def _this_quarter_report():
    start = quarter_start(timezone.localdate())
    return report_build(kind=EvaluationReport.Kind.QUARTER, start=start)


def test_due_periods_are_the_last_whole_quarter_and_year():
    assert due_periods(dt.date(2026, 5, 3)) == [
        ("quarter", dt.date(2026, 1, 1)),
        ("year", dt.date(2025, 1, 1)),
    ]
    assert due_periods(dt.date(2026, 1, 1))[0] == ("quarter", dt.date(2025, 10, 1))


def test_the_beat_task_builds_each_ended_period_once():
    assert build_due_reports() == 2
    assert build_due_reports() == 0  # safe to run twice
    assert EvaluationReport.objects.count() == 2


@MID_QUARTER
def test_a_report_names_its_scheme_and_a_rebuild_gives_the_same_figures():
    build_world()
    report = _this_quarter_report()
    assert report.scheme_version == 1 and len(report.content_hash) == 64
    respondent_rows = report.figures["respondent"]
    assert sum(r["received"] for r in respondent_rows) == 11
    assert report_matches_data(report)
    assert report_build(kind=report.kind, start=report.period_start).pk == report.pk
    sheets = load_workbook(io.BytesIO(bytes(report.xlsx))).sheetnames
    assert sheets == ["被投诉主体", "承办单位", "行政区划"]


@MID_QUARTER
def test_new_data_in_the_period_no_longer_matches_the_archive():
    world = build_world()
    report = _this_quarter_report()
    from tests.complaints.factories import ComplaintFactory

    ComplaintFactory(respondent_agency=world.respondent)
    assert not report_matches_data(report)


@MID_QUARTER
def test_the_console_lists_prints_and_downloads_reports():
    build_world()
    report = _this_quarter_report()
    client = Client()
    client.force_login(StaffFactory(role=StaffRole.AUDITOR))
    listing = client.get("/console/evaluation/reports/").content.decode()
    assert report.content_hash[:10] in listing
    page = client.get(f"/console/evaluation/reports/{report.pk}/")
    assert page.status_code == 200 and report.content_hash in page.content.decode()
    download = client.get(f"/console/evaluation/reports/{report.pk}/xlsx/")
    assert download.status_code == 200 and download.content == bytes(report.xlsx)
    handler = Client()
    handler.force_login(StaffFactory(role=StaffRole.HANDLER))
    assert handler.get(f"/console/evaluation/reports/{report.pk}/xlsx/").status_code == 403


def test_reports_build_due_on_a_given_day():
    with time_machine.travel(dt.datetime(2026, 4, 2, 3, tzinfo=dt.UTC)):
        assert reports_build_due() == 2
    starts = set(EvaluationReport.objects.values_list("kind", "period_start"))
    assert starts == {("quarter", dt.date(2026, 1, 1)), ("year", dt.date(2025, 1, 1))}


@MID_QUARTER
def test_the_printable_report_draws_the_archived_monthly_trend():
    build_world()
    report = _this_quarter_report()
    # The world's complaints: 11 submitted this month or three weeks ago, some closed.
    assert sum(month["received"] for month in report.trend) == 11
    assert {"month", "received", "closed", "overdue_open"} == set(report.trend[0])
    assert report_matches_data(report)
    client = Client()
    client.force_login(StaffFactory(role=StaffRole.CREDIT_OFFICER))
    page = client.get(f"/console/evaluation/reports/{report.pk}/").content.decode()
    assert 'id="trend-chart"' in page
    for month in report.trend:
        assert f"{month['month']} 收到投诉：{month['received']}</title>" in page
        assert f"{month['month']} 已办结：{month['closed']}</title>" in page
    # A report archived before the trend was kept prints without it.
    EvaluationReport.objects.filter(pk=report.pk).update(trend=None)
    report.refresh_from_db()
    assert (
        'id="trend-chart"'
        not in client.get(f"/console/evaluation/reports/{report.pk}/").content.decode()
    )
