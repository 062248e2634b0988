"""The credit record, the terms the credit office sets for records (``RecordPolicy``), the
record's append-only event log and the outbox that announces an agency's changed records to the
apps downstream.

Writes go through ``credit_records.services``; nothing else sets a record's ``status``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from integrity_portal.ttl_cache import TTLCache

from ..choices import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    Kind,
    Polarity,
    RecordAction,
    RecordStatus,
    Severity,
    Source,
)


class AppendOnly(models.Model):
    """Rows of an event log or outbox: inserted once, never updated or deleted (PostgreSQL
    refuses it too: a trigger on each such table, credit_records 0006 and 0009, sanctions
    0006)."""

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
    table by id with their own cursor, moved only over ids no open transaction can still
    commit (``integrity_portal.settled``), so a lost signal or a dead worker loses nothing and
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
