import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from complaints import tasks
from complaints.choices import Action, Status
from complaints.models import Notification
from complaints.services.events import event_append
from complaints.services.notifications import notification_send, notification_sweep
from tests.complaints.factories import ComplaintFactory, complaint_submit_for_test

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, phone, body):
        SENT_SMS.append((phone, body))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "tests.complaints.test_notifications.RecordingSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SENT_SMS.clear()


def test_receipt_is_delivered_by_a_task_enqueued_on_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        tasks.notification_deliver, "apply_async", lambda args, kwargs: published.append(args)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint, _ = complaint_submit_for_test()
    rows = Notification.objects.filter(complaint=complaint, sent_at__isnull=True)
    assert rows.count() == 2
    assert not published, "nothing is published before commit"
    for callback in callbacks:
        callback()
    assert published == [(sorted(rows.values_list("id", flat=True)),)]
    assert not mail.outbox
    tasks.notification_deliver(*published[0])  # what the worker runs
    assert len(mail.outbox) == 1
    assert complaint.reference in mail.outbox[0].subject
    assert SENT_SMS and complaint.reference in SENT_SMS[0][1]
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_landline_complainant_gets_no_sms():
    complaint_submit_for_test(contact_phone="0571-87654321", contact_email="")
    assert not Notification.objects.exists()


def test_public_status_change_queues_a_notice_and_internal_notes_do_not(
    django_capture_on_commit_callbacks,
):
    complaint = ComplaintFactory()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks():
        event_append(complaint=complaint, action=Action.ACCEPT, is_public=False, note="内部")
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        event_append(
            complaint=complaint,
            action=Action.ACCEPT,
            from_status=Status.ROUTED,
            to_status=Status.VERIFYING,
            message="已受理",
        )
    rows = Notification.objects.filter(complaint=complaint)
    assert rows.count() == 2
    assert all("核实中" in row.body for row in rows)


def test_broker_down_loses_nothing_and_the_sweep_delivers_later(
    monkeypatch, api_client, time_machine, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis://127.0.0.1:1 refused")

    monkeypatch.setattr(tasks.notification_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        complaint, _ = complaint_submit_for_test()
    assert complaint.pk
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2
    assert not mail.outbox
    # Fresh rows are left to the on-commit task; after the grace period the sweep sends them.
    assert notification_sweep() == 0
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    assert tasks.notification_sweep() == 2
    assert len(mail.outbox) == 1
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert notification_sweep() == 0  # nothing is sent twice


def test_mail_server_down_keeps_the_row_for_the_sweep(monkeypatch, time_machine):
    complaint, _ = complaint_submit_for_test(contact_phone="0571-87654321")
    row = Notification.objects.get(complaint=complaint)
    # eager delivery already happened in tests; reset as if it had failed
    Notification.objects.filter(pk=row.pk).update(sent_at=None)
    mail.outbox.clear()

    def smtp_down(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("complaints.services.notifications.send_mail", smtp_down)
    assert notification_send(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.sent_at is None and "refused" in row.last_error and row.attempts == 1
    monkeypatch.undo()
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    assert notification_sweep() == 1
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_not_sent_twice():
    complaint, _ = complaint_submit_for_test(contact_phone="0571-87654321")
    row = Notification.objects.get(complaint=complaint)
    Notification.objects.filter(pk=row.pk).update(sent_at=None)
    mail.outbox.clear()
    assert notification_send(notification_id=row.pk) is True
    assert notification_send(notification_id=row.pk) is False
    assert len(mail.outbox) == 1


def test_sweep_is_registered_with_celery_beat(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "complaints.tasks.notification_sweep" in tasks_scheduled
