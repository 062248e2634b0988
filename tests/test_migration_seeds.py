"""What the data migrations seed comes back after a transactional test's flush, identically."""

import pytest
from django.core.management import call_command

from agencies.models import Region
from credit_records.models import RecordPolicy
from integrity_portal.models import TimeLimitPolicy
from sanctions.models import Measure, SanctionRule
from tests.conftest import restore_migration_seeds


def snapshot() -> dict:
    return {
        "regions": sorted(Region.objects.values_list("code", "name", "level", "parent_id")),
        "time_limits": sorted(TimeLimitPolicy.objects.values_list()),
        "record_terms": sorted(RecordPolicy.objects.values_list()),
        "measures": sorted(Measure.objects.values_list("code", "name", "name_en", "position")),
        "rules": sorted(
            (
                rule.name,
                tuple(rule.kinds),
                rule.min_severity,
                rule.min_count,
                rule.window_months,
                tuple(sorted(rule.measures.values_list("pk", flat=True))),
            )
            for rule in SanctionRule.objects.all()
        ),
    }


@pytest.mark.django_db
def test_restoring_is_a_single_query_when_the_seeded_rows_are_there(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        assert restore_migration_seeds() is False


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_same_rows_as_the_migrations_seeded_are_restored():
    migrated = snapshot()
    assert all(migrated.values())  # the migrations seeded every kind of row

    call_command("flush", interactive=False, verbosity=0)  # what a transactional test ends with
    assert not Region.objects.exists()
    assert not TimeLimitPolicy.objects.exists()
    assert not Measure.objects.exists() and not SanctionRule.objects.exists()

    assert restore_migration_seeds() is True
    restored = snapshot()
    assert restored["measures"] == migrated["measures"]
    assert restored["rules"] == migrated["rules"]
    assert [row[1:] for row in restored["time_limits"]] == [
        row[1:] for row in migrated["time_limits"]
    ]
    assert restored["regions"] == migrated["regions"]
    assert restored["record_terms"] == migrated["record_terms"]
    assert restore_migration_seeds() is False  # present again: nothing more to do
