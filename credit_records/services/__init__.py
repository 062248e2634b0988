"""Writes to credit records: one function per verb. Views, tasks, commands and other apps call
these; nothing else sets a record's ``status``.

Every change writes a ``CreditRecordEvent`` and an ``AgencyRecordChange`` (the outbox) in the
same transaction; after commit it sends ``agency_records_changed`` and enqueues the score
recompute for the agencies touched.
"""

from .records import (
    announce_changes,
    credit_record_create,
    credit_record_repair,
    credit_record_revoke,
    credit_record_transition,
    record_input_errors,
)

__all__ = [
    "announce_changes",
    "credit_record_create",
    "credit_record_repair",
    "credit_record_revoke",
    "credit_record_transition",
    "record_input_errors",
]
