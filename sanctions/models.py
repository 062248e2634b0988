"""Sanction rules (惩戒规则), the sanctions they impose, credit checks, repairs (信用修复),
credit-office tasks with printable notices, and typical cases (典型案例).

Sanctions are derived state: only ``services.reconcile`` creates or lifts them. Repairs change
status only through ``services.repairs``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from credit_records.models import AppendOnly, EvidenceFile
from integrity_portal.settled import PendingHead

from .choices import (
    LiftReason,
    RepairAction,
    RepairStatus,
    SanctionStatus,
    TaskKind,
    TaskStatus,
    TypicalGround,
)


class Measure(models.Model):
    """One measure of the catalogue (DESIGN section 7); ``code`` is part of the contract."""

    code = models.CharField(_("代码"), max_length=40, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("惩戒措施")
        verbose_name_plural = _("惩戒措施")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the current interface language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name


class SanctionRule(models.Model):
    """惩戒规则: "an agency with at least ``min_count`` in-force negative records of ``kinds``
    (empty = any negative kind) of at least ``min_severity``, decided within the last
    ``window_months`` (empty = any time), bears ``measures``"."""

    name = models.CharField(_("名称"), max_length=100)
    kinds = models.JSONField(_("记录类别"), default=list, blank=True)
    min_severity = models.CharField(_("最低失信程度"), max_length=16, blank=True, default="")
    min_count = models.PositiveSmallIntegerField(_("记录数不少于"), default=1)
    window_months = models.PositiveSmallIntegerField(
        _("统计期（月）"), null=True, blank=True, help_text=_("留空表示不限期间。")
    )
    measures = models.ManyToManyField(Measure, verbose_name=_("惩戒措施"), related_name="rules")
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("惩戒规则")
        verbose_name_plural = _("惩戒规则")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_count__gte=1), name="%(app_label)s_%(class)s_min_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_severity__in=["", "minor", "general", "serious"]),
                name="%(app_label)s_%(class)s_min_severity_valid",
            ),
            models.CheckConstraint(
                condition=Q(window_months__isnull=True) | Q(window_months__gte=1),
                name="%(app_label)s_%(class)s_window_positive",
            ),
        ]

    def __str__(self):
        return self.name


class RuleChange(models.Model):
    """Audit row of one edit of a rule (who, when, before and after)."""

    rule = models.ForeignKey(SanctionRule, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=16)  # create | update
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("惩戒规则修改记录")
        verbose_name_plural = _("惩戒规则修改记录")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.rule_id} {self.action}"


class Sanction(models.Model):
    """One measure an agency bears because of one rule, with the records it rests on."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("主体"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    rule = models.ForeignKey(
        SanctionRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="sanctions"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("惩戒措施"), on_delete=models.PROTECT, related_name="sanctions"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SanctionStatus.choices, default=SanctionStatus.ACTIVE
    )
    basis_records = models.ManyToManyField(
        "credit_records.CreditRecord", verbose_name=_("依据记录"), related_name="sanctions"
    )
    imposed_at = models.DateTimeField(_("实施时间"))
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.CharField(
        _("解除原因"), max_length=16, choices=LiftReason.choices, blank=True, default=""
    )
    # Set by every write (the reconcile's bulk lift sets it explicitly): incremental pull.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("失信惩戒")
        verbose_name_plural = _("失信惩戒")
        ordering = ["-imposed_at", "-id"]
        constraints = [
            # Two concurrent reconciles of one agency cannot both impose the same sanction.
            models.UniqueConstraint(
                fields=["agency", "rule", "measure"],
                condition=Q(status=SanctionStatus.ACTIVE),
                name="%(app_label)s_%(class)s_one_active_per_rule_measure",
            ),
            models.CheckConstraint(
                condition=Q(status=SanctionStatus.ACTIVE, lifted_at__isnull=True, lift_reason="")
                | Q(status=SanctionStatus.LIFTED, lifted_at__isnull=False) & ~Q(lift_reason=""),
                name="%(app_label)s_%(class)s_lifted_has_time_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="sanction_agency_status_idx"),
            models.Index(fields=["measure", "status"], name="sanction_measure_status_idx"),
            models.Index(fields=["updated_at", "id"], name="sanction_updated_idx"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.measure_id} {self.status}"


class CreditCheck(models.Model):
    """信用核查 log: every question "may agency X receive measure M?" with who asked, why and
    what the answer was (DESIGN section 11: logged access)."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("核查事由"), max_length=500)
    restricted = models.BooleanField(_("是否受限"))
    sanction_ids = models.JSONField(_("依据惩戒"), default=list, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("核查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用核查记录")
        verbose_name_plural = _("信用核查记录")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "checked_at"], name="credit_check_agency_idx"),
            models.Index(fields=["checked_by", "checked_at"], name="credit_check_user_idx"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.measure_id} {self.restricted}"


class Repair(models.Model):
    """信用修复 application for one negative record (seed 004 二(五); 信用修复管理办法).

    ``confirming_agency`` is the department that determined the breach (the complaint's handling
    agency when the record comes from a complaint); it must confirm performance before the credit
    office decides. ``due_on`` is the decision deadline (10 working days from application).
    """

    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    confirming_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("认定部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement = models.TextField(_("修复申请说明"), max_length=5000)
    commitment = models.BooleanField(_("已作出信用承诺"))
    evidence_note = models.TextField(_("履约证明材料说明"), max_length=5000, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=RepairStatus.choices, default=RepairStatus.PENDING
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("申请时间"))
    due_on = models.DateField(_("办理期限"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirm_note = models.TextField(_("确认意见"), max_length=5000, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), max_length=5000, blank=True, default="")

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="%(app_label)s_%(class)s_one_open_per_record",
            ),
            models.CheckConstraint(
                condition=Q(commitment=True),
                name="%(app_label)s_%(class)s_commitment_required",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="repair_status_due_idx"),
            models.Index(fields=["agency", "status"], name="repair_agency_status_idx"),
            models.Index(fields=["confirming_agency", "status"], name="repair_confirming_idx"),
        ]

    def __str__(self):
        return f"{self.record_id} {self.status}"

    @property
    def needs_confirmation(self) -> bool:
        return self.confirming_agency_id is not None

    @property
    def awaiting(self) -> str:
        """The status as what is awaited next: a pending application awaits the determining
        department's confirmation only when there is one (a pushed record has none)."""
        if self.status == RepairStatus.PENDING:
            if self.needs_confirmation:
                return _("待认定部门确认履约")
            return _("待信用办审核")
        if self.status == RepairStatus.CONFIRMED:
            return _("已确认履约，待信用办审核")
        return self.get_status_display()


class RepairFile(EvidenceFile):
    """Evidence of performance attached to a repair application (履约证明材料)."""

    repair = models.ForeignKey(Repair, on_delete=models.PROTECT, related_name="files")

    class Meta(EvidenceFile.Meta):
        verbose_name = _("修复证明材料")
        verbose_name_plural = _("修复证明材料")


class RepairEvent(AppendOnly):
    """Append-only log of a repair's steps (apply, confirm, approve, reject); PostgreSQL
    refuses UPDATE and DELETE too (migration 0006)."""

    repair = models.ForeignKey(Repair, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=RepairAction.choices)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("信用修复办理记录")
        verbose_name_plural = _("信用修复办理记录")
        ordering = ["repair_id", "id"]

    def __str__(self):
        return f"{self.repair_id} {self.action}"


class OfficeTask(models.Model):
    """A task for the credit office: issue a notice (通报), hold a leader interview (约谈),
    consider exposure (曝光), or decide an overdue repair. One per sanction or repair and kind."""

    kind = models.CharField(_("类别"), max_length=20, choices=TaskKind.choices)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    repair = models.ForeignKey(
        Repair, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用办待办")
        verbose_name_plural = _("信用办待办")
        ordering = ["status", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sanction", "kind"],
                condition=Q(sanction__isnull=False),
                name="%(app_label)s_%(class)s_one_per_sanction",
            ),
            models.UniqueConstraint(
                fields=["repair", "kind"],
                condition=Q(repair__isnull=False),
                name="%(app_label)s_%(class)s_one_per_repair",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="office_task_status_idx")]

    def __str__(self):
        return f"{self.kind} {self.agency_id}"


class TypicalCase(models.Model):
    """典型案例 (seed 004 三(三)): a serious, repeated or publicly resented case the credit
    office publishes (``ground``).

    Text is written by the credit office for the public; it never carries the complainant's
    identity (the service refuses text containing the complainant's name, code or phone).
    """

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("主体"), on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(
        "credit_records.CreditRecord",
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="typical_cases",
    )
    title = models.CharField(_("标题"), max_length=200)
    facts = models.TextField(_("失信事实"), max_length=5000)
    outcome = models.TextField(_("处理结果"), max_length=5000)
    ground = models.CharField(
        _("曝光依据"), max_length=32, choices=TypicalGround.choices, blank=True, default=""
    )
    # The credit officer's reason why the public feels strongly (seed 004 三(三)), kept as
    # written; required when it is the only ground.
    concern_reason = models.TextField(
        _("群众反映强烈的理由"), max_length=5000, blank=True, default=""
    )
    is_published = models.BooleanField(_("公开"), default=True)
    published_at = models.DateTimeField(_("发布时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], name="%(app_label)s_%(class)s_one_per_record"
            ),
        ]

    def __str__(self):
        return self.title


class ChangeCursor(PendingHead):
    """How far the sanctions sweep has read the ``AgencyRecordChange`` outbox: every change up
    to ``last_id`` is committed and its agency was reconciled after it committed.
    ``pending_upto`` is a head of the outbox that becomes settled once the transactions in
    ``pending_writers`` have ended (``services.reconcile.record_changes_sweep``,
    ``integrity_portal.settled``)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("变动读取位置")
        verbose_name_plural = _("变动读取位置")

    def __str__(self):
        return f"{self.name}: {self.last_id}"
