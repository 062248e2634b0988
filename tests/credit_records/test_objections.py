import datetime

import pytest
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from credit_records.models import CreditRecord, CreditRecordEvent, Objection
from tests.agencies.factories import AgencyFactory

from .factories import CreditRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_agency():
    return AgencyFactory(name="某区住建局")


@pytest.fixture
def liaison(make_staff, alice_agency):
    return make_staff(role=StaffRole.AGENCY_LIAISON, agency=alice_agency)


@pytest.fixture
def record(alice_agency):
    return CreditRecordFactory(agency=alice_agency)


def file(client, record_obj, /, **extra):
    return client.post(
        "/api/v1/objections/",
        {
            "record": record_obj.pk,
            "reason": "该款项已于认定前支付",
            "evidence_note": "银行回单",
            **extra,
        },
        format="json",
    )


def test_liaison_files_an_objection_and_the_record_shows_under_objection(
    client_for, liaison, record, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 9, 28, 10, 0, tzinfo=datetime.UTC))
    response = file(client_for(liaison), record)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    # 10 working days from Monday 2026-09-28: the National Day holiday (Oct 1–7) is skipped
    # and Saturday Oct 10 is an adjusted working day (调休).
    assert body["due_on"] == "2026-10-16"
    record.refresh_from_db()
    assert record.status == "under_objection"
    assert record.events.last().action == "file_objection"


def test_credit_officer_upholds_and_the_record_is_revoked(
    client_for, liaison, record, credit_officer
):
    objection_id = file(client_for(liaison), record).json()["id"]
    response = client_for(credit_officer).post(
        f"/api/v1/objections/{objection_id}/uphold/", {"note": "证据充分"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "upheld"
    record.refresh_from_db()
    assert record.status == "revoked"
    assert list(record.events.values_list("action", flat=True)) == [
        "file_objection",
        "uphold_objection",
    ]


def test_credit_officer_dismisses_and_the_record_is_active_again(
    client_for, liaison, record, credit_officer
):
    objection_id = file(client_for(liaison), record).json()["id"]
    response = client_for(credit_officer).post(f"/api/v1/objections/{objection_id}/dismiss/")
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == "active"
    again = client_for(credit_officer).post(f"/api/v1/objections/{objection_id}/uphold/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    record.refresh_from_db()
    assert record.status == "active"


def test_objection_on_another_agencys_record_is_404_and_changes_nothing(client_for, liaison):
    theirs = CreditRecordFactory()
    assert file(client_for(liaison), theirs).status_code == 404
    assert not Objection.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == "active"


@pytest.mark.parametrize("status", ["under_objection", "revoked", "expired", "repaired"])
def test_objection_on_a_record_not_active_is_409(client_for, liaison, alice_agency, status):
    record = CreditRecordFactory(agency=alice_agency, status=status)
    response = file(client_for(liaison), record)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not Objection.objects.exists()
    assert not CreditRecordEvent.objects.exists()


def test_second_objection_while_one_is_pending_is_409(client_for, liaison, record):
    assert file(client_for(liaison), record).status_code == 201
    assert file(client_for(liaison), record).status_code == 409
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("role", [StaffRole.CREDIT_OFFICER, StaffRole.HANDLER, StaffRole.AUDITOR])
def test_only_a_liaison_files_objections(client_for, make_staff, alice_agency, record, role):
    user = make_staff(role=role, agency=alice_agency)
    assert file(client_for(user), record).status_code == 403
    assert file(APIClient(), record).status_code == 401
    assert not Objection.objects.exists()


@pytest.mark.parametrize("body", [{"reason": ""}, {"record": "x"}])
def test_bad_objection_input_is_400(client_for, liaison, record, body):
    response = file(client_for(liaison), record, **body)
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_liaison_and_auditor_may_not_decide(client_for, liaison, record, make_staff):
    objection_id = file(client_for(liaison), record).json()["id"]
    auditor = make_staff(role=StaffRole.AUDITOR)
    for user in (liaison, auditor):
        response = client_for(user).post(f"/api/v1/objections/{objection_id}/uphold/")
        assert response.status_code == 403
    assert CreditRecord.objects.get().status == "under_objection"


def test_liaison_sees_only_own_agencys_objections(client_for, liaison, record, make_staff):
    file(client_for(liaison), record)
    outsider = make_staff(role=StaffRole.AGENCY_LIAISON)
    assert client_for(outsider).get("/api/v1/objections/").json()["count"] == 0
    assert client_for(liaison).get("/api/v1/objections/").json()["count"] == 1
