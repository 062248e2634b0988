"""Objections (异议) to credit records and their evidence files; ``EvidenceFile`` is also the
base of ``sanctions.RepairFile``."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ObjectionStatus
from .record import CreditRecord


class Objection(models.Model):
    """异议 (seed 002 item 15): an agency disputes one of its records.

    The credit office decides within 10 working days (``due_on``): upheld → record revoked;
    dismissed → record back to active. At most one pending objection per record.
    """

    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("异议理由"), max_length=5000)
    evidence_note = models.TextField(_("证据说明"), max_length=5000, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("提出时间"))
    due_on = models.DateField(_("处理期限"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), max_length=5000, blank=True, default="")

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status=ObjectionStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending_per_record",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="credit_objection_due_idx"),
            models.Index(fields=["agency", "status"], name="credit_objection_agency_idx"),
        ]

    def __str__(self):
        return f"{self.record_id} {self.status}"


def _evidence_path(instance, filename):
    # Random name, no user-supplied part (the uploaded name is kept in ``original_name``).
    return f"evidence/{instance._meta.model_name}/{uuid.uuid4().hex}"


class EvidenceFile(models.Model):
    """An evidence file attached to an objection or a repair application, handled as complaint
    evidence is (DESIGN section 11): type by content, size and count limits
    (``complaints.files.evidence_check``), stored under a random name outside static files,
    served only by a permission-checked view as a download under a generated name."""

    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class ObjectionFile(EvidenceFile):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="files")

    class Meta(EvidenceFile.Meta):
        verbose_name = _("异议证据材料")
        verbose_name_plural = _("异议证据材料")
