"""``integrity_portal.settled``: the settled head of a table stays below an id whose
transaction is still open, and the ids it relies on come from a sequence in draw order."""

import pytest
from django.db import connection

from complaints.models import ComplaintEvent
from credit_records.choices import RecordAction
from credit_records.models import AgencyRecordChange
from integrity_portal.settled import settled_head
from tests.agencies.factories import AgencyFactory
from tests.late_writer import LateWriter

pytestmark = pytest.mark.django_db


def change(agency) -> int:
    return AgencyRecordChange.objects.create(agency=agency, reason=RecordAction.CREATE).pk


def test_with_no_writer_the_head_is_settled_at_once():
    agency = AgencyFactory()
    assert settled_head(AgencyRecordChange).upto == 0
    ids = [change(agency) for _ in range(3)]
    head = settled_head(AgencyRecordChange)
    assert (head.upto, head.pending_upto, head.pending_writers) == (max(ids), 0, [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_writer_leaves_the_head_pending_until_it_ends():
    agency = AgencyFactory()
    before = change(agency)
    late = LateWriter(lambda: change(agency))
    try:
        after = change(agency)
        head = settled_head(AgencyRecordChange)
        assert head.upto == 0
        assert head.pending_upto == after > late.row_id
        assert len(head.pending_writers) == 1
        again = settled_head(
            AgencyRecordChange,
            pending_upto=head.pending_upto,
            pending_writers=head.pending_writers,
        )
        assert again.upto == 0  # the writer is still running
    finally:
        late.commit()
    settled = settled_head(
        AgencyRecordChange, pending_upto=head.pending_upto, pending_writers=head.pending_writers
    )
    assert settled.upto == after > before
    assert (settled.pending_upto, settled.pending_writers) == (0, [])


@pytest.mark.postgres
@pytest.mark.parametrize("model", [ComplaintEvent, AgencyRecordChange])
def test_the_ids_come_from_a_sequence_that_hands_them_out_in_order(model):
    """The settled head's proof assumes each id is drawn from the shared sequence when the
    INSERT runs (no per-session cache of ids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cache_size FROM pg_sequences WHERE schemaname || '.' || sequencename"
            " = pg_get_serial_sequence(%s, 'id')",
            [model._meta.db_table],
        )
        assert cursor.fetchone() == (1,)
