"""Signals other apps subscribe to, so facts flow right without ``complaints`` importing them."""

from django.dispatch import Signal

# Sent after the transaction that wrote a ComplaintEvent commits. kwargs: event_id, complaint_id,
# action, to_status. Receivers should only enqueue work (the credit-records consumer does), and
# must not rely on being called: a periodic sweep re-reads unconsumed events. Sent for every
# event (two per submission), so the receivers per sender are cached (receivers connect at
# start-up; connect and disconnect clear the cache).
complaint_event_committed = Signal(use_caching=True)
