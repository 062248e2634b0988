"""The beat sweep over the record-change outbox: its cursor passes only changes no open
transaction can still commit, so a change that commits late (a lower id than changes already
swept) is still reconciled, however long its transaction stayed open."""

import datetime

import pytest
from django.utils import timezone

from credit_records.choices import RecordAction
from credit_records.models import AgencyRecordChange
from sanctions.choices import BREACH_MEASURES, SanctionStatus
from sanctions.models import ChangeCursor, Sanction
from sanctions.services.reconcile import CURSOR_NAME, record_changes_sweep
from tests.agencies.factories import AgencyFactory
from tests.credit_records.factories import CreditRecordFactory
from tests.late_writer import LateWriter

pytestmark = pytest.mark.django_db


def lost_change(agency) -> int:
    """A breach record and its outbox row, whose reconcile message was lost (none is sent:
    the sweep is all that reconciles it); returns the outbox row's id."""
    record = CreditRecordFactory(agency=agency)
    return AgencyRecordChange.objects.create(
        agency=agency, record=record, reason=RecordAction.CREATE
    ).pk


def cursor() -> int:
    return ChangeCursor.objects.get(name=CURSOR_NAME).last_id


def active_measures(agency) -> list[str]:
    return sorted(
        Sanction.objects.filter(agency=agency, status=SanctionStatus.ACTIVE).values_list(
            "measure_id", flat=True
        )
    )


def test_the_cursor_passes_what_is_committed_at_once_and_reads_it_once():
    agency = AgencyFactory()
    change = lost_change(agency)
    assert record_changes_sweep() == 1
    assert active_measures(agency) == sorted(BREACH_MEASURES)
    assert cursor() == change
    assert record_changes_sweep() == 0  # nothing left past the cursor


def test_a_sweep_cut_by_its_limit_moves_the_cursor_over_what_it_read():
    agencies = [AgencyFactory() for _ in range(3)]
    changes = [lost_change(agency) for agency in agencies]
    assert record_changes_sweep(limit=2) == 2
    assert cursor() == changes[1]
    assert active_measures(agencies[2]) == []
    assert record_changes_sweep(limit=2) == 1
    assert cursor() == changes[2]
    assert active_measures(agencies[2]) == sorted(BREACH_MEASURES)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_higher_ids_were_swept_is_still_reconciled(time_machine):
    slow, busy, other = AgencyFactory(), AgencyFactory(), AgencyFactory()
    assert record_changes_sweep() == 0
    late = LateWriter(lambda: lost_change(slow))
    try:
        higher = lost_change(busy)
        assert higher > late.row_id
        # The slow transaction stays open far longer than any time allowance would wait.
        time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
        assert record_changes_sweep() == 1  # the late change is not visible yet
        assert active_measures(busy) == sorted(BREACH_MEASURES)
        assert cursor() < late.row_id

        # While a second writer is open, the first commits: the next sweep reconciles it,
        # and the head read while the first was open is settled now, but not the second's.
        later = LateWriter(lambda: lost_change(other))
    finally:
        late.commit()
    try:
        record_changes_sweep()
        assert active_measures(slow) == sorted(BREACH_MEASURES)
        assert late.row_id <= cursor() < later.row_id
    finally:
        later.commit()
    record_changes_sweep()
    assert active_measures(other) == sorted(BREACH_MEASURES)
    assert cursor() == later.row_id
