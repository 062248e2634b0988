"""Codes of the complaint workflow (DESIGN sections 4 and 9 — part of the public contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplainantType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL = "individual", _("个人")


class Domain(models.TextChoices):
    PROCUREMENT = "procurement", _("政府采购")
    BIDDING = "bidding", _("招标投标")
    INVESTMENT_ATTRACTION = "investment_attraction", _("招商引资")
    PPP = "ppp", _("政府和社会资本合作（PPP）")
    INDUSTRIAL_SUPPORT = "industrial_support", _("产业扶持")
    GOVERNMENT_INVESTMENT = "government_investment", _("政府投资")
    PAYMENT_ARREARS = "payment_arrears", _("拖欠中小企业账款")
    POLICY_FULFILMENT = "policy_fulfilment", _("政策兑现")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    WEB = "web", _("网上投诉")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    BUSINESS_PLATFORM = "business_platform", _("营商环境投诉平台")
    SME_PAYMENT_PLATFORM = "sme_payment_platform", _("中小企业款项支付投诉平台")
    PETITION = "petition", _("信访")
    SUPERVISION_PLATFORM = "supervision_platform", _("互联网+督查平台")
    OTHER = "other", _("其他渠道")


class Status(models.TextChoices):
    PENDING_ROUTING = "pending_routing", _("待分办")
    ROUTED = "routed", _("已转办")
    VERIFYING = "verifying", _("核实中")
    RECTIFYING = "rectifying", _("整改中")
    NEGOTIATING = "negotiating", _("协商中")
    LITIGATION = "litigation", _("司法途径")
    UNFOUNDED = "unfounded", _("不属实")
    RECTIFIED = "rectified", _("已整改")
    SETTLED = "settled", _("已和解")
    BREACH = "breach", _("认定违约失信")
    DISMISSED = "dismissed", _("诉讼驳回")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = frozenset(
    {
        Status.PENDING_ROUTING,
        Status.ROUTED,
        Status.VERIFYING,
        Status.RECTIFYING,
        Status.NEGOTIATING,
        Status.LITIGATION,
    }
)
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)
# Before any finding the complainant may still withdraw (DESIGN section 4).
WITHDRAWABLE_STATUSES = frozenset({Status.PENDING_ROUTING, Status.ROUTED, Status.VERIFYING})


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交投诉")
    ACCEPT = "accept", _("受理")
    REROUTE = "reroute", _("改派")
    # The context keeps the verb apart from the status of the same Chinese name in English.
    REJECT = "reject", pgettext_lazy("action", "不予受理")
    FIND_UNFOUNDED = "find_unfounded", _("认定不属实")
    FIND_FOUNDED = "find_founded", _("认定属实")
    FIND_DISPUTED = "find_disputed", _("认定存在分歧")
    RECORD_RECTIFIED = "record_rectified", _("确认已整改")
    RECORD_SETTLEMENT = "record_settlement", _("登记和解协议")
    REFER_TO_LITIGATION = "refer_to_litigation", _("转入司法途径")
    RECORD_JUDGMENT = "record_judgment", _("登记裁判结果")
    DETERMINE_BREACH = "determine_breach", pgettext_lazy("action", "认定违约失信")
    REOPEN = "reopen", _("重新核查")
    WITHDRAW = "withdraw", _("撤回")
    # Not user actions (absent from TRANSITIONS): automatic routing at submission (第一时间转交)
    # and the complainant's satisfaction rating (回访).
    ROUTE = "route", _("自动转办")
    FEEDBACK = "feedback", _("回访评价")
    # The case clock and supervision (DESIGN section 5), and staff notes and replies.
    PAUSE = "pause", _("暂停计时")
    RESUME = "resume", _("恢复计时")
    EXTEND = "extend", _("延期")
    REMINDER = "reminder", _("到期提醒")
    SUPERVISION_NOTICE = "supervision_notice", _("督办函")
    LEADER_INTERVIEW = "leader_interview", _("约谈提示")
    INTERNAL_NOTE = "internal_note", _("内部备注")
    REPLY = "reply", _("回复投诉人")
    # 找回查询码: the complainant proved the contact on file and got a new access code.
    RESET_ACCESS_CODE = "reset_access_code", _("重设查询码")
    # Payment arrears (DESIGN section 12): the handler records a payment the respondent made.
    RECORD_PAYMENT = "record_payment", _("登记付款")
    # 复核: the complainant asks for a review of an unfounded finding; the credit office
    # decides (upheld → back to verification; refused → the reason on the timeline).
    REQUEST_REVIEW = "request_review", _("申请复核")
    DECIDE_REVIEW = "decide_review", _("复核决定")
    # Assignment within the handling department: the case is given to a named handler (or
    # taken back); deadlines and supervision stay with the department.
    ASSIGN = "assign", _("指派承办人")
    # 回访: the credit office's follow-up call to a dissatisfied or silent complainant
    # (seed 000: 不满意 → 审核、通报、跟踪).
    FOLLOW_UP = "follow_up", _("回访记录")


# The transition table (DESIGN section 4) as data: action → (allowed from-states, to-state).
# ``record_judgment`` goes to ``dismissed`` or back to ``rectifying`` depending on the outcome,
# so its target is decided by the service; every other action has one target.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({Status.ROUTED}), Status.VERIFYING),
    Action.REROUTE: (
        frozenset({Status.PENDING_ROUTING, Status.ROUTED, Status.VERIFYING}),
        Status.ROUTED,
    ),
    Action.REJECT: (
        frozenset({Status.PENDING_ROUTING, Status.ROUTED, Status.VERIFYING}),
        Status.REJECTED,
    ),
    Action.FIND_UNFOUNDED: (frozenset({Status.VERIFYING}), Status.UNFOUNDED),
    Action.FIND_FOUNDED: (frozenset({Status.VERIFYING}), Status.RECTIFYING),
    Action.FIND_DISPUTED: (frozenset({Status.VERIFYING}), Status.NEGOTIATING),
    Action.RECORD_RECTIFIED: (frozenset({Status.RECTIFYING}), Status.RECTIFIED),
    Action.RECORD_SETTLEMENT: (frozenset({Status.RECTIFYING, Status.NEGOTIATING}), Status.SETTLED),
    Action.REFER_TO_LITIGATION: (frozenset({Status.NEGOTIATING}), Status.LITIGATION),
    Action.RECORD_JUDGMENT: (frozenset({Status.LITIGATION}), None),
    Action.DETERMINE_BREACH: (frozenset({Status.RECTIFYING}), Status.BREACH),
    Action.REOPEN: (CLOSED_STATUSES - {Status.WITHDRAWN}, Status.VERIFYING),
    Action.WITHDRAW: (WITHDRAWABLE_STATUSES, Status.WITHDRAWN),
}


class JudgmentOutcome(models.TextChoices):
    AGENCY_PREVAILS = "agency_prevails", _("被投诉主体胜诉")
    COMPLAINANT_PREVAILS = "complainant_prevails", _("投诉人胜诉")


class Severity(models.TextChoices):
    """失信程度 (信用修复管理办法); shared with credit records."""

    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class FollowUpResult(models.TextChoices):
    """What a follow-up call (回访) found."""

    RESOLVED = "resolved", _("已联系，投诉人认可处理结果")
    UNRESOLVED = "unresolved", _("已联系，投诉人仍不满意")
    NOT_REACHED = "not_reached", _("未能联系上投诉人")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    COMPLAINANT = "complainant", _("投诉人")
    SYSTEM = "system", _("系统")


class MessageSender(models.TextChoices):
    COMPLAINANT = "complainant", _("投诉人")
    HANDLER = "handler", _("承办单位")
    AGENCY = "agency", _("被投诉主体")
    CREDIT_OFFICE = "credit_office", _("信用办")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
