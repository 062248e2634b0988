"""Codes of sanctions, measures and repairs (DESIGN sections 7 and 9 — part of the contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from credit_records.choices import Kind, Severity

__all__ = [
    "BREACH_MEASURES",
    "DEFAULT_RULES",
    "MEASURES",
    "NOTICE_MEASURES",
    "REPAIR_TRANSITIONS",
    "SEVERITY_RANK",
    "CheckAnswer",
    "LiftReason",
    "Measure",
    "RepairAction",
    "RepairStatus",
    "SanctionStatus",
    "TaskKind",
    "TaskStatus",
    "TypicalGround",
]


class Measure(models.TextChoices):
    """惩戒措施 (seed 004 二(四), seed 002 item 14). Codes are part of the public contract."""

    CENTRAL_BUDGET_FUNDING = "central_budget_funding", _("中央预算内资金支持")
    SPECIAL_BONDS = "special_bonds", _("地方政府专项债券申请")
    FINANCING_RECOMMENDATION = "financing_recommendation", _("各类融资项目推荐")
    AWARDS = "awards", _("评优评先")
    PILOT_PROGRAMS = "pilot_programs", _("试点示范资格")
    GOVERNMENT_FUNDING = "government_funding", _("政府资金支持")
    SUPPORT_POLICIES = "support_policies", _("申请扶持政策")
    GOVERNMENT_PROCUREMENT = "government_procurement", _("参加政府采购")
    OFFICIAL_SPENDING = "official_spending", _("公务消费")
    OFFICE_SPACE = "office_space", _("办公用房")
    BUDGET_ALLOCATION = "budget_allocation", _("经费安排")
    PUBLIC_NOTICE = "public_notice", _("通报")
    LEADER_INTERVIEW = "leader_interview", _("约谈主要负责人")
    PUBLIC_EXPOSURE = "public_exposure", _("曝光")


# (code, Chinese name, English name) — the catalogue the migration seeds into ``Measure`` rows.
MEASURES: list[tuple[str, str, str]] = [
    ("central_budget_funding", "中央预算内资金支持", "Central budget funding"),
    ("special_bonds", "地方政府专项债券申请", "Local government special bonds"),
    ("financing_recommendation", "各类融资项目推荐", "Financing project recommendations"),
    ("awards", "评优评先", "Awards and honours"),
    ("pilot_programs", "试点示范资格", "Pilot and demonstration programmes"),
    ("government_funding", "政府资金支持", "Government funding"),
    ("support_policies", "申请扶持政策", "Support policies"),
    ("government_procurement", "参加政府采购", "Government procurement"),
    ("official_spending", "公务消费", "Official spending"),
    ("office_space", "办公用房", "Office space"),
    ("budget_allocation", "经费安排", "Budget allocation"),
    ("public_notice", "通报", "Public notice"),
    ("leader_interview", "约谈主要负责人", "Interview with the head of the agency"),
    ("public_exposure", "曝光", "Public exposure"),
]

BREACH_MEASURES = [
    "central_budget_funding",
    "special_bonds",
    "financing_recommendation",
    "awards",
    "pilot_programs",
    "government_funding",
    "support_policies",
    "government_procurement",
]
# Measures that are acts of the credit office, not restrictions: imposing one opens a task with
# a printable notice document (通报, 约谈通知书, 曝光).
NOTICE_MEASURES = frozenset({"public_notice", "leader_interview", "public_exposure"})

# The default rules of DESIGN section 7 (seeded by a migration; editable afterwards).
# kinds = [] means any negative kind.
# Seed 004 二(四): "对存在失信记录的相关主体" — whatever the kind of negative
# record — 限制中央预算内资金支持、地方政府专项债券申请、各类融资项目推荐, 取消评优评先
# (and 试点示范资格), 限制政府资金支持、申请扶持政策、参加政府采购; late payment adds
# 公务消费、办公用房、经费安排 (保障中小企业款项支付条例). The first rule was narrower (breach
# records only) until migration 0003 widened it.
SEEDED_BREACH_RULE = {"name": "违约失信记录", "kinds": [Kind.BREACH.value]}
DEFAULT_RULES: list[dict] = [
    {
        "name": "存在失信记录",
        "kinds": [],
        "min_severity": "",
        "min_count": 1,
        "window_months": None,
        "measures": BREACH_MEASURES,
    },
    {
        "name": "拖欠中小企业账款",
        "kinds": [Kind.ARREARS.value],
        "min_severity": "",
        "min_count": 1,
        "window_months": None,
        "measures": ["official_spending", "office_space", "budget_allocation", "awards"],
    },
    {
        "name": "列为失信被执行人",
        "kinds": [Kind.DISHONEST_DEBTOR.value],
        "min_severity": "",
        "min_count": 1,
        "window_months": None,
        "measures": [*BREACH_MEASURES, "public_notice", "leader_interview"],
    },
    {
        "name": "严重失信",
        "kinds": [],
        "min_severity": Severity.SERIOUS.value,
        "min_count": 1,
        "window_months": None,
        "measures": ["public_notice", "leader_interview", "public_exposure"],
    },
    {
        "name": "12个月内两次以上失信",
        "kinds": [],
        "min_severity": "",
        "min_count": 2,
        "window_months": 12,
        "measures": ["public_notice", "leader_interview", "public_exposure"],
    },
]

SEVERITY_RANK = {Severity.MINOR: 1, Severity.GENERAL: 2, Severity.SERIOUS: 3}


class SanctionStatus(models.TextChoices):
    ACTIVE = "active", _("实施中")
    LIFTED = "lifted", _("已解除")


class LiftReason(models.TextChoices):
    REPAIRED = "repaired", _("信用修复")
    EXPIRED = "expired", _("公示期满")
    REVOKED = "revoked", _("记录撤销")
    RULE_CHANGED = "rule_changed", _("惩戒规则调整")


class CheckAnswer(models.TextChoices):
    RESTRICTED = "restricted", _("受限")
    FREE = "free", _("不受限")


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认履约")
    APPROVED = "approved", _("修复通过")
    REJECTED = "rejected", _("不予修复")


OPEN_REPAIR_STATUSES = (RepairStatus.PENDING, RepairStatus.CONFIRMED)


class RepairAction(models.TextChoices):
    APPLY = "apply", _("申请信用修复")
    CONFIRM = "confirm", _("确认已履约")
    APPROVE = "approve", _("批准修复")
    REJECT = "reject", _("不予修复")


# action → (allowed from-statuses, to-status). ``approve`` from ``pending`` is allowed only when
# the record needs no confirmation (checked by the service, not by this table).
REPAIR_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    RepairAction.CONFIRM: (frozenset({RepairStatus.PENDING}), RepairStatus.CONFIRMED),
    RepairAction.APPROVE: (
        frozenset({RepairStatus.PENDING, RepairStatus.CONFIRMED}),
        RepairStatus.APPROVED,
    ),
    RepairAction.REJECT: (
        frozenset({RepairStatus.PENDING, RepairStatus.CONFIRMED}),
        RepairStatus.REJECTED,
    ),
}


class TaskKind(models.TextChoices):
    PUBLIC_NOTICE = "public_notice", _("通报")
    LEADER_INTERVIEW = "leader_interview", _("约谈主要负责人")
    PUBLIC_EXPOSURE = "public_exposure", _("曝光")
    REPAIR_OVERDUE = "repair_overdue", _("信用修复超期未决")


class TypicalGround(models.TextChoices):
    """The three grounds of seed 004 三(三) (失信情形严重、多次反复失信、人民群众反映强烈); the
    third is met by the complaint count (``RecordPolicy.public_concern_complaints``) or by a
    credit officer's written reason."""

    SERIOUS = "serious", _("失信情形严重")
    REPEATED = "repeated", _("多次反复失信")
    PUBLIC_CONCERN_COMPLAINTS = "public_concern_complaints", _("群众反映强烈（投诉较多）")
    PUBLIC_CONCERN_REASON = "public_concern_reason", _("群众反映强烈（信用办认定）")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办结")
