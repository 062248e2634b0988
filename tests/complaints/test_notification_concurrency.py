"""Two workers draining the notification outbox at once on PostgreSQL: ``FOR UPDATE SKIP
LOCKED`` and the lease split the rows between them, so every message leaves exactly once and
neither waits for the other."""

import threading
import time
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from complaints.models import Notification
from complaints.services.notifications import notification_drain

from .test_notification_batches import outbox_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SENT: list[tuple[str, str]] = []
_sent_lock = threading.Lock()


class SlowSmsBackend:
    """A gateway that takes a little time per message, so the two drains overlap."""

    def send(self, phone, body):
        time.sleep(0.001)
        with _sent_lock:
            SENT.append((threading.current_thread().name, phone))


def test_two_workers_draining_at_once_send_every_message_exactly_once(settings):
    settings.SMS_BACKEND = "tests.complaints.test_notification_concurrency.SlowSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SENT.clear()
    mail.outbox = []
    rows = outbox_rows(1000)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def worker(name):
        try:
            barrier.wait()
            results[name] = notification_drain(batch=50)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,), name=n) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert results["w1"] + results["w2"] == 1000
    sms = Counter(phone for _, phone in SENT)
    emails = Counter(m.to[0] for m in mail.outbox)
    assert len(sms) == 500 and set(sms.values()) == {1}, "each SMS exactly once"
    assert len(emails) == 500 and set(emails.values()) == {1}, "each e-mail exactly once"
    assert {name for name, _ in SENT} == {"w1", "w2"}, "both workers took a share"
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert len(rows) == 1000
