"""Signals other apps (sanctions) subscribe to, so ``credit_records`` never imports them."""

from django.dispatch import Signal

# Sent after the transaction that changed an agency's records commits, once per change.
# kwargs: agency_id, record_id, reason (a RecordAction code, e.g. "create", "revoke",
# "expire"). Receivers should only enqueue work and must not rely on being called: every
# change is also an AgencyRecordChange row (the outbox) that a periodic sweep can re-read.
agency_records_changed = Signal()

# Sent once per committed transaction that changed records, after the per-change signals.
# kwargs: agency_ids (sorted, distinct), changes (list of (agency_id, record_id, reason)).
# A subscriber that only needs to know which agencies to reconcile should prefer this one:
# an ingestion batch of 500 events then costs it one call instead of 500.
agency_records_batch_changed = Signal()
