"""What each evaluation figure of DESIGN section 8 counts, defined once: the counts (sets of
rows a figure is computed from and the drill-down lists), the figures of section 9 with their
units and definitions, and the groupings. ``evaluation.figures`` computes them.

``complaint_conditions`` is each complaint count as a filter on the stage outcomes the
complaint stores when a stage ends (``complaints.services.outcomes``): the figures aggregate
with it and the drill-down lists filter with it, so a figure and its list cannot disagree.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.choices import CLOSED_STATUSES, OPEN_STATUSES, Domain, Satisfaction, Status

GROUP_BY = ("respondent", "handling", "region")
LEVELS = ("province", "city", "county")
ARREARS_CLEARED = frozenset({Status.RECTIFIED, Status.SETTLED})
ARREARS_OUTSTANDING = OPEN_STATUSES | {Status.BREACH}


@dataclass(frozen=True)
class Count:
    """A set of rows behind a figure: ``code``, the entity it counts, and what it is."""

    code: str
    entity: str  # complaint | credit_record | sanction | repair
    label: object
    doc: object


COUNTS = {
    c.code: c
    for c in (
        Count("received", "complaint", _("收到投诉"), _("期内提交的全部投诉，含撤回和不予受理。")),
        Count(
            "routed_on_time",
            "complaint",
            _("按时转办"),
            _("提交后1个工作日内转交承办单位的投诉（自动转办即时完成）。"),
        ),
        Count(
            "routing_due",
            "complaint",
            _("应转办"),
            _("已转办的投诉，以及仍待分办且已超过转办时限的投诉。"),
        ),
        Count(
            "accepted_on_time",
            "complaint",
            _("按时受理"),
            _("“已转办”阶段在受理期限内结束的投诉。"),
        ),
        Count(
            "acceptance_due",
            "complaint",
            _("应受理"),
            _("“已转办”阶段已结束，或仍在该阶段且已超期的投诉。"),
        ),
        Count(
            "verified_on_time",
            "complaint",
            _("按时核实"),
            _("“核实中”阶段在核实期限内结束（作出认定或不予受理）的投诉。"),
        ),
        Count(
            "verification_due",
            "complaint",
            _("应核实"),
            _("“核实中”阶段已结束，或仍在该阶段且已超期的投诉。"),
        ),
        Count(
            "founded",
            "complaint",
            _("认定属实"),
            _("曾进入“整改中”或“协商中”的投诉。"),
        ),
        Count(
            "verification_ended",
            "complaint",
            _("核实已结束"),
            _("认定属实的投诉加上当前为“不属实”的投诉。"),
        ),
        Count("rectified", "complaint", _("已整改"), _("当前状态为“已整改”的投诉。")),
        Count("settled", "complaint", _("已和解"), _("当前状态为“已和解”的投诉。")),
        Count("unfounded", "complaint", _("不属实"), _("当前状态为“不属实”的投诉。")),
        Count("breaches", "complaint", _("认定违约失信"), _("当前状态为“认定违约失信”的投诉。")),
        Count(
            "overdue_open",
            "complaint",
            _("超期未办结"),
            _("期末（或当前，取较早者）仍在办理、已过期限且未暂停计时的投诉。"),
        ),
        Count("rated", "complaint", _("已评价"), _("投诉人作出回访评价的投诉。")),
        Count(
            "satisfied_or_neutral",
            "complaint",
            _("满意和基本满意"),
            _("回访评价为“满意”或“基本满意”的投诉。"),
        ),
        Count("dissatisfied", "complaint", _("不满意"), _("回访评价为“不满意”的投诉。")),
        Count("reopened", "complaint", _("重新核查"), _("办结后被信用办重新核查的投诉。")),
        Count("closed", "complaint", _("已办结"), _("曾进入任一办结状态的投诉。")),
        Count(
            "handled",
            "complaint",
            _("计入办理时长"),
            _("当前已办结（撤回除外）的投诉；办理时长为提交日至办结日的工作日数。"),
        ),
        Count(
            "arrears_outstanding",
            "complaint",
            _("欠款未清偿"),
            _("拖欠中小企业账款投诉中仍在办理或认定违约失信的，计其涉及金额。"),
        ),
        Count(
            "arrears_cleared",
            "complaint",
            _("欠款已清偿"),
            _("拖欠中小企业账款投诉中已整改或已和解的，计其涉及金额。"),
        ),
        Count(
            "overdue_supervised",
            "complaint",
            _("督办后仍超期"),
            _("已督办、仍在办理且已超期的投诉（考核直接扣分项）。"),
        ),
        Count(
            "sanctions_imposed",
            "sanction",
            _("实施惩戒"),
            _("期内实施的惩戒措施。"),
        ),
        Count("sanctions_lifted", "sanction", _("解除惩戒"), _("期内解除的惩戒措施。")),
        Count(
            "repairs_decided",
            "repair",
            _("修复已决定"),
            _("期内作出决定（通过或不予修复）的信用修复申请；时长为申请日至决定日的工作日数。"),
        ),
        Count(
            "dishonest_debtor",
            "credit_record",
            _("失信被执行人"),
            _("期末前认定、当前有效的失信被执行人记录（考核直接扣分项）。"),
        ),
        Count(
            "unrectified_breach",
            "credit_record",
            _("未修复的违约失信"),
            _("期内认定、当前仍有效的违约失信记录（考核直接扣分项）。"),
        ),
    )
}


@dataclass(frozen=True)
class Figure:
    """A figure of section 9: a count, a rate (``numerator`` ÷ ``denominator``), an amount
    or an average, with its definition for the dashboard."""

    code: str
    label: object
    unit: str  # count | rate | amount | days | score | flag
    numerator: str | None = None
    denominator: str | None = None
    doc: object = ""


FIGURES = (
    Figure("received", _("收件数"), "count", "received"),
    Figure(
        "routed_on_time_rate",
        _("按时转办率"),
        "rate",
        "routed_on_time",
        "routing_due",
        _("按时转办 ÷ 应转办。"),
    ),
    Figure(
        "accepted_on_time_rate",
        _("按时受理率"),
        "rate",
        "accepted_on_time",
        "acceptance_due",
        _("按时受理 ÷ 应受理（结束或已超期的“已转办”阶段）。"),
    ),
    Figure(
        "verified_on_time_rate",
        _("按时核实率"),
        "rate",
        "verified_on_time",
        "verification_due",
        _("按时核实 ÷ 应核实（结束或已超期的“核实中”阶段）。"),
    ),
    Figure(
        "founded_rate",
        _("属实率"),
        "rate",
        "founded",
        "verification_ended",
        _("认定属实 ÷（认定属实 + 不属实）。"),
    ),
    Figure("rectified", _("已整改"), "count", "rectified"),
    Figure("settled", _("已和解"), "count", "settled"),
    Figure("unfounded", _("不属实"), "count", "unfounded"),
    Figure("breaches", _("认定违约失信"), "count", "breaches"),
    Figure("overdue_open", _("超期未办结"), "count", "overdue_open"),
    Figure(
        "satisfaction_rate",
        _("满意率"),
        "rate",
        "satisfied_or_neutral",
        "rated",
        _("（满意 + 基本满意）÷ 已评价。"),
    ),
    Figure("dissatisfied", _("不满意"), "count", "dissatisfied"),
    Figure("reopen_rate", _("重新核查率"), "rate", "reopened", "closed", _("重新核查 ÷ 已办结。")),
    Figure(
        "avg_handling_workdays",
        _("平均办理工作日"),
        "days",
        None,
        "handled",
        _("已办结投诉（撤回除外）提交日至办结日的平均工作日数。"),
    ),
    Figure("arrears_outstanding", _("未清偿欠款（元）"), "amount", "arrears_outstanding"),
    Figure("arrears_cleared", _("已清偿欠款（元）"), "amount", "arrears_cleared"),
    Figure("sanctions_imposed", _("实施惩戒"), "count", "sanctions_imposed"),
    Figure("sanctions_lifted", _("解除惩戒"), "count", "sanctions_lifted"),
    Figure(
        "avg_repair_workdays",
        _("平均修复办理工作日"),
        "days",
        None,
        "repairs_decided",
        _("期内决定的信用修复申请，申请日至决定日的平均工作日数。"),
    ),
    Figure("score", _("考核得分"), "score", doc=_("按考核方案计算的得分（满分100）。")),
)
FIGURE_CODES = tuple(f.code for f in FIGURES)
# The columns of section 9, in order.
RESULT_FIELDS = ("key", "name", *FIGURE_CODES, "ranked", "rank")
RATE_CODES = tuple(f.code for f in FIGURES if f.unit == "rate")


# --- each complaint count as a filter ----------------------------------------------------------

SATISFIED = (Satisfaction.SATISFIED, Satisfaction.NEUTRAL)
NOT_SATISFIED = tuple(sorted(set(Satisfaction) - set(SATISFIED)))
# The column a count sums besides counting rows (``amounts`` and ``days`` of a tally).
AMOUNT_OF = {"arrears_outstanding": "amount_involved", "arrears_cleared": "amount_involved"}
DAYS_OF = {"handled": "handling_workdays"}


def complaint_conditions(*, as_of: dt.datetime, routing_cutoff: dt.datetime) -> dict:
    """``{count code: Q}`` for every complaint count (``None``: every complaint of the period).

    ``as_of`` is the end of the period (or now, if earlier): a case open then and past its due
    date is overdue. ``routing_cutoff``: a complaint still pending routing and submitted
    before it is past its routing limit at ``as_of`` (``figures.routing_cutoff``).
    """
    overdue = Q(status__in=OPEN_STATUSES, due_at__lt=as_of, clock_paused_at__isnull=True)
    founded = Q(founded_at__isnull=False)
    closed = Q(first_closed_at__isnull=False)
    arrears = Q(domain=Domain.PAYMENT_ARREARS, amount_involved__isnull=False)
    return {
        "received": None,
        # Routed: its first routing was judged when it happened; pending and past the limit.
        "routed_on_time": Q(routed_on_time=True),
        "routing_due": Q(routed_at__isnull=False)
        | Q(status=Status.PENDING_ROUTING, submitted_at__lt=routing_cutoff),
        # A stage's first run, judged when it ended; still running and overdue counts late.
        "accepted_on_time": Q(accepted_on_time=True),
        "acceptance_due": Q(accepted_on_time__isnull=False) | (Q(status=Status.ROUTED) & overdue),
        "verified_on_time": Q(verified_on_time=True),
        "verification_due": Q(verified_on_time__isnull=False)
        | (Q(status=Status.VERIFYING) & overdue),
        "founded": founded,
        "verification_ended": founded | Q(status=Status.UNFOUNDED),
        "rectified": Q(status=Status.RECTIFIED),
        "settled": Q(status=Status.SETTLED),
        "unfounded": Q(status=Status.UNFOUNDED),
        "breaches": Q(status=Status.BREACH),
        "overdue_open": overdue,
        "rated": Q(feedback__satisfaction__in=tuple(Satisfaction)),
        "satisfied_or_neutral": Q(feedback__satisfaction__in=SATISFIED),
        "dissatisfied": Q(feedback__satisfaction__in=NOT_SATISFIED),
        "reopened": closed & Q(reopened_at__isnull=False),
        "closed": closed,
        "handled": Q(
            status__in=CLOSED_STATUSES - {Status.WITHDRAWN},
            closed_at__isnull=False,
            handling_workdays__isnull=False,
        ),
        "arrears_outstanding": arrears & Q(status__in=ARREARS_OUTSTANDING),
        "arrears_cleared": arrears & Q(status__in=ARREARS_CLEARED),
        "overdue_supervised": overdue & Q(supervised_at__isnull=False),
    }
