"""Concurrent reconciles of one agency on PostgreSQL: the agency row lock serialises them, so
the sanctions are imposed once and nobody fails."""

import threading

import pytest
from django.db import connection

from credit_records.choices import Kind
from sanctions.choices import BREACH_MEASURES
from sanctions.models import OfficeTask, Sanction
from sanctions.services import agencies_sanctions_reconcile, agency_sanctions_reconcile
from tests.agencies.factories import AgencyFactory

from .helpers import record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Without the agency row lock, six simultaneous first reconciles would each see no sanction and
# insert the same ones: the partial unique constraint would then fail all but one of them.


def without_sanctions():
    """Records were reconciled on commit; start the race from no sanctions at all."""
    OfficeTask.objects.all().delete()
    Sanction.basis_records.through.objects.all().delete()
    Sanction.objects.all().delete()


def run_in_threads(n, target):
    barrier = threading.Barrier(n)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_reconciles_of_one_agency_impose_each_sanction_once():
    agency = AgencyFactory()
    record(agency, kind=Kind.BREACH)
    without_sanctions()

    errors = run_in_threads(6, lambda i: agency_sanctions_reconcile(agency.pk))

    assert errors == []
    assert Sanction.objects.filter(agency=agency, status="active").count() == len(BREACH_MEASURES)


def test_overlapping_batches_in_opposite_orders_do_not_deadlock():
    agencies = [AgencyFactory() for _ in range(6)]
    for agency in agencies:
        record(agency, kind=Kind.ARREARS)
    ids = [a.pk for a in agencies]
    without_sanctions()

    errors = run_in_threads(
        4, lambda i: agencies_sanctions_reconcile(agency_ids=ids if i % 2 else ids[::-1])
    )

    assert errors == []
    # The same as one reconcile alone imposes on an agency with the same record, once each.
    control = AgencyFactory()
    record(control, kind=Kind.ARREARS)
    agency_sanctions_reconcile(control.pk)
    per_agency = Sanction.objects.filter(agency=control, status="active").count()
    assert per_agency > 0
    for agency in agencies:
        assert Sanction.objects.filter(agency=agency, status="active").count() == per_agency
