"""The deadline to perform on pushed records (seed 002 item 10: 督导、敦促限期履行义务或将债务
纳入本级财政预算): a pushed ``dishonest_debtor`` or ``arrears`` record is due in
``RecordPolicy.perform_workdays`` working days; overdue, the sweep sends one supervision notice
to the agency's supervising department; performing (recorded, or a withdrawal) ends it."""

import datetime

import pytest
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.models import Notification
from credit_records.models import CreditRecord, CreditRecordEvent, RecordPolicy
from credit_records.services.clients import integration_client_create
from credit_records.services.performance import perform_deadlines_sweep
from credit_records.tasks import perform_deadline_sweep
from integrity_portal.workdays import add_workdays
from tests.agencies.factories import AgencyFactory
from tests.credit_records.test_api import URL, push_body, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def court():
    _client, token = integration_client_create(name="市中级人民法院", source="court")
    return token_client(token)


@pytest.fixture
def supervised(make_staff):
    """An agency under a supervising department that has a handler with an e-mail address."""
    supervisor = AgencyFactory(name="市财政局")
    make_staff(role=StaffRole.HANDLER, agency=supervisor, email="handler@czj.example.cn")
    return AgencyFactory(name="某区住建局", supervisor=supervisor)


def push(client, agency, **overrides):
    response = client.post(URL, push_body(agency, **overrides), format="json")
    assert response.status_code == 201, response.content
    return CreditRecord.objects.get(pk=response.json()["id"])


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_pushed_debtor_and_arrears_records_get_a_deadline_by_working_days(court, supervised):
    debtor = push(court, supervised)
    assert debtor.perform_due_on == add_workdays(timezone.localdate(), 20)
    RecordPolicy.objects.filter(pk=1).update(perform_workdays=5)
    from credit_records.models import record_policy_cache

    record_policy_cache.clear()
    arrears = push(court, supervised, kind="arrears", source_ref="(2026)欠款2号")
    assert arrears.perform_due_on == add_workdays(timezone.localdate(), 5)
    breach = push(court, supervised, kind="breach", source_ref="(2026)违约3号")
    assert breach.perform_due_on is None


def test_an_overdue_record_draws_one_supervision_notice_to_the_supervising_department(
    court, supervised, django_capture_on_commit_callbacks
):
    record = push(court, supervised)
    assert perform_deadlines_sweep(today=record.perform_due_on) == 0  # due today: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert perform_deadlines_sweep(today=record.perform_due_on + datetime.timedelta(1)) == 1
    record.refresh_from_db()
    assert record.perform_supervised_at is not None
    assert record.status == "active"
    event = CreditRecordEvent.objects.get(record=record, action="supervision_notice")
    assert event.data["supervisor"] == supervised.supervisor_id
    notice = Notification.objects.get()
    assert notice.recipient == "handler@czj.example.cn"
    assert supervised.name in notice.subject
    assert record.perform_due_on.isoformat() in notice.body
    # A second run (or a second worker) sends nothing more.
    assert perform_deadlines_sweep(today=record.perform_due_on + datetime.timedelta(5)) == 0
    assert Notification.objects.count() == 1


def test_performing_or_withdrawing_ends_the_deadline(court, supervised):
    performed = push(court, supervised)
    withdrawn = push(court, supervised, source_ref="(2026)皖0302执9号")
    response = court.post(f"{URL}{performed.pk}/perform/", {"note": "已全额支付"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["performed_on"] == timezone.localdate().isoformat()
    assert (
        court.post(
            f"{URL}{withdrawn.pk}/withdraw/", {"reason": "已履行，删除失信名单"}, format="json"
        ).status_code
        == 200
    )
    assert perform_deadlines_sweep(today=later(60)) == 0
    event = CreditRecordEvent.objects.get(record=performed, action="perform")
    assert event.note == "已全额支付"


def test_perform_is_checked(court, supervised, client_for, credit_officer, make_staff):
    record = push(court, supervised)
    url = f"{URL}{record.pk}/perform/"
    _other, token = integration_client_create(name="经信局平台", source="payment_platform")
    assert token_client(token).post(url, {}, format="json").status_code == 403
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=supervised)
    assert client_for(liaison).post(url, {}, format="json").status_code == 403
    future = court.post(url, {"performed_on": later(1).isoformat()}, format="json")
    assert future.status_code == 400
    assert "performed_on" in future.json()
    early = court.post(url, {"performed_on": "2026-05-19"}, format="json")  # decided 05-20
    assert early.status_code == 400 and "performed_on" in early.json()
    record.refresh_from_db()
    assert record.performed_on is None
    assert client_for(credit_officer).post(url, {}, format="json").status_code == 200
    again = court.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_eligible"
    breach = push(court, supervised, kind="breach", source_ref="(2026)违约4号")
    none = court.post(f"{URL}{breach.pk}/perform/", {}, format="json")
    assert none.status_code == 409


def test_the_record_page_shows_the_deadline_and_the_supervision(
    court, supervised, client, credit_officer, make_staff
):
    record = push(court, supervised)
    perform_deadline_sweep.apply(kwargs={})  # nothing due yet: the beat task runs clean
    perform_deadlines_sweep(today=later(60))
    client.force_login(credit_officer)
    page = client.get(f"/console/credit/records/{record.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert record.perform_due_on.isoformat() in text
    assert "已向主管部门发出督办通知" in text
    assert "限期履行督办" in text  # the event in the history
    assert 'name="performed_on"' in text  # the credit office may record performance
    auditor = make_staff(role=StaffRole.AUDITOR, agency=credit_officer.agency)
    client.force_login(auditor)
    view = client.get(f"/console/credit/records/{record.pk}/")
    assert view.status_code == 200 and 'name="performed_on"' not in view.content.decode()
    assert client.post(f"/console/credit/records/{record.pk}/", {}).status_code == 403
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=supervised)
    client.force_login(liaison)
    assert client.get(f"/console/credit/records/{record.pk}/").status_code == 403
    client.force_login(credit_officer)
    response = client.post(
        f"/console/credit/records/{record.pk}/",
        {"performed_on": timezone.localdate().isoformat(), "note": "已纳入预算"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.performed_on == timezone.localdate()


def test_an_agency_without_a_supervising_department_is_supervised_by_the_credit_office(
    court, credit_officer, client, django_capture_on_commit_callbacks
):
    """Seed 002 item 10 (政务诚信牵头部门督导): no supervising department to write to, the
    credit office gets the notice; the record never shows a notice that reached nobody."""
    credit_officer.email = "office@xyb.example.cn"
    credit_officer.save(update_fields=["email"])
    record = push(court, AgencyFactory(name="某独立机构", supervisor=None))
    with django_capture_on_commit_callbacks(execute=True):
        assert perform_deadlines_sweep(today=later(60)) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        "office@xyb.example.cn"
    ]
    client.force_login(credit_officer)
    text = client.get(f"/console/credit/records/{record.pk}/").content.decode()
    assert "无主管部门，已通知信用办督办" in text and "已向主管部门发出督办通知" not in text


def test_the_fallback_notice_goes_to_the_offices_whose_scope_holds_the_agency(
    court, make_staff, django_capture_on_commit_callbacks
):
    """Levels (DESIGN section 13): a county body without a supervising department is followed
    up by its county's credit office and the offices without a region, not by another
    county's."""
    for email, region in (
        ("city@xyb.example.cn", None),
        ("xihu@xyb.example.cn", "330106"),
        ("yuhang@xyb.example.cn", "330110"),
    ):
        make_staff(
            role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=region), email=email
        )
    push(court, AgencyFactory(name="西湖区某独立机构", region_id="330106", supervisor=None))
    with django_capture_on_commit_callbacks(execute=True):
        assert perform_deadlines_sweep(today=later(60)) == 1
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == [
        "city@xyb.example.cn",
        "xihu@xyb.example.cn",
    ]
