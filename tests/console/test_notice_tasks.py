"""One notice task per agency and measure however many rules impose it; the task page and the
printed notice show every rule and record behind it; codes reach the page as labels."""

import datetime

import pytest
from django.test import Client

from agencies.choices import StaffRole
from credit_records.choices import Kind, Severity
from sanctions.choices import SanctionStatus, TaskKind
from sanctions.models import OfficeTask, Sanction
from sanctions.services import agency_sanctions_reconcile
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.sanctions.helpers import record

from .test_crawl import raw_codes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def officer_client() -> Client:
    client = Client()
    client.force_login(StaffFactory(role=StaffRole.CREDIT_OFFICER))
    return client


def test_two_rules_imposing_the_same_notice_open_one_task_showing_both_rules_and_records():
    agency = AgencyFactory(name="市某局")
    debtor = record(agency, kind=Kind.DISHONEST_DEBTOR, severity=Severity.SERIOUS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    notices = Sanction.objects.filter(
        agency=agency, measure_id="public_notice", status=SanctionStatus.ACTIVE
    ).select_related("rule")
    assert notices.count() == 2  # the premise: two rules impose 通报
    tasks = OfficeTask.objects.filter(agency=agency, kind=TaskKind.PUBLIC_NOTICE)
    assert tasks.count() == 1

    # A later record that brings the same measure again opens no second task while one is open.
    record(agency, kind=Kind.BREACH, severity=Severity.SERIOUS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    assert OfficeTask.objects.filter(agency=agency, kind=TaskKind.PUBLIC_NOTICE).count() == 1

    client = officer_client()
    page = client.get("/console/sanctions/tasks/").content.decode()
    for sanction in notices:
        assert sanction.rule.name in page
    assert debtor.decided_on.isoformat() in page
    assert not raw_codes(page)
    notice = client.get(f"/console/sanctions/tasks/{tasks.get().pk}/notice/").content.decode()
    for sanction in notices:
        assert sanction.rule.name in notice


def test_sanctions_page_shows_labels_not_codes():
    agency = AgencyFactory()
    record(agency, kind=Kind.ARREARS, severity=Severity.SERIOUS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    page = officer_client().get("/console/sanctions/").content.decode()
    assert "拖欠" in page
    assert not raw_codes(page), raw_codes(page)


def test_sanctions_list_exports_as_csv_and_xlsx_with_labels():
    agency = AgencyFactory(name="市某单位")
    record(agency, kind=Kind.ARREARS, severity=Severity.SERIOUS)
    agency_sanctions_reconcile(agency.pk, today=TODAY)
    client = officer_client()
    response = client.get("/console/sanctions/?status=active&export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "市某单位" in body and "公务消费" in body and "office_space" not in body
    xlsx = client.get("/console/sanctions/?export=xlsx")
    assert xlsx.content[:2] == b"PK"
