"""Objections and the sanctions reconcile running at once never deadlock into a 500.

Once: the objection locked the record and then waited on the agency row (its event and outbox
inserts take a key-share lock there) while the reconcile held the agency and waited on the
record (its sanction-basis insert); PostgreSQL killed one of them, 9 of 20 tries."""

import threading

import pytest
from django.db import connection

from agencies.choices import StaffRole
from credit_records.choices import RecordStatus, Severity
from credit_records.models import CreditRecord
from credit_records.services.objections import objection_file, objection_uphold
from sanctions.models import Sanction
from sanctions.services.reconcile import agencies_sanctions_reconcile
from tests.agencies.factories import AgencyFactory, StaffFactory

from .factories import CreditRecordFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


def race(*jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_filing_and_upholding_objections_while_the_reconcile_runs_never_fails():
    agency = AgencyFactory()
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=agency)
    officer = StaffFactory(role=StaffRole.CREDIT_OFFICER)
    records = [
        CreditRecordFactory(agency=agency, severity=Severity.SERIOUS) for _ in range(ROUNDS + 2)
    ]
    agencies_sanctions_reconcile(agency_ids=[agency.pk])
    failures = []
    for record in records[:ROUNDS]:
        failures += race(
            lambda r=record: objection_file(record_id=r.pk, actor=liaison, reason="已履行"),
            lambda: agencies_sanctions_reconcile(agency_ids=[agency.pk]),
        )
        objection = record.objections.first()
        if objection is None:  # the filing failed: reported below
            continue
        failures += race(
            lambda o=objection: objection_uphold(objection_id=o.pk, actor=officer),
            lambda: agencies_sanctions_reconcile(agency_ids=[agency.pk]),
        )
    assert failures == []
    revoked = CreditRecord.objects.filter(agency=agency, status=RecordStatus.REVOKED).count()
    assert revoked == ROUNDS
    assert Sanction.objects.filter(agency=agency).exists()
