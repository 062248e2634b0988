"""Saving a new version of the evaluation scheme. Versions are never edited in place: a report
names the version it used, so that version must stay what it was."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from agencies.policy import require

from ..definitions import RATE_CODES
from ..models import EvaluationScheme
from ..scheme import DEDUCTIONS

INDICATOR_FIGURES = (*RATE_CODES, "reopen_rate_inverse")


def _number(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("“%(value)s”不是数字。") % {"value": value}}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("须为不小于0的数。")})
    return number


def scheme_check(*, indicators, deductions) -> None:
    """Indicators name a rate, weigh ≥ 0 summing to 100, with a target in (0, 1];
    deductions name a known deduction with points ≥ 0 (and an optional cap)."""
    if not isinstance(indicators, list) or not indicators:
        raise ValidationError({"indicators": _("至少需要一个指标。")})
    total = Decimal(0)
    for item in indicators:
        if not isinstance(item, dict) or item.get("figure") not in INDICATOR_FIGURES:
            raise ValidationError(
                {
                    "indicators": _("指标须为以下之一：%(codes)s")
                    % {"codes": ", ".join(INDICATOR_FIGURES)}
                }
            )
        total += _number(item.get("weight"), "indicators")
        target = _number(item.get("target", "1"), "indicators")
        if not 0 < target <= 1:
            raise ValidationError({"indicators": _("目标值须大于0且不大于1。")})
    if total != 100:
        raise ValidationError(
            {"indicators": _("指标权重合计须为100（现为%(total)s）。") % {"total": total}}
        )
    if not isinstance(deductions, list):
        raise ValidationError({"deductions": _("扣分项须为列表。")})
    for item in deductions:
        if not isinstance(item, dict) or item.get("code") not in DEDUCTIONS:
            raise ValidationError(
                {
                    "deductions": _("扣分项须为以下之一：%(codes)s")
                    % {"codes": ", ".join(DEDUCTIONS)}
                }
            )
        _number(item.get("points"), "deductions")
        if item.get("max") is not None:
            _number(item["max"], "deductions")


def scheme_create(*, name: str, indicators, deductions, basis: str, actor) -> EvaluationScheme:
    """The next version of the scheme; the newest version scores from now on."""
    require(actor, "evaluation_scheme.edit")
    scheme_check(indicators=indicators, deductions=deductions)
    try:
        with transaction.atomic():
            latest = EvaluationScheme.objects.aggregate(v=Max("version"))["v"] or 0
            return EvaluationScheme.objects.create(
                version=latest + 1,
                name=name,
                indicators=indicators,
                deductions=deductions,
                basis=basis,
                created_by=actor,
            )
    except IntegrityError:  # two saves raced for the same version number
        raise ValidationError(_("另一位用户刚刚保存了新版本，请刷新后重试。")) from None
