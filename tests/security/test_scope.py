"""Objects of another agency are not there (404); a role that may not act gets 403; auditors
read and change nothing (DESIGN sections 9 and 11)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from credit_records.models import Objection
from sanctions.choices import TaskKind
from sanctions.models import Measure, OfficeTask, Repair, Sanction, SanctionRule
from sanctions.services import repair_apply
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.credit_records.factories import CreditRecordFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def eligible_record(agency):
    return CreditRecordFactory(
        agency=agency, repair_eligible_on=timezone.localdate() - datetime.timedelta(days=1)
    )


@pytest.fixture
def world():
    """Two agencies with a record, an objection, a repair and a sanction each side."""
    own, other = AgencyFactory(), AgencyFactory()
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=own)
    other_record = eligible_record(other)
    other_repair = repair_apply(
        record_id=other_record.pk, actor=officer, statement="已履约", commitment=True
    )
    objected = CreditRecordFactory(agency=other)
    other_objection = Objection.objects.create(
        record=objected,
        agency=other,
        filed_by=officer,
        reason="事实有误",
        filed_at=timezone.now(),
        due_on=timezone.localdate(),
    )
    other_sanction = Sanction.objects.create(
        agency=other,
        rule=SanctionRule.objects.first(),
        measure=Measure.objects.first(),
        imposed_at=timezone.now(),
    )
    return {
        "liaison": liaison,
        "officer": officer,
        "own": own,
        "other": other,
        "other_record": other_record,
        "other_repair": other_repair,
        "other_objection": other_objection,
        "other_sanction": other_sanction,
    }


def test_liaison_gets_404_for_every_object_of_another_agency(client_for, world):
    api = client_for(world["liaison"])
    urls = [
        f"/api/v1/credit-records/{world['other_record'].pk}/",
        f"/api/v1/objections/{world['other_objection'].pk}/",
        f"/api/v1/repairs/{world['other_repair'].pk}/",
        f"/api/v1/sanctions/{world['other_sanction'].pk}/",
    ]
    assert {url: api.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    console = logged_in(world["liaison"])
    assert console.get(f"/console/sanctions/repairs/{world['other_repair'].pk}/").status_code == 404


def test_liaison_cannot_object_to_or_repair_another_agencys_record(client_for, world):
    api = client_for(world["liaison"])
    record = world["other_record"]
    objections_before = Objection.objects.count()

    objection = api.post(
        "/api/v1/objections/", {"record": record.pk, "reason": "不服"}, format="json"
    )
    repair = api.post(
        "/api/v1/repairs/",
        {"record": record.pk, "statement": "已整改", "commitment": True},
        format="json",
    )

    assert (objection.status_code, repair.status_code) == (404, 404)
    assert Objection.objects.count() == objections_before
    assert Repair.objects.filter(record=record).count() == 1


def test_liaison_of_another_agency_gets_404_for_its_console_credit_profile(world):
    response = logged_in(world["liaison"]).get(f"/console/agencies/{world['other'].pk}/")

    assert response.status_code == 404


def test_handler_gets_404_for_a_credit_profile_it_determined_no_breach_of(world):
    # A handler may open credit files (the role), but only of agencies whose breach its
    # department determined (the scope): any other is outside its scope.
    handler = StaffFactory(role=StaffRole.HANDLER, agency=world["other"])

    response = logged_in(handler).get(f"/console/agencies/{world['other'].pk}/")

    assert response.status_code == 404


def test_an_auditor_changes_nothing_from_the_console(world):
    auditor = logged_in(StaffFactory(role=StaffRole.AUDITOR))
    repair, objection = world["other_repair"], world["other_objection"]
    task = OfficeTask.objects.create(
        kind=TaskKind.values[0], agency=world["other"], sanction=world["other_sanction"]
    )
    posts = [
        f"/console/sanctions/repairs/{repair.pk}/approve/",
        f"/console/sanctions/repairs/{repair.pk}/reject/",
        f"/console/sanctions/tasks/{task.pk}/done/",
        f"/console/credit/objections/{objection.pk}/uphold/",
        f"/console/credit/objections/{objection.pk}/dismiss/",
    ]
    codes = {url: auditor.post(url, {"note": "x", "reason": "x"}).status_code for url in posts}

    assert codes == dict.fromkeys(posts, 403)
    repair.refresh_from_db()
    objection.refresh_from_db()
    task.refresh_from_db()
    assert repair.status == "pending"
    assert objection.status == "pending"
    assert task.status == "open"
