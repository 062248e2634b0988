"""The evaluation score (考核得分) from a scheme version.

The default scheme (version 1, seeded by the migration) follows:

- seed 004 三(二) 开展评估考核: the credit office evaluates 违约失信投诉处置和认定效率 (the
  on-time rates of routing, acceptance and verification), 信用信息归集质量 (verifications
  that ended with a finding) and 失信惩戒措施落实情况 (rectification and satisfaction);
- seed 000 一、三 建立政务诚信考核机制: a body listed by a court as 失信被执行人 loses points
  directly (``dishonest_debtor``); unrectified breaches and overdue supervised cases likewise.

Score = Σ indicator points (weights sum to 100) − Σ deductions, never below 0.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

DEDUCTIONS = {
    # seed 000: 被人民法院列入失信被执行人名单的，在综合绩效考核中直接扣分.
    "dishonest_debtor": _("被列入失信被执行人名单（有效记录）"),
    "unrectified_breach": _("认定违约失信且未修复（有效记录）"),
    "overdue_supervised": _("督办后仍超期未办结的投诉"),
}

DEFAULT_SCHEME = {
    "version": 1,
    "name": "政府部门违约失信投诉处置考核（默认方案）",
    "indicators": [
        {"figure": "routed_on_time_rate", "weight": 15, "target": "1"},
        {"figure": "accepted_on_time_rate", "weight": 20, "target": "0.95"},
        {"figure": "verified_on_time_rate", "weight": 25, "target": "0.9"},
        {"figure": "satisfaction_rate", "weight": 25, "target": "0.9"},
        {"figure": "reopen_rate_inverse", "weight": 15, "target": "0.95"},
    ],
    "deductions": [
        {"code": "dishonest_debtor", "points": 10, "max": 30},
        {"code": "unrectified_breach", "points": 5, "max": 20},
        {"code": "overdue_supervised", "points": 2, "max": 10},
    ],
    "basis": (
        "种子文件004 三（二）开展评估考核：对违约失信投诉处置和认定效率、信用信息归集质量、"
        "失信惩戒措施落实情况定期开展评估；种子文件000 一、三 建立政务诚信考核机制："
        "被人民法院列入失信被执行人名单的，在综合绩效考核中直接扣分。"
    ),
}

TWO = Decimal("0.01")
ONE = Decimal(1)
ZERO = Decimal(0)


def indicator_value(rates: dict, figure: str) -> Decimal | None:
    """An indicator's value: a rate of the figures, or ``reopen_rate_inverse`` (1 − reopen
    rate: fewer reopened cases is better)."""
    if figure == "reopen_rate_inverse":
        value = rates.get("reopen_rate")
        return None if value is None else Decimal(1) - Decimal(value)
    value = rates.get(figure)
    return None if value is None else Decimal(value)


def prepared(scheme) -> tuple[list, list]:
    """The scheme's numbers as ``Decimal`` once, for scoring thousands of groups:
    ``([(figure, weight, target)], [(code, points, cap)])``."""
    indicators = [
        (i["figure"], Decimal(str(i["weight"])), Decimal(str(i.get("target") or "1")))
        for i in scheme.indicators
    ]
    deductions = [
        (
            d["code"],
            Decimal(str(d["points"])),
            None if d.get("max") is None else Decimal(str(d["max"])),
        )
        for d in scheme.deductions
    ]
    return indicators, deductions


def score(*, scheme, rates: dict, deduction_counts: dict, prepared_scheme=None) -> Decimal:
    """The score of one group: ``rates`` maps rate codes to decimal strings or None;
    ``deduction_counts`` maps deduction codes to occurrences. ``prepared_scheme`` is
    ``prepared(scheme)``, when the caller scores many groups."""
    indicators, deductions = prepared_scheme or prepared(scheme)
    total = Decimal(0)
    for figure, weight, target in indicators:
        value = indicator_value(rates, figure)
        if value is None or target <= 0:
            total += weight  # nothing to count: no failure to count either
        else:
            total += weight * min(ONE, value / target)
    for code, points, cap in deductions:
        occurrences = deduction_counts.get(code, 0)
        if occurrences:
            lost = points * occurrences
            total -= lost if cap is None else min(lost, cap)
    return max(ZERO, total).quantize(TWO, rounding=ROUND_HALF_UP)


def seed_default_scheme(model) -> None:
    """Version 1 (the migration's seed; ``model`` is the migration's historical model)."""
    if not model.objects.filter(version=DEFAULT_SCHEME["version"]).exists():
        model.objects.create(**DEFAULT_SCHEME)


def current_scheme():
    """The newest scheme version (the migration seeds version 1)."""
    from .models import EvaluationScheme

    scheme = EvaluationScheme.objects.order_by("-version").first()
    if scheme is None:  # the seeded row was removed (a flushed test database): the default
        scheme = EvaluationScheme(**DEFAULT_SCHEME)
    return scheme
