"""Email and SMS to the complainant through an outbox (DESIGN section 2).

A ``Notification`` row is written in the same transaction as the change it announces; a Celery
task delivers it after commit, and ``notification_sweep`` (Celery beat) delivers anything still
unsent — so a mail server or broker that is down never fails or loses a submission. Delivery
goes in batches (``integrity_portal.outbox``): one statement claims up to 100 rows, one SMTP
connection and one SMS session send them, one statement marks them sent.

A notice to the complainant is stored as a text code and parameters with the complaint's
language and rendered when sent (``complaints.notices``): the receipt, status and reply
notices, the one-time code of 找回查询码 reach an English-speaking complainant in English
whatever language the staff member who caused them works in.

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
from django.utils import timezone
from django.utils.module_loading import import_string

from integrity_portal.outbox import BATCH_SIZE, claim_batch, mark_failed, mark_sent
from integrity_portal.tasking import enqueue_drain_on_commit, enqueue_on_commit

from .. import notices
from ..choices import Action, NotificationChannel
from ..models import Complaint, ComplaintEvent, Notification
from ..notices import notice_text
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


def complainant_notice_rows(
    complaint: Complaint, template: str, params: dict
) -> list[Notification]:
    """The e-mail (when the complainant gave an address) and the SMS (to a mobile number) of
    the notice ``template``, rendered in the complaint's language when sent
    (``complaints.notices``)."""
    rows = []
    common = {
        "complaint": complaint,
        "template": template,
        "params": {"reference": complaint.reference, **params},
        "language": complaint.language,
    }
    if complaint.contact_email:
        rows.append(
            Notification(
                channel=NotificationChannel.EMAIL, recipient=complaint.contact_email, **common
            )
        )
    if is_mobile(complaint.contact_phone):
        rows.append(
            Notification(
                channel=NotificationChannel.SMS, recipient=complaint.contact_phone, **common
            )
        )
    return rows


def tracking_url(complaint: Complaint) -> str:
    """The complaint's tracking page: it asks for the access code (or offers to recover it)."""
    return notices.tracking_url(complaint.reference)


def _status_notice(
    complaint: Complaint, event: ComplaintEvent, template: str = notices.STATUS
) -> list[Notification]:
    """The status the event left and its public sentence (its action and data, rendered when
    sent)."""
    params = {
        "status": event.to_status or complaint.status,
        "action": event.action,
        "data": event.data or {},
    }
    if event.message:  # an event written before sentences were rendered on reading
        params["message"] = event.message
    return complainant_notice_rows(complaint, template, params)


def reply_notices_queue(complaint: Complaint, *, sender: str) -> list[int]:
    """Tell the complainant that staff (``sender``, a ``MessageSender`` code) wrote to them;
    the message itself stays on the tracking page, behind the access code. Call in the reply's
    transaction."""
    rows = complainant_notice_rows(complaint, notices.REPLY, {"sender": sender})
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    deliver_on_commit(ids)
    return ids


def notices_queue(complaint: Complaint, events: list[ComplaintEvent]) -> list[int]:
    """The complainant's notices for ``events`` (called by ``transitions.write``, in the same
    transaction): the receipt for a submission, a notice for every public change of status and
    for a decided 复核.
    Delivered after commit, in the complaint's language."""
    rows: list[Notification] = []
    for event in events:
        if event.action == Action.SUBMIT:
            rows += complainant_notice_rows(
                complaint, notices.RECEIPT, {"title": complaint.title, "status": complaint.status}
            )
        elif event.action == Action.RESET_ACCESS_CODE:
            rows += complainant_notice_rows(complaint, notices.ACCESS_CODE_RESET, {})
        elif event.action == Action.ROUTE:
            continue  # the receipt names the status the routing gave
        elif event.action == Action.DECIDE_REVIEW and event.is_public:
            # Upheld or refused, the complainant who asked hears the decision.
            rows += _status_notice(complaint, event, notices.REVIEW_DECIDED)
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
            subject, body = notice_text(row)
            message = EmailMessage(
                subject,
                body,
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
                backend.send(row.recipient, notice_text(row)[1])
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
