"""Reference sequences for years migration 0003 did not create ahead (PostgreSQL)."""

import pytest
from django.db import transaction

from complaints.services.references import reference_next

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_year_outside_the_precreated_range_gets_its_sequence_on_first_use():
    assert reference_next(year=2150) == "2150-000001"
    assert reference_next(year=2150) == "2150-000002"


def test_a_sequence_created_in_a_rolled_back_transaction_does_not_break_later_submissions():
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        reference_next(year=2151)
        raise Rollback
    assert reference_next(year=2151) == "2151-000001"
