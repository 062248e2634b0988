import threading

import pytest
from django.db import connection

from complaints.signals import complaint_event_committed
from credit_records.models import ConsumedComplaintEvent, CreditRecord
from credit_records.receivers import on_complaint_event_committed
from credit_records.services.ingestion import complaint_events_ingest

from .helpers import breach


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_events_create_each_record_once():
    # Committed for real here: keep the commit-time receiver from consuming them first.
    uid = "credit_records.ingest_complaint_events"
    complaint_event_committed.disconnect(dispatch_uid=uid)
    try:
        event_ids = [breach()[1].pk for _ in range(6)]
    finally:
        complaint_event_committed.connect(on_complaint_event_committed, dispatch_uid=uid)
    assert not CreditRecord.objects.exists()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker(ids):
        try:
            barrier.wait()
            results.append(complaint_events_ingest(event_ids=ids).created)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(event_ids,)),
        threading.Thread(target=worker, args=(list(reversed(event_ids)),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 6
    assert CreditRecord.objects.count() == 6
    assert ConsumedComplaintEvent.objects.count() == 6
