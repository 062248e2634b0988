"""The ingestion consumer's bookkeeping of complaint events: which it has consumed, which
failed on their own and wait for a retry, and how far back the sweep must read
(``services.ingestion``, ``services.ingestion_drain``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from integrity_portal.settled import PendingHead


class ConsumedComplaintEvent(models.Model):
    """Claim of one complaint event by the ingestion consumer (unique: consumed at most once).

    The claim is an ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` inside the ingestion
    transaction: a second worker given the same event waits on the unique index and gets
    nothing back, so redelivery and replay never double-count.
    """

    event = models.OneToOneField(
        "complaints.ComplaintEvent",
        on_delete=models.PROTECT,
        related_name="credit_consumption",
        primary_key=True,
    )
    consumed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("已处理投诉事件")
        verbose_name_plural = _("已处理投诉事件")

    def __str__(self):
        return str(self.event_id)


class ComplaintEventIngestFailure(models.Model):
    """An outcome event whose ingestion failed on its own (its batch was retried event by
    event and this one raised): the batch drain skips it, the sweep retries it alone once
    ``retry_at`` has come (backoff 1, 2, 4 … min, capped), and its row is deleted when it is
    finally consumed. Never a reason to lose or double a record: the claim is still
    ``ConsumedComplaintEvent``."""

    event = models.OneToOneField(
        "complaints.ComplaintEvent",
        on_delete=models.PROTECT,
        related_name="credit_ingest_failure",
        primary_key=True,
    )
    attempts = models.PositiveSmallIntegerField(default=1)
    retry_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("入库失败的投诉事件")
        verbose_name_plural = _("入库失败的投诉事件")

    def __str__(self):
        return str(self.event_id)


class ComplaintEventWatermark(PendingHead):
    """Where the ingestion sweep starts (one row): every outcome event up to ``event_id`` is
    consumed or has a failure row. ``pending_upto`` is a head of the event log that becomes
    settled once the transactions in ``pending_writers`` have ended; why that cannot skip a
    late event: ``services.ingestion_drain`` and ``integrity_portal.settled``."""

    event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投诉事件入库水位")
        verbose_name_plural = _("投诉事件入库水位")

    def __str__(self):
        return str(self.event_id)
