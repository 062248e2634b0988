import datetime
import decimal

import pytest
from django.utils import timezone

from complaints.choices import Action, Status
from complaints.models import ComplaintEvent
from credit_records.choices import Kind, Polarity, RecordStatus, Source
from credit_records.models import (
    AgencyCreditScore,
    AgencyRecordChange,
    ConsumedComplaintEvent,
    CreditRecord,
    CreditRecordEvent,
)
from credit_records.services.ingestion import complaint_events_ingest, unconsumed_events
from credit_records.signals import agency_records_changed
from credit_records.tasks import sweep_complaint_events
from tests.complaints.factories import ComplaintFactory

from .helpers import breach, outcome, reopen

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(CreditRecord.objects.order_by("pk").values()),
        list(CreditRecordEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(AgencyRecordChange.objects.order_by("pk").values_list("pk", flat=True)),
    )


def test_breach_event_becomes_a_negative_breach_record_with_the_determined_severity():
    complaint, event = breach(severity="serious", facts="以人员变动为由拒不履约")
    result = complaint_events_ingest(event_ids=[event.pk])
    record = CreditRecord.objects.get()
    assert result.created == 1
    assert record.agency_id == complaint.respondent_agency_id
    assert (record.kind, record.polarity, record.severity) == (Kind.BREACH, "negative", "serious")
    assert record.facts == "以人员变动为由拒不履约"
    assert record.complaint_id == complaint.pk
    assert record.source == Source.COMPLAINT
    assert record.source_ref == f"{complaint.reference}#{event.seq}"
    assert record.decided_on == timezone.localdate(event.created_at)
    assert record.publicity_ends == record.decided_on.replace(year=record.decided_on.year + 3)
    assert record.events.get().action == "create"
    assert AgencyRecordChange.objects.get().record_id == record.pk


def test_a_breach_on_an_arrears_complaint_becomes_an_arrears_record_with_the_amount_owed():
    # DESIGN section 12; seed 004 二(四): late payment carries the arrears measures.
    complaint = ComplaintFactory(
        payment_due_on=datetime.date(2026, 1, 31), amount_outstanding=decimal.Decimal("88000")
    )
    complaint, event = breach(complaint, severity="general")
    complaint_events_ingest(event_ids=[event.pk])
    record = CreditRecord.objects.get()
    assert (record.kind, record.polarity, record.severity) == (Kind.ARREARS, "negative", "general")
    assert record.amount == decimal.Decimal("88000")
    assert record.complaint_id == complaint.pk


@pytest.mark.parametrize(
    ("action", "to_status"),
    [(Action.RECORD_RECTIFIED, Status.RECTIFIED), (Action.RECORD_SETTLEMENT, Status.SETTLED)],
)
def test_founded_complaint_closed_by_performance_becomes_a_promise_kept_record(action, to_status):
    complaint = ComplaintFactory()
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    event = outcome(complaint, action, to_status, note="已支付全部工程款")
    complaint_events_ingest(event_ids=[event.pk])
    record = CreditRecord.objects.get()
    assert (record.kind, record.polarity, record.severity) == (Kind.PROMISE_KEPT, "positive", "")
    assert record.publicity_ends is None


def test_events_that_are_not_outcomes_create_nothing():
    complaint = ComplaintFactory()
    found = outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    complaint_events_ingest(event_ids=[found.pk, *complaint.events.values_list("pk", flat=True)])
    assert not CreditRecord.objects.exists()


def test_reopen_of_a_breach_revokes_its_record_with_the_reason_and_a_new_breach_is_a_new_record():
    complaint, first = breach()
    complaint_events_ingest(event_ids=[first.pk])
    again = reopen(complaint, reason="投诉人补充证据显示已部分履约")
    complaint_events_ingest(event_ids=[again.pk])
    revoked = CreditRecord.objects.get()
    assert revoked.status == RecordStatus.REVOKED
    assert revoked.events.last().note == "投诉人补充证据显示已部分履约"
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    _, second = breach(complaint, severity="minor")
    complaint_events_ingest(event_ids=[second.pk])
    assert CreditRecord.objects.filter(status=RecordStatus.ACTIVE).get().severity == "minor"
    assert CreditRecord.objects.count() == 2


def test_reopen_consumed_before_its_breach_still_revokes_the_record():
    complaint, first = breach()
    again = reopen(complaint)
    complaint_events_ingest(event_ids=[again.pk])  # the breach message was lost or is late
    complaint_events_ingest(event_ids=[first.pk])
    assert CreditRecord.objects.get().status == RecordStatus.REVOKED


def test_replaying_every_event_changes_nothing():
    complaint, _ = breach()
    reopen(complaint)
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    breach(complaint, severity="serious")
    other = ComplaintFactory()
    outcome(other, Action.FIND_FOUNDED, Status.RECTIFYING)
    outcome(other, Action.RECORD_RECTIFIED, Status.RECTIFIED)
    all_ids = list(ComplaintEvent.objects.values_list("pk", flat=True))
    complaint_events_ingest(event_ids=all_ids)
    before = snapshot()
    assert len(before[0]) == 3
    for _ in range(2):
        result = complaint_events_ingest(event_ids=all_ids)
        assert (result.claimed, result.created, result.revoked) == (0, 0, 0)
    for event_id in reversed(all_ids):
        complaint_events_ingest(event_ids=[event_id])
    assert snapshot() == before


def test_commit_of_an_outcome_event_creates_the_record_in_embedded_mode(
    django_capture_on_commit_callbacks, eager_tasks
):
    complaint = ComplaintFactory()
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    with django_capture_on_commit_callbacks(execute=True):
        breach(complaint)
    record = CreditRecord.objects.get(complaint=complaint)
    assert record.status == RecordStatus.ACTIVE
    # ... and the agency's score was recomputed after that commit too.
    assert AgencyCreditScore.objects.get(agency=complaint.respondent_agency).score == 90


def test_sweep_consumes_events_whose_message_was_lost(eager_tasks):
    _, event = breach()
    assert list(unconsumed_events().values_list("pk", flat=True)) == [event.pk]
    assert sweep_complaint_events() == 1
    assert CreditRecord.objects.count() == 1
    assert ConsumedComplaintEvent.objects.filter(event=event).exists()
    assert not unconsumed_events().exists()


def test_records_change_is_announced_after_commit(django_capture_on_commit_callbacks):
    _, event = breach()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    agency_records_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            complaint_events_ingest(event_ids=[event.pk])
        assert received == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        agency_records_changed.disconnect(receiver)
    record = CreditRecord.objects.get()
    assert received == [
        {
            "signal": agency_records_changed,
            "agency_id": record.agency_id,
            "record_id": record.pk,
            "reason": "create",
        }
    ]


def test_unknown_event_ids_are_ignored_and_not_claimed():
    result = complaint_events_ingest(event_ids=[999_999])
    assert result.claimed == 0
    assert not ConsumedComplaintEvent.objects.exists()


def test_breach_decision_date_is_the_local_date_of_the_event(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 1, 23, 30, tzinfo=datetime.UTC))
    _, event = breach()
    complaint_events_ingest(event_ids=[event.pk])
    assert CreditRecord.objects.get().decided_on == datetime.date(2026, 5, 2)  # Asia/Shanghai
    assert CreditRecord.objects.get().polarity == Polarity.NEGATIVE


def test_breach_reopen_breach_in_one_batch_revokes_only_the_first_record():
    complaint, first = breach()
    again = reopen(complaint)
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    _, second = breach(complaint, severity="serious")
    complaint_events_ingest(event_ids=[second.pk, again.pk, first.pk])
    statuses = dict(CreditRecord.objects.values_list("severity", "status"))
    assert statuses == {"general": "revoked", "serious": "active"}


def test_reopen_of_a_rectified_complaint_revokes_its_promise_kept_record():
    complaint = ComplaintFactory()
    outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    done = outcome(complaint, Action.RECORD_RECTIFIED, Status.RECTIFIED)
    again = reopen(complaint)
    complaint_events_ingest(event_ids=[done.pk, again.pk])
    assert CreditRecord.objects.get().status == RecordStatus.REVOKED


def test_a_batch_is_also_announced_once_with_every_agency(django_capture_on_commit_callbacks):
    from credit_records.signals import agency_records_batch_changed

    events = [breach()[1].pk for _ in range(3)]
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    agency_records_batch_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            complaint_events_ingest(event_ids=events)
    finally:
        agency_records_batch_changed.disconnect(receiver)
    assert len(received) == 1
    agencies = sorted(CreditRecord.objects.values_list("agency_id", flat=True))
    assert received[0]["agency_ids"] == agencies
    assert len(received[0]["changes"]) == 3
