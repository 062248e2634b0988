import datetime
import re

import pytest
import time_machine
from django.test import Client

from agencies.choices import StaffRole
from complaints.models import Complaint
from credit_records.choices import Kind, Severity
from credit_records.services import credit_record_revoke
from sanctions.choices import TaskKind
from sanctions.models import CreditCheck, OfficeTask, Repair, RuleChange, SanctionRule, TypicalCase
from sanctions.services import agency_sanctions_reconcile, repair_apply
from sanctions.tasks import repair_deadline_sweep
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory

from .helpers import record

pytestmark = pytest.mark.django_db


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_console_credit_check_answers_yes_with_the_basis_and_logs(make_staff, agency):
    rec = record(agency, kind=Kind.BREACH, facts="拒不支付校舍维修工程款")
    agency_sanctions_reconcile(agency.pk)
    officer = make_staff(role=StaffRole.HANDLER)
    page = browser(officer).get(
        "/console/sanctions/check/",
        {"agency": agency.pk, "measure": "awards", "purpose": "年度评优评先"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-restricted="true"' in html
    assert "拒不支付校舍维修工程款" in html
    log = CreditCheck.objects.get()
    assert (log.checked_by, log.restricted, log.purpose) == (officer, True, "年度评优评先")
    assert rec.sanctions.filter(pk__in=log.sanction_ids).exists()

    free = browser(officer).get(
        "/console/sanctions/check/",
        {"uscc": agency.uscc, "measure": "office_space", "purpose": "办公用房"},
    )
    assert 'data-restricted="false"' in free.content.decode()


def test_console_credit_check_is_refused_to_liaisons_and_anonymous(make_staff):
    assert Client().get("/console/sanctions/check/").status_code == 302
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON)
    assert browser(liaison).get("/console/sanctions/check/").status_code == 403


def test_notice_task_has_a_printable_notice(credit_officer, agency):
    record(agency, kind=Kind.DISHONEST_DEBTOR, facts="被人民法院列为失信被执行人")
    agency_sanctions_reconcile(agency.pk)
    task = OfficeTask.objects.get(kind=TaskKind.LEADER_INTERVIEW)
    client = browser(credit_officer)
    assert agency.name in client.get("/console/sanctions/tasks/").content.decode()
    notice = client.get(f"/console/sanctions/tasks/{task.pk}/notice/")
    assert notice.status_code == 200
    html = notice.content.decode()
    assert "约谈通知书" in html and agency.name in html and "被人民法院列为失信被执行人" in html
    assert client.post(f"/console/sanctions/tasks/{task.pk}/done/").status_code == 302
    assert OfficeTask.objects.get(pk=task.pk).status == "done"


def test_tasks_are_for_the_credit_office(make_staff):
    handler = make_staff(role=StaffRole.HANDLER)
    assert browser(handler).get("/console/sanctions/tasks/").status_code == 403


def test_overdue_repair_is_shown_and_swept_into_a_task(make_staff, credit_officer, agency):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC), tick=False):
        repair = repair_apply(record_id=rec.pk, actor=liaison, statement="已支付", commitment=True)
    assert repair.due_on == datetime.date(2026, 9, 16)
    with time_machine.travel(datetime.datetime(2026, 9, 18, 10, tzinfo=datetime.UTC), tick=False):
        assert repair_deadline_sweep() == 1
        assert repair_deadline_sweep() == 0
        page = browser(credit_officer).get("/console/sanctions/repairs/").content.decode()
    assert "已超期" in page
    assert OfficeTask.objects.filter(kind=TaskKind.REPAIR_OVERDUE, repair=repair).exists()


def test_console_repair_confirm_and_approve_forms(make_staff, credit_officer):
    complaint = ComplaintFactory()
    complaint = Complaint.objects.get(pk=complaint.pk)
    rec = record(
        complaint.respondent_agency, decided_on=datetime.date(2026, 6, 1), complaint=complaint
    )
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=complaint.respondent_agency)
    handler = make_staff(role=StaffRole.HANDLER, agency=complaint.handling_agency)
    with time_machine.travel(datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC), tick=False):
        repair = repair_apply(record_id=rec.pk, actor=liaison, statement="已付", commitment=True)
        page = browser(handler).get(f"/console/sanctions/repairs/{repair.pk}/").content.decode()
        assert "确认已履约" in page
        browser(handler).post(f"/console/sanctions/repairs/{repair.pk}/confirm/", {"note": "属实"})
        assert Repair.objects.get(pk=repair.pk).status == "confirmed"
        approve = f"/console/sanctions/repairs/{repair.pk}/approve/"
        assert 'id="confirm"' in browser(credit_officer).post(approve, {}).content.decode()
        browser(credit_officer).post(approve, {"confirmed": "1"})
    assert Repair.objects.get(pk=repair.pk).status == "approved"
    outsider = make_staff(role=StaffRole.HANDLER)
    assert browser(outsider).get(f"/console/sanctions/repairs/{repair.pk}/").status_code == 404


# --- typical cases -------------------------------------------------------------------------


def test_credit_office_marks_a_serious_case_and_the_public_page_hides_the_complainant(
    client_for, credit_officer
):
    complaint = ComplaintFactory()
    rec = record(complaint.respondent_agency, severity=Severity.SERIOUS, complaint=complaint)
    body = {
        "record": rec.pk,
        "title": "某区城市管理局拖欠工程款拒不整改案",
        "facts": "该局与一家民营建筑企业签订施工合同后，验收合格仍拒不支付工程款。",
        "outcome": "认定为严重失信，实施通报、约谈和曝光。",
    }
    response = client_for(credit_officer).post("/api/v1/typical-cases/", body, format="json")
    assert response.status_code == 201, response.content
    page = Client().get("/typical-cases/")
    html = page.content.decode()
    assert page.status_code == 200
    assert body["title"] in html and complaint.respondent_agency.name in html
    assert complaint.complainant_name not in html and complaint.contact_phone not in html
    assert complaint.reference not in html


@pytest.mark.parametrize(
    ("severity", "leak", "status"),
    [(Severity.GENERAL, False, 409), (Severity.SERIOUS, True, 400)],
    ids=["not-serious-nor-repeated", "names-the-complainant"],
)
def test_typical_case_refusals_store_nothing(client_for, credit_officer, severity, leak, status):
    complaint = ComplaintFactory()
    rec = record(complaint.respondent_agency, severity=severity, complaint=complaint)
    facts = f"投诉人{complaint.complainant_name}反映" if leak else "拒不支付工程款"
    body = {"record": rec.pk, "title": "案例", "facts": facts, "outcome": "通报"}
    assert (
        client_for(credit_officer).post("/api/v1/typical-cases/", body, format="json").status_code
        == status
    )
    assert not TypicalCase.objects.exists()


def test_only_the_credit_office_marks_typical_cases(client_for, make_staff):
    rec = record(AgencyFactory(), severity=Severity.SERIOUS)
    body = {"record": rec.pk, "title": "案例", "facts": "事实", "outcome": "通报"}
    handler = make_staff(role=StaffRole.HANDLER)
    assert (
        client_for(handler).post("/api/v1/typical-cases/", body, format="json").status_code == 403
    )


def _typical(client, rec, **extra):
    body = {"record": rec.pk, "title": "案例", "facts": "拒不支付工程款", "outcome": "通报"}
    return client.post("/api/v1/typical-cases/", {**body, **extra}, format="json")


def test_the_third_ground_a_credit_officers_reason_is_kept_with_an_event(
    client_for, credit_officer
):
    """Seed 004 三(三) 人民群众反映强烈: a general, single record with few complaints qualifies
    when the credit officer writes why; the reason is kept and the record's history says so."""
    from credit_records.models import CreditRecordEvent

    rec = record(AgencyFactory(), severity=Severity.GENERAL)
    officer = client_for(credit_officer)
    refused = _typical(officer, rec)
    assert refused.status_code == 409 and "理由" in refused.json()["detail"]
    reason = "当地媒体连续报道，企业联名反映"
    response = _typical(officer, rec, concern_reason=f"  {reason} ")
    assert response.status_code == 201, response.content
    assert response.json()["ground"] == "public_concern_reason"
    assert TypicalCase.objects.get().concern_reason == reason
    event = CreditRecordEvent.objects.get(record=rec, action="typical_case")
    assert (event.note, event.actor_id) == (reason, credit_officer.pk)
    assert event.data["ground"] == "public_concern_reason"


def test_the_third_ground_by_the_complaint_count_the_office_sets(client_for, credit_officer):
    from credit_records.models import RecordPolicy, record_policy_cache

    agency = AgencyFactory()
    rec = record(agency, severity=Severity.GENERAL)
    ComplaintFactory(respondent_agency=agency)
    ComplaintFactory(respondent_agency=agency)
    assert _typical(client_for(credit_officer), rec).status_code == 409  # 2 < 5 (default)
    RecordPolicy.objects.filter(pk=1).update(public_concern_complaints=2)
    record_policy_cache.clear()
    response = _typical(client_for(credit_officer), rec)
    assert response.status_code == 201, response.content
    assert response.json()["ground"] == "public_concern_complaints"


def test_a_revoked_record_is_never_a_repeat_nor_a_typical_case(client_for, credit_officer):
    agency = AgencyFactory()
    rec = record(agency, severity=Severity.GENERAL)
    revoked = record(agency, severity=Severity.GENERAL)
    credit_record_revoke(record_id=revoked.pk, reason="认定依据撤销")
    officer = client_for(credit_officer)
    assert _typical(officer, rec).status_code == 409  # one record in force: not repeated
    assert _typical(officer, revoked, concern_reason="群众反映强烈").status_code == 409
    record(agency, severity=Severity.GENERAL)  # a second record in force: repeated
    response = _typical(officer, rec)
    assert response.status_code == 201 and response.json()["ground"] == "repeated"


# --- profile pages and admin ---------------------------------------------------------------


def test_public_and_console_profiles_show_active_sanctions(credit_officer, agency):
    record(agency, kind=Kind.ARREARS)
    agency_sanctions_reconcile(agency.pk)
    public = Client().get(f"/credit/agencies/{agency.pk}/").content.decode()
    # The restricted measures by their labels, never their codes (in the text the reader sees;
    # a data attribute may carry the code for scripts and tests).
    text = re.sub(r"<[^>]*>", " ", public)
    assert "公务消费" in text and "office_space" not in text


def test_admin_rule_edit_goes_through_the_service(superuser):
    rule = SanctionRule.objects.get(kinds=["arrears"])
    client = browser(superuser)
    response = client.post(
        f"/admin/sanctions/sanctionrule/{rule.pk}/change/",
        {
            "name": rule.name,
            "kinds": '["arrears"]',
            "min_severity": "",
            "min_count": 1,
            "window_months": "",
            "measures": ["awards"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(SanctionRule.objects.get(pk=rule.pk).measures.values_list("pk", flat=True)) == [
        "awards"
    ]
    assert RuleChange.objects.filter(rule=rule, actor=superuser).exists()
