"""``POST /api/v1/credit-records/{id}/withdraw/`` (DESIGN sections 9 and 13): the client that
pushed a record, or a credit officer, takes it back; the record is revoked with the reason kept
and the reconcile lifts its sanctions."""

import pytest

from agencies.choices import StaffRole
from credit_records.models import CreditRecord
from credit_records.services.clients import integration_client_create
from sanctions.models import Sanction
from tests.credit_records.helpers import breach
from tests.credit_records.test_api import URL, push_body, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def court():
    _client, token = integration_client_create(name="市中级人民法院", source="court")
    return token_client(token)


@pytest.fixture
def pushed(court, agency, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = court.post(URL, push_body(agency), format="json")
    assert response.status_code == 201, response.content
    record = CreditRecord.objects.get(pk=response.json()["id"])
    assert Sanction.objects.filter(agency=agency, status="active").exists()
    return record


def withdraw(client, record, body=None):
    return client.post(
        f"{URL}{record.pk}/withdraw/", body or {"reason": "已履行，法院删除失信名单"}, format="json"
    )


def test_the_pushing_client_withdraws_and_the_sanctions_are_lifted(
    court, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = withdraw(court, pushed)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    event = pushed.events.order_by("-id").first()
    assert (event.action, event.note) == ("withdraw", "已履行，法院删除失信名单")
    assert not Sanction.objects.filter(agency=pushed.agency, status="active").exists()


def test_a_credit_officer_may_withdraw_a_pushed_record(client_for, credit_officer, pushed):
    assert withdraw(client_for(credit_officer), pushed).status_code == 200


@pytest.mark.parametrize("source", ["court", "payment_platform"])
def test_a_client_that_did_not_push_the_record_gets_403_and_nothing_changes(pushed, source):
    _client, token = integration_client_create(name=f"另一系统{source}", source=source)
    response = withdraw(token_client(token), pushed)
    assert response.status_code == 403, response.content
    pushed.refresh_from_db()
    assert pushed.status == "active"


def test_other_roles_get_403(client_for, make_staff, pushed):
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=pushed.agency)
    assert withdraw(client_for(liaison), pushed).status_code == 403
    assert withdraw(client_for(None), pushed).status_code == 401


def test_a_withdrawal_without_a_reason_is_400(court, pushed):
    response = withdraw(court, pushed, {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_withdrawing_twice_is_409(court, pushed):
    assert withdraw(court, pushed).status_code == 200
    response = withdraw(court, pushed)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_record_made_from_a_complaint_is_not_withdrawn_but_reopened(client_for, credit_officer):
    from credit_records.services.ingestion import complaint_events_ingest

    _complaint, event = breach()
    complaint_events_ingest(event_ids=[event.pk])
    record = CreditRecord.objects.get()
    response = withdraw(client_for(credit_officer), record)
    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"
