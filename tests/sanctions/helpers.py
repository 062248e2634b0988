"""Sanctions test data through the real credit-records services."""

import datetime
import itertools

from credit_records.choices import Kind, Severity, Source
from credit_records.services import credit_record_create

_refs = itertools.count(1)


def record(agency, *, kind=Kind.BREACH, severity=Severity.GENERAL, decided_on=None, **extra):
    """Store a negative record the way a push does (service, event, outbox)."""
    complaint = extra.pop("complaint", None)
    if complaint is not None:
        extra["complaint_id"] = complaint.pk
    created, _new = credit_record_create(
        agency_id=agency.pk,
        kind=kind,
        severity=severity,
        facts=extra.pop("facts", "拒不履行合同约定的付款义务"),
        decided_on=decided_on or datetime.date(2026, 6, 1),
        source=extra.pop("source", Source.COURT),
        source_ref=f"SAN-{next(_refs):06d}",
        **extra,
    )
    return created
