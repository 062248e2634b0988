"""Payment arrears on a complaint (DESIGN section 12): the facts filed with it, the payments the
handler records (events, through ``begin`` → ``move`` → ``write``), and the late interest.

Outstanding and cleared amounts live on the complaint (``amount_outstanding``,
``amount_cleared``) and change only here, each time with a ``record_payment`` event that keeps
the date and the amount, so the interest and the per-agency totals are computed from rows.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.api import InvalidTransition, NotEligible

from .. import arrears
from ..choices import Action, Domain, Status
from ..models import Complaint, ComplaintEvent, LoanPrimeRate
from ..validators import MAX_AMOUNT
from .transitions import begin, move, write

# Payments are recorded while the case is open and after it closed on a finding (a respondent
# often pays after a breach determination); never on a case that ended without one.
NO_PAYMENT_STATUSES = frozenset({Status.WITHDRAWN, Status.REJECTED})

# The arrears fields of a submission, accepted only on ``payment_arrears`` complaints.
ARREARS_FIELDS = (
    "contract_amount",
    "delivered_on",
    "payment_due_on",
    "agreed_daily_rate",
    "amount_outstanding",
)
MAX_DAILY_RATE = Decimal("0.01")  # 1% a day is beyond any lawful agreement: a typing error


def arrears_errors(data: dict, *, today: dt.date | None = None) -> dict[str, str]:
    """Field errors of the arrears facts of a submission (empty when valid); shared by the API
    and the public form. The unlawful-term warning is not an error (``arrears_facts``)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    given = [name for name in ARREARS_FIELDS if data.get(name) not in (None, "")]
    if given and data.get("domain") != Domain.PAYMENT_ARREARS:
        for name in given:
            errors[name] = _("仅“拖欠中小企业账款”投诉可填写此项。")
        return errors
    for name in ("contract_amount", "amount_outstanding"):
        value = data.get(name)
        if value is None:
            continue
        if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
            errors[name] = _("金额须大于0且不超过1万亿元。")
        elif value.as_tuple().exponent < -2:
            errors[name] = _("金额最多保留两位小数。")
    contract, outstanding = data.get("contract_amount"), data.get("amount_outstanding")
    if "contract_amount" not in errors and "amount_outstanding" not in errors:
        if contract is not None and outstanding is not None and outstanding > contract:
            errors["amount_outstanding"] = _("欠款金额不能超过合同金额。")
    rate = data.get("agreed_daily_rate")
    if rate is not None and (not rate.is_finite() or rate <= 0 or rate > MAX_DAILY_RATE):
        errors["agreed_daily_rate"] = _("约定日利率须大于0且不超过0.01（如万分之五填0.0005）。")
    signed, delivered = data.get("contract_signed_on"), data.get("delivered_on")
    if delivered is not None:
        if delivered > today:
            errors["delivered_on"] = _("交付或验收日期不能晚于今天。")
        elif signed is not None and delivered < signed:
            errors["delivered_on"] = _("交付或验收日期不能早于合同签订日期。")
    due = data.get("payment_due_on")
    if due is not None and signed is not None and due < signed:
        errors["payment_due_on"] = _("约定付款日期不能早于合同签订日期。")
    return errors


def arrears_facts(data: dict) -> dict:
    """The complaint columns of validated arrears facts, with the payment-term warning stored
    (第九条: over 60 days after delivery is unlawful; the case page says so)."""
    facts = {name: data.get(name) for name in ARREARS_FIELDS if data.get(name) is not None}
    facts["payment_term_warning"] = arrears.payment_term_warning(
        delivered_on=data.get("delivered_on"), payment_due_on=data.get("payment_due_on")
    )
    return facts


def lpr_table() -> list[tuple[dt.date, Decimal]]:
    return list(
        LoanPrimeRate.objects.order_by("effective_on").values_list("effective_on", "one_year_rate")
    )


def payments_of(complaint: Complaint) -> list[tuple[dt.date, Decimal]]:
    """The payments recorded on a complaint, from its events: ``(paid_on, amount)``."""
    rows = ComplaintEvent.objects.filter(
        complaint=complaint, action=Action.RECORD_PAYMENT
    ).values_list("data", flat=True)
    return [(dt.date.fromisoformat(d["paid_on"]), Decimal(d["amount"])) for d in rows]


def principal_of(complaint: Complaint) -> Decimal:
    """What was owed at the due date: the outstanding amount plus what has been paid since."""
    return (complaint.amount_outstanding or Decimal(0)) + (complaint.amount_cleared or Decimal(0))


def has_arrears_facts(complaint: Complaint) -> bool:
    return (
        complaint.domain == Domain.PAYMENT_ARREARS
        and complaint.payment_due_on is not None
        and complaint.amount_outstanding is not None
    )


def complaint_late_interest(
    *, complaint: Complaint, as_of: dt.date | None = None
) -> arrears.LateInterest:
    """The late interest of a ``payment_arrears`` complaint up to ``as_of`` (today by default);
    409 ``not_eligible`` without the due date and the amount."""
    if not has_arrears_facts(complaint):
        raise NotEligible(detail=_("该投诉未登记约定付款日期和欠款金额，无法计算逾期利息。"))
    rate, basis = arrears.daily_rate(
        agreed=complaint.agreed_daily_rate,
        signed_on=complaint.contract_signed_on,
        table=lpr_table() if complaint.agreed_daily_rate is not None else [],
    )
    return arrears.late_interest(
        principal=principal_of(complaint),
        due_on=complaint.payment_due_on,
        as_of=as_of or timezone.localdate(),
        payments=payments_of(complaint),
        rate=rate,
        rate_basis=basis,
    )


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("金额格式不正确。")}, code="invalid") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额须大于0且不超过1万亿元。")}, code="invalid")
    if amount.as_tuple().exponent < -2:
        raise ValidationError({field: _("金额最多保留两位小数。")}, code="invalid")
    return amount


@transaction.atomic
def complaint_record_payment(
    *,
    complaint: Complaint,
    actor,
    paid_on: dt.date,
    amount,
    note: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """Record a payment the respondent made: the outstanding amount goes down and the cleared
    amount up by ``amount``, with an event keeping the date (late interest stops on that part
    from that day). 409 on a case without arrears facts or one that ended without a finding;
    400 naming the field for a payment above what is owed, dated before the contract or the
    delivery, or in the future."""
    locked, _target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.RECORD_PAYMENT,
        expected_version=expected_version,
    )
    if not has_arrears_facts(locked):
        raise NotEligible(detail=_("该投诉未登记约定付款日期和欠款金额，不能登记付款。"))
    if locked.status in NO_PAYMENT_STATUSES:
        raise InvalidTransition(
            detail=_("投诉当前状态为“%(status)s”，不能登记付款。")
            % {"status": Status(locked.status).label},
            status=locked.status,
            action=Action.RECORD_PAYMENT,
        )
    amount = _amount(amount, "amount")
    if amount > locked.amount_outstanding:
        raise ValidationError(
            {
                "amount": _("付款金额超过尚欠金额 %(outstanding)s 元。")
                % {"outstanding": locked.amount_outstanding}
            },
            code="too_large",
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("付款日期不能晚于今天。")}, code="future")
    earliest = locked.contract_signed_on or locked.delivered_on
    if earliest is not None and paid_on < earliest:
        raise ValidationError(
            {
                "paid_on": _("付款日期不能早于合同签订（或交付）日期 %(date)s。")
                % {"date": earliest}
            },
            code="too_early",
        )
    outstanding = locked.amount_outstanding - amount
    cleared = (locked.amount_cleared or Decimal(0)) + amount
    event = move(
        locked,
        action=Action.RECORD_PAYMENT,
        actor=actor,
        data={
            "paid_on": paid_on.isoformat(),
            "amount": str(amount),
            "outstanding": str(outstanding),
        },
        note=(note or "").strip(),
        fields={"amount_outstanding": outstanding, "amount_cleared": cleared},
    )
    write(locked, [event])
    return locked


def arrears_summary(complaint: Complaint, *, as_of: dt.date | None = None) -> dict | None:
    """What the case page and the tracking page show of a payment_arrears complaint: the facts,
    the payment-term warning, and the late interest to date (None without arrears facts)."""
    if not has_arrears_facts(complaint):
        return None
    interest = complaint_late_interest(complaint=complaint, as_of=as_of)
    return {
        "contract_amount": complaint.contract_amount,
        "delivered_on": complaint.delivered_on,
        "payment_due_on": complaint.payment_due_on,
        "amount_outstanding": complaint.amount_outstanding,
        "amount_cleared": complaint.amount_cleared,
        "payment_term_warning": complaint.payment_term_warning,
        "payment_term_warning_text": str(
            arrears.WARNING_TEXT.get(complaint.payment_term_warning, "")
        ),
        "late_interest": interest.as_contract(),
        "rate_basis_text": str(arrears.RATE_BASIS_TEXT[interest.rate_basis]),
    }
