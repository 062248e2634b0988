"""Complaint → breach → record → sanctions → credit check restricted → repair applied, confirmed
by the department that determined the breach, approved → sanctions lifted → credit check free.

Run twice: embedded (tasks in-process, on-commit callbacks executed) and with PostgreSQL, Redis
and a real ``celery worker`` process. Everything goes through the real services and the API; only
the clock is moved (time-machine) to pass the minimum publicity period of a general record.
"""

import datetime
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from complaints.models import Notification
from complaints.services import workflow
from complaints.services.intake import complaint_submit
from credit_records.choices import Kind, RecordStatus
from credit_records.models import CreditRecord
from credit_records.tasks import sweep_complaint_events
from sanctions.choices import BREACH_MEASURES, LiftReason, SanctionStatus
from sanctions.models import CreditCheck, Sanction
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
DETERMINED_AT = datetime.datetime(2026, 5, 6, 10, 0, tzinfo=SHANGHAI)
BEFORE_MINIMUM = datetime.datetime(2026, 7, 6, 10, 0, tzinfo=SHANGHAI)
AFTER_MINIMUM = datetime.datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI)


def client(user):
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def check(user, agency, measure="special_bonds"):
    response = client(user).get(
        "/api/v1/credit-check/",
        {"agency": agency.pk, "measure": measure, "purpose": "地方政府专项债券申报前核查"},
    )
    assert response.status_code == 200, response.content
    return response.json()


def active(agency):
    return sorted(
        Sanction.objects.filter(agency=agency, status=SanctionStatus.ACTIVE).values_list(
            "measure_id", flat=True
        )
    )


def run_scenario(step, settle):
    """``step()`` wraps each action (embedded: runs on-commit callbacks); ``settle(what,
    condition)`` waits for asynchronous effects (embedded: they are already there)."""
    supervisor = AgencyFactory(name="市住房和城乡建设局")
    respondent = AgencyFactory(name="某区城市管理局", supervisor=supervisor)
    handler = StaffFactory(role=StaffRole.HANDLER, agency=supervisor)
    liaison = StaffFactory(
        role=StaffRole.AGENCY_LIAISON, agency=respondent, email="liaison@example.invalid"
    )
    other_handler = StaffFactory(role=StaffRole.HANDLER, agency=AgencyFactory(name="市财政局"))
    credit_officer = StaffFactory(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory())
    funding_officer = StaffFactory(role=StaffRole.HANDLER, agency=AgencyFactory(name="市发改委"))

    with time_machine.travel(DETERMINED_AT, tick=False):
        with step():
            complaint, _code = complaint_submit(
                data=complaint_data(respondent_agency=respondent, domain="procurement")
            )
        assert complaint.handling_agency_id == supervisor.pk
        with step():
            workflow.complaint_accept(complaint=complaint, actor=handler)
        with step():
            workflow.complaint_find_founded(
                complaint=complaint, actor=handler, note="合同约定的工程款确未支付"
            )
        with step():
            workflow.complaint_determine_breach(
                complaint=complaint,
                actor=handler,
                severity="general",
                facts="逾期未支付工程款，经督促仍拒不整改",
            )

    record = settle(
        "the breach record",
        lambda: CreditRecord.objects.filter(complaint=complaint, kind=Kind.BREACH).first(),
    )
    assert record.agency_id == respondent.pk
    assert record.repair_eligible_on == datetime.date(2026, 8, 6)
    settle("the breach sanctions", lambda: active(respondent) == sorted(BREACH_MEASURES))
    assert check(funding_officer, respondent)["restricted"] is True
    assert check(funding_officer, respondent, "office_space")["restricted"] is False

    repairs = "/api/v1/repairs/"
    body = {
        "record": record.pk,
        "statement": "已足额支付工程款及逾期利息",
        "commitment": True,
        "evidence_note": "银行回单",
    }
    with time_machine.travel(BEFORE_MINIMUM, tick=False):
        early = client(liaison).post(repairs, body, format="json")
    assert early.status_code == 409
    assert early.json()["reason"] == "minimum_publicity_not_reached"

    with time_machine.travel(AFTER_MINIMUM, tick=False):
        with step():
            applied = client(liaison).post(repairs, body, format="json")
        assert applied.status_code == 201, applied.content
        repair = applied.json()
        assert repair["status"] == "pending" and repair["needs_confirmation"] is True
        assert repair["confirming_agency"] == supervisor.pk
        url = f"{repairs}{repair['id']}/"

        premature = client(credit_officer).post(url + "approve/")
        assert premature.status_code == 409
        assert client(other_handler).post(url + "confirm/").status_code == 404
        assert client(liaison).post(url + "confirm/").status_code == 403
        with step():
            confirmed = client(handler).post(url + "confirm/", {"note": "经核实已履约"})
        assert confirmed.status_code == 200, confirmed.content
        assert confirmed.json()["status"] == "confirmed"
        with step():
            approved = client(credit_officer).post(url + "approve/", {"note": "同意修复"})
        assert approved.status_code == 200, approved.content
        assert approved.json()["status"] == "approved"
        assert client(credit_officer).post(url + "approve/").status_code == 409

    settle("the sanctions to lift", lambda: active(respondent) == [])
    record.refresh_from_db()
    assert record.status == RecordStatus.REPAIRED and not record.is_published
    lifted = Sanction.objects.filter(agency=respondent)
    assert set(lifted.values_list("lift_reason", flat=True)) == {LiftReason.REPAIRED}
    settle(
        "the credit check to answer free",
        lambda: check(funding_officer, respondent)["restricted"] is False,
    )
    assert CreditCheck.objects.filter(agency=respondent, restricted=True).exists()
    assert Notification.objects.filter(complaint=complaint, template="record_repaired").exists()
    assert Notification.objects.filter(recipient="liaison@example.invalid").exists()


@pytest.mark.django_db
def test_end_to_end_embedded(eager_tasks, django_capture_on_commit_callbacks):
    @contextmanager
    def step():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    def settle(what, condition):
        value = condition()
        assert value, f"{what} not there when the request returned"
        return value

    run_scenario(step, settle)


@pytest.mark.postgres
@pytest.mark.redis
def test_end_to_end_with_postgres_redis_and_a_real_worker(celery_worker_process):
    @contextmanager
    def step():
        yield  # real commits: on-commit hooks publish to Redis, the worker consumes

    def settle(what, condition):
        # The scenario is dated in the past (time_machine), so its outcome events are older
        # than the on-commit drain's one-hour horizon: the beat's sweep ingests them, as it does
        # after a worker outage. (The drain itself is proven in a real worker in
        # test_celery_worker.py.)
        sweep_complaint_events.delay()
        return celery_worker_process.wait_for(condition, what=what, timeout=60)

    run_scenario(step, settle)
