"""Agency credit records (政务信用记录), their event log, the downstream outbox, scores,
objections and the integration clients that push records.

Writes go through ``credit_records.services``; nothing else sets a record's ``status``.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.choices import Channel
from integrity_portal.ttl_cache import TTLCache

from .choices import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    Kind,
    ObjectionStatus,
    Polarity,
    RecordAction,
    RecordStatus,
    Severity,
    Source,
)


class AppendOnly(models.Model):
    """Rows of an event log or outbox: inserted once, never updated or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self._meta.label} rows are append-only")


class CreditRecord(models.Model):
    """One fact in an agency's credit file: negative (失信信息) or positive (守信信息).

    ``polarity`` follows from ``kind`` and ``severity`` exists only for negative kinds; both are
    enforced by database constraints. ``(source, source_ref)`` identifies the fact at its origin
    so a repeated push, import or event replay finds the existing row instead of adding one.
    ``repair_eligible_on`` and ``publicity_ends`` are derived from severity and ``decided_on``
    (see ``credit_records.publicity``).
    """

    # FK indexes that a composite index below already leads with are left out: each index
    # costs every insert of the ingestion path.
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("主体"),
        on_delete=models.PROTECT,
        related_name="credit_records",
        db_index=False,  # credit_rec_agency_status_idx
    )
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    polarity = models.CharField(_("性质"), max_length=16, choices=Polarity.choices)
    severity = models.CharField(
        _("失信程度"), max_length=16, choices=Severity.choices, blank=True, default=""
    )
    facts = models.TextField(_("失信（守信）事实"), max_length=10000)
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decided_on = models.DateField(_("认定日期"))
    source = models.CharField(_("来源"), max_length=32, choices=Source.choices)
    source_ref = models.CharField(_("来源编号"), max_length=100)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("来源投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        db_index=False,  # credit_rec_complaint_idx
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    repair_eligible_on = models.DateField(_("可申请修复日期"), null=True, blank=True)
    publicity_ends = models.DateField(_("公示截止日期"), null=True, blank=True)
    # Pushed dishonest_debtor / arrears records (seed 002 item 10: 督导…限期履行): the date by
    # which the agency is to perform (``RecordPolicy.perform_workdays`` working days from the
    # push), when it was seen to perform, and when the overdue supervision notice went out.
    perform_due_on = models.DateField(_("限期履行日期"), null=True, blank=True)
    performed_on = models.DateField(_("履行日期"), null=True, blank=True)
    perform_supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never filtered on; staff accounts are deactivated, not deleted
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], name="%(app_label)s_%(class)s_unique_source_ref"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(NEGATIVE_KINDS), polarity=Polarity.NEGATIVE)
                | Q(kind__in=sorted(POSITIVE_KINDS), polarity=Polarity.POSITIVE),
                name="%(app_label)s_%(class)s_polarity_follows_kind",
            ),
            models.CheckConstraint(
                condition=Q(polarity=Polarity.NEGATIVE, severity__in=Severity.values)
                | Q(polarity=Polarity.POSITIVE, severity=""),
                name="%(app_label)s_%(class)s_severity_only_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecordStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
            ),
            # Minor records are never published (信用修复管理办法).
            models.CheckConstraint(
                condition=~Q(severity=Severity.MINOR) | Q(publicity_ends__isnull=True),
                name="%(app_label)s_%(class)s_minor_never_published",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="credit_rec_agency_status_idx"),
            models.Index(fields=["status", "publicity_ends"], name="credit_rec_publicity_idx"),
            models.Index(fields=["kind", "status"], name="credit_rec_kind_idx"),
            models.Index(fields=["severity", "status"], name="credit_rec_severity_idx"),
            models.Index(fields=["decided_on"], name="credit_rec_decided_idx"),
            models.Index(fields=["complaint", "kind"], name="credit_rec_complaint_idx"),
            # The supervision sweep's candidates: due, not performed, not yet supervised.
            models.Index(
                fields=["perform_due_on"],
                name="credit_rec_perform_due_idx",
                condition=Q(perform_due_on__isnull=False, perform_supervised_at__isnull=True),
            ),
            # Incremental pull (``updated_after``).
            models.Index(fields=["updated_at", "id"], name="credit_rec_updated_idx"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.kind} {self.decided_on}"

    @property
    def is_published(self) -> bool:
        """Inside its publicity window today (general/serious, active or under objection)."""
        from django.utils import timezone

        today = timezone.localdate()
        return (
            self.publicity_ends is not None
            and self.status in (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)
            and self.decided_on <= today < self.publicity_ends
        )


# Read on every push and by the sweeps; cached per process, cleared on save (apps.ready).
record_policy_cache = TTLCache(seconds=60)


class RecordPolicy(models.Model):
    """Terms of credit records the credit office sets as data (one row, edited in the admin).

    - ``minor_term_months``: a ``minor`` record (轻微失信, never published) ends this many
      months after its decision date and stops carrying sanctions. No national text fixes the
      term (信用修复管理办法 only says minor records are not published); the default of 3
      months — the minimum publicity of a general record, so a minor record never weighs
      longer than a general one must — is the office's choice.
    - ``perform_workdays``: a pushed ``dishonest_debtor`` or ``arrears`` record gives the
      agency this many working days from the push to perform (seed 002 item 10: 督导、敦促
      限期履行义务或将债务纳入本级财政预算); overdue, its supervising department gets a
      supervision notice. The seed fixes no number: 20 working days (about a month, like the
      default 30-day rectification of DESIGN section 5) is local practice.
    - ``public_concern_complaints``: seed 004 三(三) lets the credit office expose cases
      人民群众反映强烈; one objective sign of it is at least this many complaints against the
      agency in 12 months (the seed fixes no number: 5 is local practice). A credit officer's
      written reason is the other way onto that ground.
    """

    minor_term_months = models.PositiveSmallIntegerField(_("轻微失信记录有效期（月）"), default=3)
    perform_workdays = models.PositiveSmallIntegerField(_("限期履行（工作日）"), default=20)
    public_concern_complaints = models.PositiveSmallIntegerField(
        _("群众反映强烈：12个月内投诉不少于（件）"), default=5
    )

    class Meta:
        verbose_name = _("信用记录参数")
        verbose_name_plural = _("信用记录参数")

    def __str__(self):
        return str(_("信用记录参数"))

    def clean(self):
        """Each term at least 1: a minor term of 0 months would end every minor record at
        once, 0 working days would make every pushed record overdue on its day, and a
        threshold of 0 complaints would open the third ground to every record."""
        errors = {
            name: _("不能小于1。")
            for name in ("minor_term_months", "perform_workdays", "public_concern_complaints")
            if getattr(self, name) is not None and getattr(self, name) < 1
        }
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "RecordPolicy":
        """The row (pk 1), or the defaults when none was seeded."""

        def load():
            return cls.objects.filter(pk=1).first() or cls(pk=1)

        return record_policy_cache.get_or_load("policy", load)


class CreditRecordEvent(AppendOnly):
    """One change of a record (creation, objection, decision, expiry, revocation, repair)."""

    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=RecordAction.choices)
    from_status = models.CharField(
        max_length=20, choices=RecordStatus.choices, blank=True, default=""
    )
    to_status = models.CharField(max_length=20, choices=RecordStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never filtered on
    )
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录变更")
        verbose_name_plural = _("信用记录变更")
        ordering = ["record_id", "id"]

    def __str__(self):
        return f"{self.record_id} {self.action}"


class AgencyRecordChange(AppendOnly):
    """Outbox announcing that an agency's records changed (written in the same transaction).

    Downstream apps (sanctions) subscribe to ``signals.agency_records_changed`` and sweep this
    table by id with their own cursor, so a lost signal or a dead worker loses nothing and
    ``credit_records`` never imports them.
    """

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="credit_record_changes",
        db_index=False,  # credit_change_agency_idx
    )
    record = models.ForeignKey(
        CreditRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the outbox is read by id, never by record
    )
    reason = models.CharField(max_length=32, choices=RecordAction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用记录变动通知")
        verbose_name_plural = _("信用记录变动通知")
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "id"], name="credit_change_agency_idx")]

    def __str__(self):
        return f"{self.agency_id} {self.reason} #{self.pk}"


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


class AgencyCreditScore(models.Model):
    """The current score and grade of an agency, reconciled from its records by a task."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.PROTECT, related_name="credit_score", primary_key=True
    )
    score = models.DecimalField(_("信用分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("信用等级"), max_length=1)
    active_negative_records = models.PositiveIntegerField(_("有效失信记录数"), default=0)
    active_positive_records = models.PositiveIntegerField(_("有效守信记录数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("机构信用分")
        verbose_name_plural = _("机构信用分")
        indexes = [models.Index(fields=["grade", "score"], name="credit_score_grade_idx")]

    def __str__(self):
        return f"{self.agency_id} {self.score} {self.grade}"


class AgencyCreditScoreHistory(AppendOnly):
    """A row whenever an agency's score or grade changes: the trend chart's data."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="credit_score_history"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2)
    grade = models.CharField(max_length=1)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("信用分变化")
        verbose_name_plural = _("信用分变化")
        ordering = ["agency_id", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["agency", "recorded_at"], name="credit_score_hist_idx"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.score} @ {self.recorded_at:%Y-%m-%d}"


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


def integration_token_hash(token: str) -> str:
    """SHA-256 of an integration token: tokens are random, so a fast hash is enough and the
    plain value is never stored (shown once at creation)."""
    return hashlib.sha256(token.encode()).hexdigest()


class IntegrationClient(models.Model):
    """An external system (court, payment platform, 司法局, 12345) allowed to push records.

    It acts through a linked user with no staff role (so it can never open the console or see
    complaints) and may push only as its own ``source``. The token is stored as a hash.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    source = models.CharField(_("推送来源"), max_length=32, choices=Source.choices)
    # The complaint channel this origin system registers by (12345, the SME-payment
    # platform): its complaints carry that channel and the origin's work-order id.
    channel = models.CharField(
        _("投诉渠道"), max_length=32, choices=Channel.choices, blank=True, default=""
    )
    # May read the change feed (DESIGN section 9: "integration clients allowed to read it").
    reads_changes = models.BooleanField(_("可读取数据变更"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration_client"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source__in=[Source.COMPLAINT, Source.CSV_IMPORT]),
                name="%(app_label)s_%(class)s_pushable_source",
            ),
        ]

    def __str__(self):
        return self.name


class ArrearsPublication(models.Model):
    """The annual publication of overdue payments to SMEs (保障中小企业款项支付条例: by 31
    March, each body's contracts of the previous year still unpaid when due, count and amount;
    art. 16 of the 2020 text, kept by the 2025 revision: see ``services.publication``). A beat
    task drafts it in January; the credit office reviews and publishes it, which freezes its rows
    (``ArrearsPublicationRow``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已公开")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    drafted_at = models.DateTimeField(_("起草时间"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("拖欠账款年度公开")
        verbose_name_plural = _("拖欠账款年度公开")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.status}"


class ArrearsPublicationRow(models.Model):
    """One agency's line of a publication: its overdue contracts and the amount overdue."""

    publication = models.ForeignKey(
        ArrearsPublication, on_delete=models.CASCADE, related_name="rows"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    overdue_contracts = models.PositiveIntegerField(_("逾期合同数"))
    overdue_amount = models.DecimalField(_("逾期金额（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("拖欠账款公开明细")
        verbose_name_plural = _("拖欠账款公开明细")
        ordering = ["publication_id", "-overdue_amount", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "agency"], name="%(app_label)s_%(class)s_one_per_agency"
            )
        ]

    def __str__(self):
        return f"{self.publication_id} {self.agency_id}"
