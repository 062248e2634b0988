"""Codes of agency credit records (DESIGN sections 6 and 9 — part of the public contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# One severity scale for complaints and records (信用修复管理办法); reused, never redefined.
from complaints.choices import Severity

__all__ = [
    "NEGATIVE_KINDS",
    "PERFORM_KINDS",
    "POLARITY_OF_KIND",
    "POSITIVE_KINDS",
    "PUBLISHED_SEVERITIES",
    "RECORD_TRANSITIONS",
    "Kind",
    "ObjectionStatus",
    "Polarity",
    "RecordAction",
    "RecordStatus",
    "Severity",
    "Source",
]


class Polarity(models.TextChoices):
    NEGATIVE = "negative", _("失信信息")
    POSITIVE = "positive", _("守信信息")


class Kind(models.TextChoices):
    BREACH = "breach", _("违约失信")
    ARREARS = "arrears", _("拖欠中小企业账款")
    DISHONEST_DEBTOR = "dishonest_debtor", _("失信被执行人")
    POLICY_UNFULFILLED = "policy_unfulfilled", _("政策未兑现")
    PROMISE_KEPT = "promise_kept", _("履约践诺")


POLARITY_OF_KIND: dict[str, str] = {
    Kind.BREACH: Polarity.NEGATIVE,
    Kind.ARREARS: Polarity.NEGATIVE,
    Kind.DISHONEST_DEBTOR: Polarity.NEGATIVE,
    Kind.POLICY_UNFULFILLED: Polarity.NEGATIVE,
    Kind.PROMISE_KEPT: Polarity.POSITIVE,
}
NEGATIVE_KINDS = frozenset(k for k, p in POLARITY_OF_KIND.items() if p == Polarity.NEGATIVE)
POSITIVE_KINDS = frozenset(k for k, p in POLARITY_OF_KIND.items() if p == Polarity.POSITIVE)

# Minor records are never published (信用修复管理办法); general and serious ones are, for a window.
PUBLISHED_SEVERITIES = frozenset({Severity.GENERAL, Severity.SERIOUS})

# Pushed records of these kinds carry a deadline to perform (seed 002 item 10: the court
# pushes 失信被执行人 and the credit office 督导…限期履行义务或将债务纳入本级财政预算; an
# unpaid SME debt is the same obligation to pay).
PERFORM_KINDS = frozenset({Kind.DISHONEST_DEBTOR, Kind.ARREARS})


class Source(models.TextChoices):
    """Where a record came from: the platform itself or the department that pushed it."""

    COMPLAINT = "complaint", _("违约失信投诉")
    COURT = "court", _("人民法院")
    PAYMENT_PLATFORM = "payment_platform", _("保障中小企业款项支付投诉平台（经信局）")
    JUSTICE_BUREAU = "justice_bureau", _("司法局")
    HOTLINE_12345 = "hotline_12345", _("12345政务服务便民热线")
    CREDIT_OFFICE = "credit_office", _("信用办")
    CSV_IMPORT = "csv_import", _("批量导入")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    UNDER_OBJECTION = "under_objection", _("异议处理中")
    REPAIRED = "repaired", _("已修复")
    EXPIRED = "expired", _("公示期满")
    REVOKED = "revoked", _("已撤销")


class RecordAction(models.TextChoices):
    CREATE = "create", _("记录生成")
    FILE_OBJECTION = "file_objection", _("提出异议")
    UPHOLD_OBJECTION = "uphold_objection", _("异议成立")
    DISMISS_OBJECTION = "dismiss_objection", _("异议不成立")
    EXPIRE = "expire", _("公示期满")
    REVOKE = "revoke", _("撤销")
    REPAIR = "repair", _("信用修复")
    # The source that pushed the record takes it back (court delisting, payment made).
    WITHDRAW = "withdraw", _("来源撤回")
    # A minor record reached the end of its term (``RecordPolicy.minor_term_months``).
    MINOR_TERM_END = "minor_term_end", _("轻微失信期满")
    # A pushed record's deadline to perform (seed 002 item 10): performed, or overdue and
    # supervised. Neither changes the record's status.
    PERFORM = "perform", _("已履行")
    SUPERVISION_NOTICE = "supervision_notice", _("限期履行督办")
    # The credit office published the record as a typical case (seed 004 三(三)).
    TYPICAL_CASE = "typical_case", _("列为典型案例")


# Allowed record transitions as data: action → (allowed from-statuses, to-status).
RECORD_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    RecordAction.FILE_OBJECTION: (frozenset({RecordStatus.ACTIVE}), RecordStatus.UNDER_OBJECTION),
    RecordAction.UPHOLD_OBJECTION: (
        frozenset({RecordStatus.UNDER_OBJECTION}),
        RecordStatus.REVOKED,
    ),
    RecordAction.DISMISS_OBJECTION: (
        frozenset({RecordStatus.UNDER_OBJECTION}),
        RecordStatus.ACTIVE,
    ),
    RecordAction.EXPIRE: (frozenset({RecordStatus.ACTIVE}), RecordStatus.EXPIRED),
    RecordAction.MINOR_TERM_END: (frozenset({RecordStatus.ACTIVE}), RecordStatus.EXPIRED),
    # A reopened complaint withdraws the determination the record rests on, whatever became of
    # the record since (a new determination creates a new record).
    RecordAction.REVOKE: (
        frozenset(
            {
                RecordStatus.ACTIVE,
                RecordStatus.UNDER_OBJECTION,
                RecordStatus.EXPIRED,
                RecordStatus.REPAIRED,
            }
        ),
        RecordStatus.REVOKED,
    ),
    RecordAction.REPAIR: (frozenset({RecordStatus.ACTIVE}), RecordStatus.REPAIRED),
    # DESIGN section 13: a source withdraws what it pushed, whatever became of it since.
    RecordAction.WITHDRAW: (
        frozenset(
            {
                RecordStatus.ACTIVE,
                RecordStatus.UNDER_OBJECTION,
                RecordStatus.EXPIRED,
                RecordStatus.REPAIRED,
            }
        ),
        RecordStatus.REVOKED,
    ),
}


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")
