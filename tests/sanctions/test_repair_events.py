"""The repair event log is append-only in the database as well as in the ORM: PostgreSQL
refuses an UPDATE or a DELETE with a clear error (migration 0006), while applying for and
deciding a repair go on writing its events."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from agencies.choices import StaffRole
from sanctions.models import RepairEvent
from sanctions.services import repair_apply
from sanctions.services.repairs import repair_reject

from .helpers import record

pytestmark = pytest.mark.django_db

TABLE = RepairEvent._meta.db_table


def repair_with_events(agency, make_staff, credit_officer):
    """Applied for, then rejected: two events, written by the services with the trigger in
    place."""
    rec = record(agency, decided_on=datetime.date(2026, 6, 1))
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    with time_machine.travel(datetime.datetime(2026, 9, 2, 10, tzinfo=datetime.UTC), tick=False):
        repair = repair_apply(record_id=rec.pk, actor=liaison, statement="已支付", commitment=True)
        repair_reject(repair_id=repair.pk, actor=credit_officer, reason="证明材料不足")
    assert list(repair.events.order_by("pk").values_list("action", flat=True)) == [
        "apply",
        "reject",
    ]
    return repair


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("operation", "statement"),
    [("UPDATE", "UPDATE {table} SET note = 'x'"), ("DELETE", "DELETE FROM {table}")],
)
def test_postgresql_refuses_to_change_or_delete_repair_events(
    agency, make_staff, credit_officer, operation, statement
):
    repair = repair_with_events(agency, make_staff, credit_officer)
    before = list(repair.events.order_by("pk").values())
    with (
        pytest.raises(DatabaseError, match=f"{operation} on {TABLE}: .*append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=TABLE))
    assert list(repair.events.order_by("pk").values()) == before
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        RepairEvent.objects.filter(repair=repair).delete()
    assert repair.events.count() == 2


def test_the_orm_refuses_to_save_or_delete_a_repair_event_again(agency, make_staff, credit_officer):
    event = repair_with_events(agency, make_staff, credit_officer).events.first()
    event.note = "改过"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
