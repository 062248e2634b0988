import datetime

import pytest
import time_machine

from agencies.choices import StaffRole
from credit_records.choices import Kind, RecordStatus, Severity
from credit_records.models import CreditRecord
from credit_records.services import credit_record_repair
from sanctions.choices import BREACH_MEASURES
from sanctions.models import CreditCheck, Repair, RuleChange, Sanction, SanctionRule
from sanctions.services import agency_sanctions_reconcile
from tests.agencies.factories import AgencyFactory

from .helpers import record

pytestmark = pytest.mark.django_db

RULES = "/api/v1/sanction-rules/"
CHECK = "/api/v1/credit-check/"
REPAIRS = "/api/v1/repairs/"


@pytest.fixture
def sanctioned(agency):
    rec = record(agency, kind=Kind.BREACH, severity=Severity.GENERAL)
    agency_sanctions_reconcile(agency.pk)
    return rec


# --- rules ---------------------------------------------------------------------------------


def test_staff_read_rules_but_anonymous_may_not(client_for, make_staff):
    assert client_for(None).get(RULES).status_code in (401, 403)
    response = client_for(make_staff(role=StaffRole.HANDLER)).get(RULES)
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert "awards" in response.json()["results"][0]["measures"]


def test_credit_officer_creates_a_rule_logged_and_reconciled(
    client_for, credit_officer, agency, django_capture_on_commit_callbacks
):
    record(agency, kind=Kind.POLICY_UNFULFILLED, severity=Severity.GENERAL)
    body = {"name": "政策未兑现", "kinds": ["policy_unfulfilled"], "measures": ["awards"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(credit_officer).post(RULES, body, format="json")
    assert response.status_code == 201, response.content
    rule = SanctionRule.objects.get(pk=response.json()["id"])
    assert RuleChange.objects.filter(rule=rule, action="create", actor=credit_officer).exists()
    assert Sanction.objects.filter(agency=agency, rule=rule, measure_id="awards").exists()


def test_editing_a_rule_logs_before_and_after_and_lifts_as_rule_changed(
    client_for, credit_officer, agency, sanctioned, django_capture_on_commit_callbacks
):
    rule = SanctionRule.objects.get(name="存在失信记录")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(credit_officer).patch(
            f"{RULES}{rule.pk}/", {"measures": ["awards"]}, format="json"
        )
    assert response.status_code == 200, response.content
    change = RuleChange.objects.get(rule=rule, action="update")
    assert change.before["measures"] == sorted(BREACH_MEASURES)
    assert change.after["measures"] == ["awards"]
    active = Sanction.objects.filter(agency=agency, rule=rule, status="active")
    assert list(active.values_list("measure_id", flat=True)) == ["awards"]
    assert set(Sanction.objects.filter(status="lifted").values_list("lift_reason", flat=True)) == {
        "rule_changed"
    }


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "kinds": ["breach"], "measures": ["no_such_measure"]},
        {"name": "x", "kinds": ["no_such_kind"], "measures": ["awards"]},
        {"name": "x", "kinds": ["promise_kept"], "measures": ["awards"]},
        {"name": "x", "kinds": ["breach"], "measures": []},
        {"name": "x", "kinds": ["breach"], "min_severity": "huge", "measures": ["awards"]},
        {"name": "x", "kinds": ["breach"], "min_count": 0, "measures": ["awards"]},
    ],
    ids=["unknown-measure", "unknown-kind", "positive-kind", "no-measure", "severity", "count"],
)
def test_rule_with_bad_input_is_400_and_stores_nothing(client_for, credit_officer, body):
    response = client_for(credit_officer).post(RULES, body, format="json")
    assert response.status_code == 400
    assert SanctionRule.objects.count() == 5
    assert not RuleChange.objects.exists()


def test_only_the_credit_office_edits_rules(client_for, make_staff):
    rule = SanctionRule.objects.first()
    for role in (StaffRole.HANDLER, StaffRole.AUDITOR, StaffRole.AGENCY_LIAISON):
        client = client_for(make_staff(role=role))
        assert client.patch(f"{RULES}{rule.pk}/", {"name": "x"}, format="json").status_code == 403
    assert SanctionRule.objects.get(pk=rule.pk).name != "x"


# --- sanctions list ------------------------------------------------------------------------


def test_sanction_list_has_the_contract_fields_and_filters(
    client_for, credit_officer, agency, sanctioned, django_assert_max_num_queries
):
    client = client_for(credit_officer)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/sanctions/", {"agency": agency.pk, "status": "active"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(BREACH_MEASURES)
    item = body["results"][0]
    for key in (
        "id",
        "agency",
        "measure",
        "rule",
        "status",
        "imposed_at",
        "lifted_at",
        "lift_reason",
        "basis_records",
    ):
        assert key in item
    assert item["basis_records"] == [sanctioned.pk]
    only = client.get("/api/v1/sanctions/", {"measure": "awards"}).json()
    assert [i["measure"] for i in only["results"]] == ["awards"]
    assert client.get("/api/v1/sanctions/", {"status": "lifted"}).json()["count"] == 0


def test_liaison_sees_only_its_agency_sanctions(client_for, make_staff, agency, sanctioned):
    other = make_staff(role=StaffRole.AGENCY_LIAISON)
    assert client_for(other).get("/api/v1/sanctions/").json()["count"] == 0
    own = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    assert client_for(own).get("/api/v1/sanctions/").json()["count"] == len(BREACH_MEASURES)


# --- credit check --------------------------------------------------------------------------


def test_credit_check_answers_restricted_with_the_basis_and_logs_it(
    client_for, make_staff, agency, sanctioned
):
    officer = make_staff(role=StaffRole.HANDLER)
    response = client_for(officer).get(
        CHECK, {"agency": agency.pk, "measure": "special_bonds", "purpose": "专项债券申报审核"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["agency"] == agency.pk and body["measure"] == "special_bonds"
    assert body["restricted"] is True
    assert body["sanctions"][0]["basis_records"] == [sanctioned.pk]
    log = CreditCheck.objects.get()
    assert (log.checked_by, log.purpose, log.restricted) == (officer, "专项债券申报审核", True)


def test_credit_check_by_uscc_for_a_free_measure_says_not_restricted(
    client_for, credit_officer, agency, sanctioned
):
    response = client_for(credit_officer).get(
        CHECK, {"uscc": agency.uscc, "measure": "office_space", "purpose": "办公用房调配"}
    )
    assert response.status_code == 200
    assert response.json()["restricted"] is False
    assert response.json()["sanctions"] == []


def test_credit_check_cache_is_cleared_by_the_reconcile(
    client_for, credit_officer, agency, sanctioned, django_capture_on_commit_callbacks
):
    client = client_for(credit_officer)
    query = {"agency": agency.pk, "measure": "awards", "purpose": "年度评优"}
    assert client.get(CHECK, query).json()["restricted"] is True  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        credit_record_repair(record_id=sanctioned.pk)  # → signal → reconcile → invalidate

    assert client.get(CHECK, query).json()["restricted"] is False
    assert CreditCheck.objects.count() == 2


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"agency": 999999, "measure": "awards", "purpose": "评优"}, 404),
        ({"uscc": "91330106MA27XXXX0X", "measure": "awards", "purpose": "评优"}, 404),
        ({"agency": "AGENCY", "measure": "awards", "purpose": "评优"}, 400),
        ({"measure": "no_such_measure", "purpose": "评优"}, 400),
        ({"measure": "awards"}, 400),
        ({"measure": "awards", "purpose": "   "}, 400),
        ({"purpose": "评优"}, 400),
    ],
    ids=[
        "unknown-agency",
        "unknown-uscc",
        "bad-id",
        "unknown-measure",
        "no-purpose",
        "blank-purpose",
        "no-measure",
    ],
)
def test_credit_check_bad_input_is_refused_and_not_logged(
    client_for, credit_officer, agency, query, status
):
    query = {"agency": agency.pk, **query} if "uscc" not in query else query
    assert client_for(credit_officer).get(CHECK, query).status_code == status
    assert not CreditCheck.objects.exists()


def test_credit_check_answers_json_whatever_the_accept_header(client_for, make_staff, agency):
    query = {"agency": agency.pk, "measure": "awards", "purpose": "评优"}
    client = client_for(make_staff(role=StaffRole.HANDLER))
    for accept in ("text/html", "application/xml", "*/*"):
        response = client.get(CHECK, query, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/json"
        assert response.json()["restricted"] is False
    bad = client.get(CHECK, {"agency": agency.pk, "measure": "awards"}, HTTP_ACCEPT="text/html")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert "purpose" in bad.json()


def test_credit_check_is_staff_only_and_not_for_liaisons(client_for, make_staff, agency):
    query = {"agency": agency.pk, "measure": "awards", "purpose": "评优"}
    assert client_for(None).get(CHECK, query).status_code in (401, 403)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON)
    assert client_for(liaison).get(CHECK, query).status_code == 403
    for role in (StaffRole.AUDITOR, StaffRole.INTAKE_CLERK, StaffRole.HANDLER):
        assert client_for(make_staff(role=role)).get(CHECK, query).status_code == 200


def test_agency_credit_profile_shows_active_sanctions_and_restricted_measures(
    client_for, agency, sanctioned
):
    body = client_for(None).get(f"/api/v1/agencies/{agency.pk}/credit/").json()
    assert body["restricted_measures"] == sorted(BREACH_MEASURES)
    assert {s["measure"] for s in body["active_sanctions"]} == set(BREACH_MEASURES)
    assert all(s["measure_label"] for s in body["active_sanctions"])


# --- repairs -------------------------------------------------------------------------------


def apply_body(rec, **overrides):
    return {
        "record": rec.pk,
        "statement": "已足额支付工程款及利息",
        "commitment": True,
        "evidence_note": "银行转账凭证",
        **overrides,
    }


AFTER_MINIMUM = datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC)  # record of 2026-06-01


def test_liaison_applies_for_repair_after_the_minimum_period(client_for, make_staff, agency):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        response = client_for(liaison).post(REPAIRS, apply_body(rec), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["needs_confirmation"] is False
    assert body["due_on"] == "2026-09-16"  # 10 working days


@pytest.mark.parametrize(
    ("when", "prepare", "reason"),
    [
        (
            datetime.datetime(2026, 8, 1, 10, tzinfo=datetime.UTC),
            None,
            "minimum_publicity_not_reached",
        ),
        (AFTER_MINIMUM, "repaired", "record_not_active"),
        (AFTER_MINIMUM, "pending", "repair_pending"),
    ],
    ids=["before-minimum", "not-active", "already-pending"],
)
def test_repair_not_eligible_is_409_with_a_specific_reason(
    client_for, make_staff, agency, when, prepare, reason
):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    client = client_for(liaison)
    with time_machine.travel(when, tick=False):
        if prepare == "repaired":
            credit_record_repair(record_id=rec.pk)
        if prepare == "pending":
            assert client.post(REPAIRS, apply_body(rec), format="json").status_code == 201
        before = Repair.objects.count()
        response = client.post(REPAIRS, apply_body(rec), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"
    assert response.json()["reason"] == reason
    assert Repair.objects.count() == before


@pytest.mark.parametrize(
    "overrides",
    [{"commitment": False}, {"commitment": None}, {"statement": ""}, {"record": "x"}],
    ids=["commitment-false", "commitment-missing", "no-statement", "bad-record"],
)
def test_repair_bad_body_is_400_and_stores_nothing(client_for, make_staff, agency, overrides):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    body = {k: v for k, v in apply_body(rec, **overrides).items() if v is not None}
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        response = client_for(liaison).post(REPAIRS, body, format="json")
    assert response.status_code == 400
    assert not Repair.objects.exists()


def test_another_agency_liaison_gets_404_and_other_roles_403(client_for, make_staff, agency):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        other = make_staff(role=StaffRole.AGENCY_LIAISON)
        assert client_for(other).post(REPAIRS, apply_body(rec), format="json").status_code == 404
        handler = make_staff(role=StaffRole.HANDLER, agency=agency)
        assert client_for(handler).post(REPAIRS, apply_body(rec), format="json").status_code == 403
    assert not Repair.objects.exists()


def test_pushed_record_repair_is_approved_directly_and_approving_twice_is_409(
    client_for, make_staff, credit_officer, agency, django_capture_on_commit_callbacks
):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    agency_sanctions_reconcile(agency.pk)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency, email="l@example.invalid")
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        repair_id = client_for(liaison).post(REPAIRS, apply_body(rec), format="json").json()["id"]
        officer = client_for(credit_officer)
        confirm = officer.post(f"{REPAIRS}{repair_id}/confirm/")
        assert confirm.status_code == 409  # a pushed record has no performance to confirm
        assert confirm.json()["reason"] == "no_confirmation_needed"
        assert client_for(liaison).post(f"{REPAIRS}{repair_id}/approve/").status_code == 403
        with django_capture_on_commit_callbacks(execute=True):
            response = officer.post(f"{REPAIRS}{repair_id}/approve/", {"note": "同意"})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "approved"
        again = officer.post(f"{REPAIRS}{repair_id}/approve/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert CreditRecord.objects.get(pk=rec.pk).status == RecordStatus.REPAIRED
    assert not Sanction.objects.filter(agency=agency, status="active").exists()
    from complaints.models import Notification

    assert Notification.objects.filter(recipient="l@example.invalid").exists()


def test_reject_needs_a_reason_and_leaves_the_record_active(
    client_for, make_staff, credit_officer, agency
):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        repair_id = client_for(liaison).post(REPAIRS, apply_body(rec), format="json").json()["id"]
        officer = client_for(credit_officer)
        assert officer.post(f"{REPAIRS}{repair_id}/reject/", {}).status_code == 400
        response = officer.post(f"{REPAIRS}{repair_id}/reject/", {"reason": "未提供付款凭证"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert CreditRecord.objects.get(pk=rec.pk).status == RecordStatus.ACTIVE


def test_repair_list_is_scoped(client_for, make_staff, credit_officer, agency):
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(AFTER_MINIMUM, tick=False):
        client_for(liaison).post(REPAIRS, apply_body(rec), format="json")
    assert client_for(liaison).get(REPAIRS).json()["count"] == 1
    assert client_for(credit_officer).get(REPAIRS).json()["count"] == 1
    outsider = make_staff(role=StaffRole.AGENCY_LIAISON, agency=AgencyFactory())
    assert client_for(outsider).get(REPAIRS).json()["count"] == 0
    handler = make_staff(role=StaffRole.HANDLER)
    assert client_for(handler).get(REPAIRS).json()["count"] == 0


def test_credit_check_costs_a_fixed_few_queries_and_a_cached_state(
    make_staff, agency, sanctioned, django_assert_max_num_queries
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    officer = make_staff(role=StaffRole.HANDLER)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    query = {"agency": agency.pk, "measure": "awards", "purpose": "评优"}
    client.get(CHECK, query)  # fills the cache
    # token + user, agency lookup, the log row: the sanction state comes from the cache.
    with django_assert_max_num_queries(3):
        assert client.get(CHECK, query).json()["restricted"] is True
