import datetime as dt

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends import locmem
from django.utils import timezone

from complaints import tasks
from complaints.models import Notification
from complaints.notices import notice_text
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_note_add
from complaints.services.notifications import (
    RECEIPT_DRAIN_WINDOW,
    notification_deliver,
    notification_sweep,
)
from integrity_portal import tasking
from tests.complaints.factories import ComplaintFactory, complaint_submit_for_test
from tests.complaints.test_workflow_helpers import handler_of

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


def _publishes(monkeypatch, task) -> list:
    published = []
    monkeypatch.setattr(
        task, "apply_async", lambda args, kwargs, countdown=None: published.append(countdown)
    )
    return published


def test_receipt_is_delivered_by_a_drain_published_on_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker
    published = _publishes(monkeypatch, tasks.notification_drain)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint, _ = complaint_submit_for_test()
    rows = Notification.objects.filter(complaint=complaint, sent_at__isnull=True)
    assert rows.count() == 2
    assert not published, "nothing is published before commit"
    for callback in callbacks:
        callback()
    assert published == [RECEIPT_DRAIN_WINDOW], "one drain, delayed by the window"
    assert not mail.outbox
    assert tasks.notification_drain() == 2  # what the worker runs
    assert len(mail.outbox) == 1
    assert complaint.reference in mail.outbox[0].subject
    assert SENT_SMS and complaint.reference in SENT_SMS[0][1]
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert tasks.notification_drain() == 0, "nothing is sent twice"


def test_one_drain_per_window_covers_every_receipt_committed_before_it_runs(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = _publishes(monkeypatch, tasks.notification_drain)
    clock = [1000.0]
    monkeypatch.setattr(tasking.time, "monotonic", lambda: clock[0])
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    clock[0] += RECEIPT_DRAIN_WINDOW / 2
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    assert len(published) == 1, "the second commit is covered by the pending drain"
    clock[0] += RECEIPT_DRAIN_WINDOW
    cache.clear()  # the shared mark expires with the window too
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    assert len(published) == 2, "once the window has passed the next commit publishes again"
    assert tasks.notification_drain() == 6  # three complaints, email and SMS each
    assert len(mail.outbox) == 3


def test_another_web_process_within_the_window_publishes_no_second_drain(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = _publishes(monkeypatch, tasks.notification_drain)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    tasking.drain_pending_forget()  # a second process: nothing pending of its own
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    assert len(published) == 1, "the first process's drain covers the other's commit"
    cache.clear()  # the window has passed: the shared mark is gone
    tasking.drain_pending_forget()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_submit_for_test()
    assert len(published) == 2
    assert tasks.notification_drain() == 6


def test_a_cache_that_is_down_never_fails_the_commit_and_publishes(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = _publishes(monkeypatch, tasks.notification_drain)

    def cache_down(*args, **kwargs):
        raise ConnectionRefusedError("redis://127.0.0.1:1 refused")

    monkeypatch.setattr(tasking.cache, "add", cache_down)
    with django_capture_on_commit_callbacks(execute=True):
        complaint, _ = complaint_submit_for_test()
    assert complaint.pk and published == [RECEIPT_DRAIN_WINDOW]


def test_a_failed_publish_is_retried_by_the_next_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(kwargs.get("countdown"))
        raise ConnectionRefusedError("redis://127.0.0.1:1 refused")

    monkeypatch.setattr(tasks.notification_drain, "apply_async", broker_down)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            complaint_submit_for_test()
    assert len(attempts) == 2, "a publish that failed leaves no pending drain behind"
    assert Notification.objects.filter(sent_at__isnull=True).count() == 4


def test_embedded_mode_sends_only_the_new_receipts_in_the_request(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # embedded: tasks run inside the request
    backlog, _ = complaint_submit_for_test(contact_phone="0571-87654321")
    assert Notification.objects.get(complaint=backlog).sent_at is None  # an inherited backlog
    delivered, drains = [], _publishes(monkeypatch, tasks.notification_drain)
    monkeypatch.setattr(
        tasks.notification_deliver,
        "apply_async",
        lambda args, kwargs, countdown=None: delivered.append(tasks.notification_deliver(*args)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        complaint, _ = complaint_submit_for_test(contact_phone="0571-87654322")
    assert delivered == [1] and not drains, "only this submission's receipt, no drain"
    assert [m.subject for m in mail.outbox] == [f"投诉已受理：{complaint.reference}"]
    assert Notification.objects.get(complaint=backlog).sent_at is None, "left to the sweep"


def test_the_drain_leaves_failed_rows_to_the_sweep(monkeypatch):
    complaint_submit_for_test(contact_phone="0571-87654321")
    Notification.objects.update(sent_at=None, attempts=1, last_error="refused")
    mail.outbox.clear()
    assert tasks.notification_drain() == 0
    assert not mail.outbox


def test_landline_complainant_gets_no_sms():
    complaint_submit_for_test(contact_phone="0571-87654321", contact_email="")
    assert not Notification.objects.exists()


def test_public_status_change_queues_a_notice_and_internal_notes_do_not(
    django_capture_on_commit_callbacks,
):
    complaint = ComplaintFactory()
    handler = handler_of(complaint)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks():
        complaint_note_add(complaint=complaint, actor=handler, note="内部")
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        wf.complaint_accept(complaint=complaint, actor=handler)
    rows = Notification.objects.filter(complaint=complaint)
    assert rows.count() == 2
    assert all("核实中" in notice_text(row)[1] for row in rows)
    assert all("内部" not in notice_text(row)[1] for row in rows)


def test_broker_down_loses_nothing_and_the_sweep_delivers_later(
    monkeypatch, settings, api_client, time_machine, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis://127.0.0.1:1 refused")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.notification_drain, "apply_async", broker_down)
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


class SmtpDownBackend(locmem.EmailBackend):
    def open(self):
        raise OSError("connection refused")


def test_mail_server_down_keeps_the_row_for_the_sweep(settings, time_machine):
    complaint, _ = complaint_submit_for_test(contact_phone="0571-87654321")
    row = Notification.objects.get(complaint=complaint)
    # eager delivery already happened in tests; reset as if it had not
    Notification.objects.filter(pk=row.pk).update(sent_at=None, attempts=0)
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.complaints.test_notifications.SmtpDownBackend"
    assert notification_deliver(ids=[row.pk]) == 0
    row.refresh_from_db()
    assert row.sent_at is None and "refused" in row.last_error and row.attempts == 1
    assert row.claimed_until > timezone.now(), "it waits for its retry time"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=90))
    assert notification_sweep() == 1
    assert len(mail.outbox) == 1
    assert notification_sweep() == 0


def test_a_claimed_row_is_not_sent_twice():
    complaint, _ = complaint_submit_for_test(contact_phone="0571-87654321")
    row = Notification.objects.get(complaint=complaint)
    Notification.objects.filter(pk=row.pk).update(sent_at=None)
    mail.outbox.clear()
    assert notification_deliver(ids=[row.pk]) == 1
    assert notification_deliver(ids=[row.pk]) == 0
    assert len(mail.outbox) == 1


def test_sweep_is_registered_with_celery_beat(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "complaints.tasks.notification_sweep" in tasks_scheduled


def test_a_drain_helper_in_eager_mode_runs_on_every_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Without a broker nothing is delayed, so nothing may be skipped either."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    runs = _publishes(monkeypatch, tasks.notification_drain)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            tasking.enqueue_drain_on_commit(tasks.notification_drain, window=60)
    assert runs == [None, None, None], "published without a countdown, every time"
