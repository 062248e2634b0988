"""The complaint, its append-only event log, the loan prime rates its late interest reads,
staff's saved queue filters and the reference counter."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import (
    OPEN_STATUSES,
    Action,
    ActorKind,
    Channel,
    ComplainantType,
    Domain,
    Severity,
    Status,
)

# The stage outcomes (``services.outcomes``), covered by the evaluation's index.
EVALUATION_OUTCOMES = (
    "routed_at",
    "routed_on_time",
    "accepted_on_time",
    "verified_on_time",
    "founded_at",
    "first_closed_at",
    "reopened_at",
    "handling_workdays",
)


class Complaint(models.Model):
    """A breach-of-contract complaint (违约失信投诉) against a government body.

    ``status`` is only ever changed through ``complaints.services.transitions`` (begin → move →
    write), which also writes a ``ComplaintEvent``. ``version`` is bumped by every change so a
    console form opened before someone else acted is refused as stale. The event chain's head is
    kept on the row: ``last_event_seq`` (its length) and ``last_event_hash`` (its last event's
    hash), so that a deleted event shows and the next event is chained without reading the log;
    ``chain_seal`` is a keyed HMAC over the id and the head, so that the head cannot be wound
    back to hide deleted events (``complaints.services.events.chain_seal``).
    """

    reference = models.CharField(_("受理编号"), max_length=20, unique=True)
    # Keyed HMAC-SHA256 of the access code (DESIGN section 11); the code itself is shown once.
    access_code_hash = models.CharField(max_length=64)
    channel = models.CharField(
        _("受理渠道"), max_length=32, choices=Channel.choices, default=Channel.WEB
    )
    # The work-order id at the origin system (12345, the SME-payment platform): unique per
    # channel, so a retried push finds the first complaint instead of making a second one.
    external_ref = models.CharField(_("来源系统工单号"), max_length=100, blank=True, default="")
    # The complainant's language (a code of settings.LANGUAGES), taken from the request that
    # filed the complaint: their e-mails and SMS are rendered in it when they are sent.
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    version = models.PositiveIntegerField(default=1)
    last_event_seq = models.PositiveIntegerField(default=0, db_default=0)
    last_event_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    chain_seal = models.CharField(max_length=64, blank=True, default="", db_default="")

    complainant_type = models.CharField(
        _("投诉人类型"), max_length=16, choices=ComplainantType.choices
    )
    complainant_name = models.CharField(_("投诉人名称"), max_length=200)
    # Every index is maintained on every submission, so there is none that nothing reads:
    # USCC and phone are compared only inside the duplicate probe (its own index below), and
    # the agency foreign keys are the leading columns of the queue and probe indexes.
    complainant_uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, default=""
    )
    contact_name = models.CharField(_("联系人"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    contact_email = models.EmailField(_("电子邮箱"), blank=True, default="")
    consent_to_share_contact = models.BooleanField(_("同意向被投诉主体提供联系方式"), default=False)

    respondent_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("被投诉主体"),
        on_delete=models.PROTECT,
        related_name="complaints_against",
        db_index=False,  # complaints_respondent_idx and the probe index lead with it
    )
    handling_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
        db_index=False,  # complaints_handler_queue_idx leads with it
    )
    # The named handler of the handling department the case is given to (指派); empty = the
    # department's as a whole. Changed only through ``services.assignment`` (an event each
    # time); cleared when the case moves to another department.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_assigned",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_registered",
    )

    domain = models.CharField(_("领域"), max_length=32, choices=Domain.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("投诉内容"), max_length=10000)
    contract_title = models.CharField(_("合同或承诺名称"), max_length=200, blank=True, default="")
    contract_signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    amount_involved = models.DecimalField(
        _("涉及金额（元）"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    remedy_sought = models.TextField(_("诉求"), max_length=5000, blank=True, default="")

    # Payment arrears facts (DESIGN section 12; 保障中小企业款项支付条例), only on
    # ``payment_arrears`` complaints. ``amount_outstanding`` is what is still owed: each payment
    # the handler records (an event, ``record_payment``) moves its amount to ``amount_cleared``.
    contract_amount = models.DecimalField(
        _("合同金额（元）"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    delivered_on = models.DateField(_("交付或验收日期"), null=True, blank=True)
    payment_due_on = models.DateField(_("约定付款日期"), null=True, blank=True)
    # The daily late-interest rate the contract agreed (第十七条), as a fraction:
    # 0.0005 is 万分之五.
    agreed_daily_rate = models.DecimalField(
        _("约定逾期利息日利率"), max_digits=9, decimal_places=8, null=True, blank=True
    )
    amount_outstanding = models.DecimalField(
        _("欠款金额（元）"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    amount_cleared = models.DecimalField(
        _("已清偿金额（元）"), max_digits=15, decimal_places=2, default=0
    )
    # A code from ``complaints.arrears`` when the agreed term passes the statute's (第九条).
    payment_term_warning = models.CharField(
        _("付款期限提示"), max_length=16, blank=True, default=""
    )

    # Duplicates are accepted and linked, never merged or dropped (flagged for the handler).
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    # Outcome fields, set by the workflow services.
    severity = models.CharField(
        _("失信程度"), max_length=16, choices=Severity.choices, blank=True, default=""
    )
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    explanation = models.TextField(_("情况说明"), blank=True, default="")
    # 复核: when the complainant asked for a review of an unfounded finding, until decided.
    review_requested_at = models.DateTimeField(_("申请复核时间"), null=True, blank=True)

    # Deadlines: ``due_at`` is the current stage's due time (DESIGN section 5).
    stage_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("约谈提示时间"), null=True, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # The outcome of each stage, set when the stage ends (``services.outcomes``), so that the
    # evaluation's figures are SQL aggregates (DESIGN section 8). Null: the stage has not ended.
    routed_at = models.DateTimeField(_("首次转办时间"), null=True, blank=True)
    routed_on_time = models.BooleanField(_("按时转办"), null=True, blank=True)
    accepted_on_time = models.BooleanField(_("按时受理"), null=True, blank=True)
    verified_on_time = models.BooleanField(_("按时核实"), null=True, blank=True)
    founded_at = models.DateTimeField(_("认定属实时间"), null=True, blank=True)
    first_closed_at = models.DateTimeField(_("首次办结时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("重新核查时间"), null=True, blank=True)
    handling_workdays = models.PositiveIntegerField(_("办理工作日数"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The evaluation's figures (one GROUP BY over a period's submissions, DESIGN
            # section 8) read every column they count from this index alone (an index-only
            # scan): the complaint rows themselves are wide and, for a period, scattered.
            models.Index(
                fields=["submitted_at"],
                include=[
                    "id",
                    "respondent_agency",
                    "handling_agency",
                    "status",
                    "domain",
                    "due_at",
                    "clock_paused_at",
                    "supervised_at",
                    "closed_at",
                    "amount_involved",
                    *EVALUATION_OUTCOMES,
                ],
                name="complaints_evaluation_idx",
            ),
            # Incremental pull (``updated_after``) reads by change time.
            models.Index(fields=["updated_at", "id"], name="complaints_updated_idx"),
            # Counts per status (and overdue counts) answered from the index alone: every
            # column of the filter, including clock_paused_at, is a key column.
            models.Index(
                fields=["handling_agency", "status", "due_at"], name="complaints_handler_queue_idx"
            ),
            models.Index(fields=["respondent_agency", "status"], name="complaints_respondent_idx"),
            models.Index(
                fields=["status", "due_at", "clock_paused_at"], name="complaints_status_due_idx"
            ),
            models.Index(
                fields=["domain", "status", "due_at", "clock_paused_at"],
                name="complaints_domain_idx",
            ),
            # The intake's duplicate probe (same respondent, same contract, within 90 days,
            # not itself a duplicate): without it the probe read every complaint against the
            # respondent. The registered_by foreign key has its own index already.
            models.Index(
                fields=["respondent_agency", "contract_title", "submitted_at"],
                condition=Q(duplicate_of__isnull=True),
                name="complaints_duplicate_probe_idx",
            ),
            # The queues list open cases by due date across six open statuses; an index on
            # (status, due_at) cannot give that order, so these partial indexes keep open cases
            # in queue order and a page is read off the front instead of sorting them all.
            models.Index(
                fields=["due_at", "submitted_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="complaints_open_queue_idx",
            ),
            models.Index(
                fields=["handling_agency", "due_at", "submitted_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="complaints_open_handler_idx",
            ),
        ]
        constraints = [
            # DESIGN section 13: a retry with the same origin id never makes a second complaint.
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="%(app_label)s_%(class)s_unique_external_ref",
            ),
            models.CheckConstraint(
                condition=~Q(complainant_type=ComplainantType.ENTERPRISE) | ~Q(complainant_uscc=""),
                name="%(app_label)s_%(class)s_enterprise_has_uscc",
            ),
            models.CheckConstraint(
                condition=Q(amount_involved__isnull=True) | Q(amount_involved__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_outstanding__isnull=True) | Q(amount_outstanding__gte=0),
                name="%(app_label)s_%(class)s_outstanding_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_cleared__gte=0),
                name="%(app_label)s_%(class)s_cleared_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"


class LoanPrimeRate(models.Model):
    """The one-year loan prime rate (贷款市场报价利率) from a date on: the floor of an agreed
    late-interest rate (保障中小企业款项支付条例 第十七条). Data, seeded with the published
    history and edited in the admin as new rates are announced (on the 20th of each month)."""

    effective_on = models.DateField(_("执行日期"), unique=True)
    one_year_rate = models.DecimalField(
        _("一年期LPR（年利率，小数）"), max_digits=6, decimal_places=5
    )

    class Meta:
        verbose_name = _("贷款市场报价利率")
        verbose_name_plural = _("贷款市场报价利率")
        ordering = ["effective_on"]

    def __str__(self):
        return f"{self.effective_on} {self.one_year_rate}"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk ``update()``/``delete()`` refused: the event log is append-only (DESIGN section 4)."""

    def update(self, **kwargs):
        raise ValidationError("complaint events are append-only")

    def delete(self):
        raise ValidationError("complaint events are append-only")

    def _raw_delete(self, using):
        raise ValidationError("complaint events are append-only")


class ComplaintEvent(models.Model):
    """One action on a complaint: append-only and hash-chained per complaint.

    ``action`` and ``data`` (the action's parameters) are what the timeline is rendered from,
    in the reader's language (``complaints.timeline``); only public events reach the
    complainant. ``note`` is text a staff member wrote for staff, never shown to the
    complainant or the respondent. ``message`` holds the rendered text of events written before
    the timeline was rendered on reading (kept, being hashed; empty on new events). Downstream
    apps (credit records) consume these rows as a transactional outbox, keyed by the event id.
    """

    # No index of its own: the unique (complaint, seq) constraint leads with it.
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True, default="")
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices, default=ActorKind.STAFF)
    is_public = models.BooleanField(default=True)
    message = models.TextField(blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["complaint_id", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "seq"], name="%(app_label)s_%(class)s_unique_seq"
            ),
        ]
        indexes = [models.Index(fields=["to_status", "id"], name="complaints_event_to_idx")]

    def __str__(self):
        return f"{self.complaint_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValidationError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("complaint events are append-only")


class SavedFilter(models.Model):
    """A queue filter a staff member saved under a name (the query string of the queue page,
    without page and export), listed on their queue only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self):
        return self.name


class ReferenceCounter(models.Model):
    """Per-year counter behind reference numbers on SQLite (which serialises writers anyway).

    On PostgreSQL references come from one SEQUENCE per year instead, so concurrent
    submissions never queue on a locked counter row (see ``complaints.services.references``).
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("受理编号计数器")
        verbose_name_plural = _("受理编号计数器")

    def __str__(self):
        return f"{self.year}: {self.last}"
