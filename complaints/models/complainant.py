"""What the complainant sends and receives: evidence, messages, feedback, the notification
outbox, access-code recovery, staged uploads and the issued documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrity_portal.outbox import OutboxRow

from ..choices import (
    ActorKind,
    MessageSender,
    NotificationChannel,
    Satisfaction,
)
from .case import Complaint


def _evidence_path(instance, filename):
    # Random name, no user-supplied part: the original name is kept in ``original_name``.
    return f"evidence/{instance.complaint_id or 'new'}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An evidence file. Stored under a random name in MEDIA_ROOT (never served statically)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by_kind = models.CharField(
        max_length=16, choices=ActorKind.choices, default=ActorKind.COMPLAINANT
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ComplaintMessage(models.Model):
    """A message between the complainant and the staff, visible to both."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    sender = models.CharField(max_length=16, choices=MessageSender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["complaint_id", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.sender}"


class Feedback(models.Model):
    """回访: the complainant rates a closed case once; 不满意 is flagged to the credit office."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="feedback")
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(max_length=2000, blank=True, default="")
    # 不满意 goes on the credit office's follow-up list until someone clears the flag.
    flagged = models.BooleanField(_("需信用办关注"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")

    def __str__(self):
        return f"{self.complaint_id} {self.satisfaction}"


class Notification(OutboxRow):
    """Outbox row for an email or SMS. Written in the transaction of the change it announces;
    a drain delivers it in batches after commit and a periodic sweep retries anything unsent
    (``integrity_portal.outbox``)."""

    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    channel = models.CharField(max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField(blank=True, default="")
    # A notice to the complainant is stored as a text code and its parameters and rendered
    # when it is sent, in ``language`` (the complaint's; ``complaints.notices``). Rows without
    # a code (staff e-mails) carry their text in ``subject`` and ``body``.
    template = models.CharField(max_length=40, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(sent_at__isnull=True),
                name="complaints_notification_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.channel} → {self.recipient}"


class AccessCodeRecovery(models.Model):
    """找回查询码: one request for a one-time code, kept as the log of who asked when.

    Every request is a row, matched or not (``complaint`` is set only when the reference and
    the contact on file matched), so the throttle counts rows and the credit office can read
    the attempts. Only a keyed HMAC of the one-time code is stored, as for access codes.
    """

    reference = models.CharField(_("受理编号"), max_length=20)
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_code_recoveries",
    )
    client = models.CharField(_("客户端地址"), max_length=64)
    channel = models.CharField(
        _("发送渠道"), max_length=8, choices=NotificationChannel.choices, blank=True, default=""
    )
    code_hash = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("找回查询码记录")
        verbose_name_plural = _("找回查询码记录")
        indexes = [
            models.Index(fields=["reference", "created_at"], name="complaints_recovery_ref"),
            models.Index(fields=["client", "created_at"], name="complaints_recovery_client"),
        ]

    def __str__(self):
        return f"{self.reference} {self.created_at:%Y-%m-%d %H:%M}"


def _staged_path(instance, filename):
    # Random name, no user-supplied part, outside static files like the evidence itself.
    return f"staged/{uuid.uuid4().hex}"


class StagedUpload(models.Model):
    """An evidence file chosen on the public form before the complaint exists.

    A failed submission or the agency search re-renders the form, and a browser cannot put a
    chosen file back into a file input: the file is kept here, tied to the form by a random
    ``token`` (a hidden field: only the page that chose it can name it), and becomes an
    ``Attachment`` when the complaint is filed. Rows and files older than a day are removed by
    ``complaints.tasks.staged_uploads_purge``."""

    token = models.CharField(max_length=32, db_index=True)
    file = models.FileField(upload_to=_staged_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("暂存的证据材料")
        verbose_name_plural = _("暂存的证据材料")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class IssuedDocument(models.Model):
    """A printable document issued to the complainant — the receipt (受理回执) or the
    acknowledgement (受理告知书) — kept as issued, so anyone holding the paper can check it at
    ``/verify/<code>/``: what was issued, when, by whom, and whether it still stands.

    ``content`` is what the document states; ``content_hash`` its SHA-256 over a canonical
    form, printed (shortened) on the paper and carried by the QR code: a printout whose text or
    fingerprint was altered no longer matches."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("受理回执")
        ACKNOWLEDGEMENT = "acknowledgement", _("受理告知书")

    code = models.CharField(_("验证码"), max_length=16, unique=True)
    kind = models.CharField(_("文书类型"), max_length=16, choices=Kind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="documents")
    issuer = models.CharField(_("出具单位"), max_length=200)
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    content = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("出具的文书")
        verbose_name_plural = _("出具的文书")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind"], name="%(app_label)s_%(class)s_one_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.code}"
