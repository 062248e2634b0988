"""Email and SMS to the complainant through an outbox (DESIGN section 2).

A ``Notification`` row is written in the same transaction as the change it announces; a Celery
task delivers it after commit, and ``notification_sweep`` (Celery beat) delivers anything still
unsent — so a mail server or broker that is down never fails or loses a submission. Delivery
goes in batches (``integrity_portal.outbox``): one statement claims up to 100 rows, one SMTP
connection and one SMS session send them, one statement marks them sent.

SMS goes through a pluggable backend (``settings.SMS_BACKEND``, dotted path to a class with
``send(phone, body)``, and optionally ``open()`` and ``close()`` around a batch, like Django's
mail backends); the default logs the message, for deployments without an SMS gateway.
"""

import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from integrity_portal.outbox import BATCH_SIZE, claim_batch, mark_failed, mark_sent
from integrity_portal.tasking import enqueue_drain_on_commit, enqueue_on_commit

from ..choices import Action, NotificationChannel, Status
from ..models import Complaint, ComplaintEvent, Notification
from ..timeline import public_text
from ..validators import is_mobile

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
# The task normally delivers within seconds of commit; the sweep leaves fresh rows to it.
SWEEP_GRACE = timedelta(seconds=60)
# Notices are written on every submission and status change; one drain per process per window
# delivers them (``enqueue_drain_on_commit``), so a notice leaves at most this long after commit.
RECEIPT_DRAIN_WINDOW = 1.0
DRAIN_TIME_LIMIT = 30.0  # seconds; what is left goes to the next drain or the sweep


class LoggingSmsBackend:
    """Writes the SMS to the log instead of sending it (no gateway configured)."""

    def send(self, phone: str, body: str) -> None:
        logger.info("SMS to %s: %s", phone, body)


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", f"{__name__}.LoggingSmsBackend"))()


def _rows_for(complaint: Complaint, *, subject: str, body: str, sms: str) -> list[Notification]:
    """The e-mail (when the complainant gave an address) and the SMS (to a mobile number)."""
    rows = []
    if complaint.contact_email:
        rows.append(
            Notification(
                complaint=complaint,
                channel=NotificationChannel.EMAIL,
                recipient=complaint.contact_email,
                subject=subject[:200],
                body=body,
            )
        )
    if is_mobile(complaint.contact_phone):
        rows.append(
            Notification(
                complaint=complaint,
                channel=NotificationChannel.SMS,
                recipient=complaint.contact_phone,
                body=sms,
            )
        )
    return rows


def tracking_url(complaint: Complaint) -> str:
    """The complaint's tracking page: it asks for the access code (or offers to recover it)."""
    return settings.SITE_URL + reverse("complaints:track_detail", args=[complaint.reference])


def _receipt(complaint: Complaint) -> list[Notification]:
    """受理回执: announces a new complaint (and its routing) and says how to track it, never
    with the access code (a message can be read by others; the code is shown once on the
    receipt page, and can be replaced through 找回查询码)."""
    status = Status(complaint.status).label
    params = {
        "title": complaint.title,
        "reference": complaint.reference,
        "status": status,
        "url": tracking_url(complaint),
    }
    return _rows_for(
        complaint,
        subject=_("投诉已受理：%(reference)s") % params,
        body=_(
            "您的投诉“%(title)s”已提交，受理编号 %(reference)s，当前状态：%(status)s。\n"
            "查看办理进度：%(url)s\n"
            "请输入受理编号和提交时获得的查询码。查询码遗失的，可在该页面点击“找回查询码”，"
            "凭受理编号和本邮箱或登记的手机号码重新设置。"
        )
        % params,
        sms=_(
            "【政务诚信投诉】您的投诉已提交，受理编号%(reference)s，当前状态：%(status)s。"
            "凭受理编号和查询码查看进度：%(url)s；查询码遗失可在该页面找回。"
        )
        % params,
    )


def _access_code_reset_notice(complaint: Complaint) -> list[Notification]:
    """Tells the contact on file that the access code was replaced (找回查询码), so an
    unexpected reset does not go unnoticed."""
    params = {"reference": complaint.reference}
    return _rows_for(
        complaint,
        subject=_("查询码已重设：%(reference)s") % params,
        body=_(
            "您的投诉（受理编号 %(reference)s）的查询码已通过找回流程重新设置，原查询码已失效。\n"
            "如非本人操作，请联系信用办。"
        )
        % params,
        sms=_(
            "【政务诚信投诉】您的投诉%(reference)s的查询码已重新设置，原查询码已失效。"
            "如非本人操作，请联系信用办。"
        )
        % params,
    )


def _status_notice(complaint: Complaint, event: ComplaintEvent) -> list[Notification]:
    status = Status(event.to_status).label
    return _rows_for(
        complaint,
        subject=_("投诉办理进度更新：%(reference)s") % {"reference": complaint.reference},
        body=_("您的投诉（受理编号 %(reference)s）状态已更新为：%(status)s。\n%(message)s")
        % {"reference": complaint.reference, "status": status, "message": public_text(event)},
        sms=_("【政务诚信投诉】您的投诉%(reference)s状态已更新为：%(status)s。")
        % {"reference": complaint.reference, "status": status},
    )


def reply_notices_queue(complaint: Complaint, *, sender_label: str) -> list[int]:
    """Tell the complainant that staff wrote to them (the message itself stays on the
    tracking page, behind the access code). Call in the reply's transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "reference": complaint.reference,
            "sender": sender_label,
            "url": tracking_url(complaint),
        }
        rows = _rows_for(
            complaint,
            subject=_("投诉有新的回复：%(reference)s") % params,
            body=_(
                "%(sender)s就您的投诉（受理编号 %(reference)s）给您留言，"
                "请凭受理编号和查询码查看：%(url)s"
            )
            % params,
            sms=_(
                "【政务诚信投诉】%(sender)s就您的投诉%(reference)s给您留言，请凭查询码查看：%(url)s"
            )
            % params,
        )
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    deliver_on_commit(ids)
    return ids


def notices_queue(complaint: Complaint, events: list[ComplaintEvent]) -> list[int]:
    """The complainant's notices for ``events`` (called by ``transitions.write``, in the same
    transaction): the receipt for a submission, a notice for every public change of status.
    Delivered after commit."""
    rows: list[Notification] = []
    # The complainant's messages are in Chinese, the product's language, whatever the UI
    # language of the request that triggered them.
    with translation.override(settings.LANGUAGE_CODE):
        for event in events:
            if event.action == Action.SUBMIT:
                rows += _receipt(complaint)
            elif event.action == Action.RESET_ACCESS_CODE:
                rows += _access_code_reset_notice(complaint)
            elif event.action == Action.ROUTE:
                continue  # the receipt names the status the routing gave
            elif event.is_public and event.to_status and event.to_status != event.from_status:
                rows += _status_notice(complaint, event)
    if not rows:
        return []
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    deliver_on_commit(ids)
    return ids


def deliver_on_commit(ids: list[int]) -> None:
    """Have the outbox rows ``ids`` written by the current transaction delivered after it
    commits: with a broker by the per-process drain (``enqueue_drain_on_commit``: one message
    per window, not one per commit); in embedded mode just these rows, at once (a drain there
    would send an inherited backlog inside a user's request)."""
    from ..tasks import notification_deliver, notification_drain

    if not ids:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue_on_commit(notification_deliver, ids)
        return
    enqueue_drain_on_commit(notification_drain, window=RECEIPT_DRAIN_WINDOW)


def notification_deliver_batch(
    *, where: str = "", params: Sequence = (), limit: int = BATCH_SIZE
) -> tuple[int, int]:
    """Claim one batch of deliverable notifications (``where`` narrows it, see
    ``integrity_portal.outbox.claim_batch``), send it through one mail connection and one SMS
    session, and mark what went out; return (claimed, sent). Two statements for a batch that
    all goes out, one more per row that fails (put back alone, with a backoff)."""
    rows = claim_batch(Notification, where=where, params=params, limit=limit)
    if not rows:
        return 0, 0
    sent = _send_emails([r for r in rows if r.channel == NotificationChannel.EMAIL])
    sent += _send_sms([r for r in rows if r.channel != NotificationChannel.EMAIL])
    mark_sent(Notification, sent)
    return len(rows), len(sent)


def _failed(row: Notification, exc: BaseException) -> None:
    logger.warning("notification %s not delivered: %s", row.pk, exc)
    mark_failed(row, exc)


def _send_emails(rows: list[Notification]) -> list[int]:
    """One SMTP connection for the batch; a message the server refuses is put back alone and the
    connection reopened for the next one (a refusal may have dropped it)."""
    if not rows:
        return []
    sent: list[int] = []
    connection = get_connection()
    pending = list(rows)
    try:
        connection.open()
        while pending:
            row = pending.pop(0)
            message = EmailMessage(
                row.subject,
                row.body,
                settings.DEFAULT_FROM_EMAIL,
                [row.recipient],
                connection=connection,
            )
            try:
                if connection.send_messages([message]) != 1:
                    raise RuntimeError("the mail backend did not accept the message")
            except Exception as exc:  # any gateway failure: this row alone is retried
                _failed(row, exc)
                connection.close()
                connection.open()
                continue
            sent.append(row.pk)
    except Exception as exc:  # the server is down or could not be reopened: the rest wait
        for row in pending:
            _failed(row, exc)
    finally:
        connection.close()
    return sent


def _send_sms(rows: list[Notification]) -> list[int]:
    """One gateway session for the batch (``open``/``close`` when the backend has them)."""
    if not rows:
        return []
    sent: list[int] = []
    backend = sms_backend()
    if hasattr(backend, "open"):
        try:
            backend.open()
        except Exception as exc:
            for row in rows:
                _failed(row, exc)
            return []
    try:
        for row in rows:
            try:
                backend.send(row.recipient, row.body)
            except Exception as exc:  # this row alone is retried
                _failed(row, exc)
                continue
            sent.append(row.pk)
    finally:
        if hasattr(backend, "close"):
            backend.close()
    return sent


def notification_deliver(*, ids: list[int]) -> int:
    """Deliver the rows ``ids`` (a transaction just wrote them) if nobody else has; return how
    many were sent now."""
    if not ids:
        return 0
    placeholders = ", ".join(["%s"] * len(ids))
    return notification_deliver_batch(where=f"id IN ({placeholders})", params=ids, limit=len(ids))[
        1
    ]


def notification_drain(*, batch: int = BATCH_SIZE) -> int:
    """Deliver every notification not yet tried, a batch at a time; return how many were sent.
    Rows that failed once are left to the sweep, so a mail server that is down is not retried
    on every drain."""
    sent, stop_at = 0, time.monotonic() + DRAIN_TIME_LIMIT
    while time.monotonic() < stop_at:
        claimed, delivered = notification_deliver_batch(where="attempts = 0", limit=batch)
        sent += delivered
        if claimed < batch:
            break
    return sent


def notification_sweep(*, batch: int = BATCH_SIZE, batches: int = 5) -> int:
    """Deliver unsent notifications older than the grace period whose retry time has come;
    return how many were sent."""
    cutoff, sent = timezone.now() - SWEEP_GRACE, 0
    for _round in range(batches):
        claimed, delivered = notification_deliver_batch(
            where="created_at < %s AND attempts < %s", params=[cutoff, MAX_ATTEMPTS], limit=batch
        )
        sent += delivered
        if claimed < batch:
            break
    return sent
