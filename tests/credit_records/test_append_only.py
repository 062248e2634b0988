"""The change outbox and the score history are append-only in the database as well as in the
ORM: PostgreSQL refuses an UPDATE or a DELETE with a clear error (migration 0009), while the
flows that write them (a record, a score recompute) go on inserting."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from credit_records.models import AgencyCreditScoreHistory, AgencyRecordChange
from credit_records.services.scoring import agency_scores_recompute
from tests.sanctions.helpers import record

pytestmark = pytest.mark.django_db

MODELS = [AgencyRecordChange, AgencyCreditScoreHistory]


def rows_of_a_normal_flow(agency):
    """A record (its outbox row) and the score it changes (a history row), through the
    services, with the triggers in place."""
    record(agency)
    assert agency_scores_recompute(agency_ids=[agency.pk]) == 1
    assert AgencyRecordChange.objects.filter(agency=agency).count() == 1
    assert AgencyCreditScoreHistory.objects.filter(agency=agency).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("operation", "statement"),
    [("UPDATE", "UPDATE {table} SET agency_id = agency_id"), ("DELETE", "DELETE FROM {table}")],
)
def test_postgresql_refuses_to_change_or_delete_rows(agency, model, operation, statement):
    rows_of_a_normal_flow(agency)
    table = model._meta.db_table
    before = list(model.objects.order_by("pk").values())
    with (
        pytest.raises(DatabaseError, match=f"{operation} on {table}: .*append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert list(model.objects.order_by("pk").values()) == before


@pytest.mark.postgres
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_postgresql_refuses_the_bulk_orm_paths_too(agency, model):
    rows_of_a_normal_flow(agency)
    for change in (lambda: model.objects.update(agency_id=agency.pk), model.objects.all().delete):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert model.objects.filter(agency=agency).count() == 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_orm_refuses_to_save_or_delete_a_row_again(agency, model):
    rows_of_a_normal_flow(agency)
    row = model.objects.get(agency=agency)
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
