import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credit_records.choices import Kind, Polarity, Severity, Source
from credit_records.models import CreditRecord, CreditRecordEvent
from credit_records.publicity import publicity_dates
from credit_records.selectors import active_records_for_agency

from .factories import CreditRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("severity", "decided_on", "expected"),
    [
        (Severity.MINOR, D(2026, 4, 1), (D(2026, 4, 1), None)),
        (Severity.GENERAL, D(2026, 4, 1), (D(2026, 7, 1), D(2027, 4, 1))),
        (Severity.SERIOUS, D(2026, 4, 1), (D(2027, 4, 1), D(2029, 4, 1))),
        (Severity.GENERAL, D(2026, 11, 30), (D(2027, 2, 28), D(2027, 11, 30))),
        ("", D(2026, 4, 1), (None, None)),
    ],
)
def test_publicity_dates_follow_severity_and_decision_date(severity, decided_on, expected):
    assert publicity_dates(severity=severity, decided_on=decided_on) == expected


@pytest.mark.parametrize(
    ("kind", "polarity", "severity"),
    [
        (Kind.PROMISE_KEPT, Polarity.POSITIVE, Severity.GENERAL),  # positive with severity
        (Kind.BREACH, Polarity.NEGATIVE, ""),  # negative without severity
        (Kind.BREACH, Polarity.POSITIVE, ""),  # polarity not following kind
        (Kind.PROMISE_KEPT, Polarity.NEGATIVE, Severity.MINOR),
    ],
)
def test_database_refuses_inconsistent_kind_polarity_and_severity(kind, polarity, severity):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecordFactory(kind=kind, polarity=polarity, severity=severity, publicity_ends=None)
    assert not CreditRecord.objects.exists()


def test_database_refuses_a_published_minor_record():
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecordFactory(severity=Severity.MINOR, publicity_ends=D(2027, 1, 1))


def test_source_and_source_ref_are_unique_together():
    CreditRecordFactory(source=Source.COURT, source_ref="(2026)皖03执1号")
    CreditRecordFactory(source=Source.PAYMENT_PLATFORM, source_ref="(2026)皖03执1号")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecordFactory(source=Source.COURT, source_ref="(2026)皖03执1号")


def test_record_events_are_append_only():
    record = CreditRecordFactory()
    event = CreditRecordEvent.objects.create(record=record, action="create", to_status="active")
    event.note = "changed"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_active_records_for_agency_lists_records_in_force_only(agency):
    active = CreditRecordFactory(agency=agency)
    objected = CreditRecordFactory(agency=agency, status="under_objection")
    CreditRecordFactory(agency=agency, status="revoked")
    CreditRecordFactory(agency=agency, status="expired")
    CreditRecordFactory()  # another agency
    assert set(active_records_for_agency(agency.pk)) == {active, objected}
