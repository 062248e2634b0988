"""The sanctions app reacts to record changes with one reconcile message per committed batch."""

import pytest

from credit_records.models import CreditRecord
from credit_records.signals import agency_records_batch_changed
from sanctions import receivers

pytestmark = pytest.mark.django_db


def test_a_batch_of_changes_enqueues_one_reconcile_for_all_its_agencies(monkeypatch):
    sent = []
    monkeypatch.setattr(receivers, "enqueue", lambda task, *args: sent.append((task.name, args)))
    changes = [(7, 1, "create"), (7, 2, "create"), (9, 3, "revoke")]

    agency_records_batch_changed.send(sender=CreditRecord, agency_ids=[7, 9], changes=changes)

    assert sent == [("sanctions.tasks.reconcile_agency_sanctions", ([7, 9],))]
