"""Delivery of the notification outbox in batches (``integrity_portal.outbox``): a batch costs
a fixed number of statements, goes through one mail connection and one SMS session, and a
failing message is put back alone without holding up the rest or being sent twice."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from complaints.choices import NotificationChannel
from complaints.models import Notification
from complaints.services.notifications import (
    notification_deliver_batch,
    notification_drain,
    notification_sweep,
)
from integrity_portal.outbox import claim_batch

pytestmark = pytest.mark.django_db

SMS_SENT: list[str] = []
SMS_SESSIONS: list[str] = []
MAIL_OPENS: list[int] = []
REFUSED = "refused@example.com"


class SessionSmsBackend:
    def open(self):
        SMS_SESSIONS.append("open")

    def send(self, phone, body):
        SMS_SENT.append(phone)

    def close(self):
        SMS_SESSIONS.append("close")


class CountingMailBackend(locmem.EmailBackend):
    """locmem, counting connections opened and refusing one address."""

    def open(self):
        MAIL_OPENS.append(1)
        return super().open()

    def send_messages(self, messages):
        if any(REFUSED in message.to for message in messages):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.SMS_BACKEND = "tests.complaints.test_notification_batches.SessionSmsBackend"
    settings.EMAIL_BACKEND = "tests.complaints.test_notification_batches.CountingMailBackend"
    for recorded in (SMS_SENT, SMS_SESSIONS, MAIL_OPENS):
        recorded.clear()


def outbox_rows(count: int, *, refused: int | None = None) -> list[Notification]:
    """``count`` unsent rows, e-mail and SMS alternating; row ``refused`` has a bad address."""
    rows = []
    for i in range(count):
        if i % 2:
            rows.append(
                Notification(
                    channel=NotificationChannel.SMS, recipient=f"1390000{i:04d}", body=f"短信 {i}"
                )
            )
        else:
            recipient = REFUSED if i == refused else f"c{i}@example.com"
            rows.append(
                Notification(
                    channel=NotificationChannel.EMAIL,
                    recipient=recipient,
                    subject=f"回执 {i}",
                    body=f"正文 {i}",
                )
            )
    return Notification.objects.bulk_create(rows)


def test_a_batch_of_100_costs_two_statements_one_mail_connection_and_one_sms_session(
    django_assert_num_queries,
):
    outbox_rows(100)
    with django_assert_num_queries(2):  # the claim, then one UPDATE marking all sent
        assert notification_deliver_batch(limit=100) == (100, 100)
    assert len(mail.outbox) == 50 and len(SMS_SENT) == 50
    assert MAIL_OPENS == [1], "one SMTP connection for the whole batch"
    assert SMS_SESSIONS == ["open", "close"], "one gateway session for the whole batch"
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_refused_message_is_put_back_alone_and_the_rest_of_the_batch_goes_out(
    django_assert_num_queries,
):
    rows = outbox_rows(10, refused=4)
    with django_assert_num_queries(3):  # claim, the refused row put back, the rest marked
        assert notification_deliver_batch(limit=100) == (10, 9)
    assert len(mail.outbox) == 4 and len(SMS_SENT) == 5
    bad = Notification.objects.get(pk=rows[4].pk)
    assert bad.sent_at is None and "550" in bad.last_error and bad.attempts == 1
    assert bad.claimed_until > timezone.now() + dt.timedelta(seconds=50), "backoff before retry"
    assert Notification.objects.filter(sent_at__isnull=False).count() == 9
    # The drain takes only fresh rows; nothing is sent twice.
    assert notification_drain() == 0
    assert len(mail.outbox) == 4 and len(SMS_SENT) == 5


def test_a_failed_message_is_retried_alone_after_its_backoff(time_machine):
    rows = outbox_rows(6, refused=2)
    assert notification_drain() == 5
    Notification.objects.filter(pk=rows[2].pk).update(recipient="fixed@example.com")
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=30))
    assert notification_sweep() == 0, "its retry time has not come"
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    mail.outbox.clear()
    SMS_SENT.clear()
    assert notification_sweep() == 1
    assert [m.to for m in mail.outbox] == [["fixed@example.com"]] and not SMS_SENT
    row = Notification.objects.get(pk=rows[2].pk)
    assert row.sent_at and row.attempts == 2 and row.last_error == ""


def test_the_drain_goes_batch_by_batch_until_the_outbox_is_empty(django_assert_num_queries):
    outbox_rows(250)
    # 3 batches (100, 100, 50), each a claim and a mark; the short last batch ends the drain
    with django_assert_num_queries(6):
        assert notification_drain(batch=100) == 250
    assert len(mail.outbox) == 125
    assert MAIL_OPENS == [1, 1, 1]


def test_a_claim_skips_rows_under_another_senders_lease_and_rows_already_sent():
    rows = outbox_rows(6)
    first = claim_batch(Notification, limit=4)
    assert [r.pk for r in first] == [r.pk for r in rows[:4]], "oldest first"
    second = claim_batch(Notification, limit=4)
    assert [r.pk for r in second] == [r.pk for r in rows[4:]]
    assert claim_batch(Notification, limit=4) == []
    # An expired lease (a sender that died) makes its rows claimable again, unsent ones only.
    Notification.objects.filter(pk=rows[0].pk).update(sent_at=timezone.now())
    later = timezone.now() + dt.timedelta(minutes=6)
    again = claim_batch(Notification, limit=10, now=later)
    assert [r.pk for r in again] == [r.pk for r in rows[1:]]
    assert {r.attempts for r in again} == {2}
