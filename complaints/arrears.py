"""Payment arrears as the statute has them (保障中小企业款项支付条例, 国务院令第802号, 2025 修订).

Pure functions over a complaint's arrears facts — the payment term check and the late interest —
so the case page, the tracking page and ``GET /api/v1/complaints/{reference}/late-interest/``
(DESIGN section 9) compute them the same way, by code, never by hand. Every statutory number is
a named constant with its article beside it; the one-year LPR (the floor of an agreed rate) is
data (``LoanPrimeRate``), edited in the admin as the People's Bank publishes it.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# 第九条: payment within 30 days of delivery (or of passing inspection / acceptance where the
# contract makes that the condition) ...
PAYMENT_TERM_DAYS = 30
# ... and at most 60 days where the contract so provides.
PAYMENT_TERM_MAX_DAYS = 60
# 第十七条: late interest at the agreed rate, which may not be below the one-year LPR on the day
# the contract was signed; where none was agreed, 0.05% (万分之五) per day.
DEFAULT_DAILY_RATE = Decimal("0.0005")
# An annual LPR turned into a daily rate over 365 days (local practice: the statute names the
# floor, not the day count).
DAYS_PER_YEAR = 365
FEN = Decimal("0.01")
RATE_PLACES = Decimal("0.0000000001")

# The one-year LPR as published by the National Interbank Funding Center since the 2019 reform
# (effective date, annual rate): the seed of the ``LoanPrimeRate`` table; later rates are added
# in the admin.
PUBLISHED_ONE_YEAR_LPR = (
    ("2019-08-20", "0.0425"),
    ("2019-09-20", "0.0420"),
    ("2019-11-20", "0.0415"),
    ("2020-02-20", "0.0405"),
    ("2020-04-20", "0.0385"),
    ("2021-12-20", "0.0380"),
    ("2022-01-20", "0.0370"),
    ("2022-08-22", "0.0365"),
    ("2023-06-20", "0.0355"),
    ("2023-08-21", "0.0345"),
    ("2024-07-22", "0.0335"),
    ("2024-10-21", "0.0310"),
    ("2025-05-20", "0.0300"),
)


def seed_lpr(model) -> None:
    """Insert the published rates that are missing (the migration and the tests call it)."""
    known = set(model.objects.values_list("effective_on", flat=True))
    model.objects.bulk_create(
        [
            model(effective_on=dt.date.fromisoformat(day), one_year_rate=Decimal(rate))
            for day, rate in PUBLISHED_ONE_YEAR_LPR
            if dt.date.fromisoformat(day) not in known
        ]
    )


# Codes of the payment-term findings stored on the complaint (``payment_term_warning``).
TERM_OVER_MAX = "over_60_days"
TERM_OVER_DEFAULT = "over_30_days"
WARNING_TEXT = {
    TERM_OVER_MAX: _(
        "约定付款期限超过交付（验收）后60日，违反《保障中小企业款项支付条例》第九条。"
    ),
    TERM_OVER_DEFAULT: _(
        "约定付款期限超过交付（验收）后30日，仅在合同明确约定时合法（《保障中小企业款项支付条例》"
        "第九条，最长60日）。"
    ),
}
RATE_BASIS_TEXT = {
    "statutory": _(
        "合同未约定逾期利率，按每日万分之五计算（《保障中小企业款项支付条例》第十七条）。"
    ),
    "agreed": _("按合同约定的逾期利率计算（《保障中小企业款项支付条例》第十七条）。"),
    "lpr_floor": _(
        "合同约定利率低于签订时一年期贷款市场报价利率，按该利率计算（《保障中小企业款项支付条例》"
        "第十七条）。"
    ),
}


def payment_term_warning(*, delivered_on: dt.date | None, payment_due_on: dt.date | None) -> str:
    """The warning code for an agreed payment date, "" when lawful or not checkable.

    More than 60 days after delivery is unlawful whatever the contract says (第九条); between
    30 and 60 days it is lawful only if the contract agreed it — noted, since the portal cannot
    read the contract.
    """
    if delivered_on is None or payment_due_on is None:
        return ""
    term = (payment_due_on - delivered_on).days
    if term > PAYMENT_TERM_MAX_DAYS:
        return TERM_OVER_MAX
    if term > PAYMENT_TERM_DAYS:
        return TERM_OVER_DEFAULT
    return ""


def lpr_on(day: dt.date | None, table: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    """The one-year LPR (annual, as a fraction) in force on ``day``; ``table`` is
    ``(effective_on, rate)`` sorted by date. None when unknown."""
    if day is None:
        return None
    rate = None
    for effective_on, value in table:
        if effective_on <= day:
            rate = value
        else:
            break
    return rate


def daily_rate(
    *, agreed: Decimal | None, signed_on: dt.date | None, table: list[tuple[dt.date, Decimal]]
) -> tuple[Decimal, str]:
    """``(daily rate, basis code)``: the agreed rate, raised to the LPR at signing when below
    it (第十七条), or 0.05% per day when none was agreed."""
    if agreed is None:
        return DEFAULT_DAILY_RATE, "statutory"
    lpr = lpr_on(signed_on, table)
    if lpr is not None:
        floor = (lpr / DAYS_PER_YEAR).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        if agreed < floor:
            return floor, "lpr_floor"
    return agreed, "agreed"


@dataclass(frozen=True)
class LateInterest:
    principal: Decimal
    start: dt.date | None  # the first day of interest (the day after the due date)
    end: dt.date | None  # the last day of interest
    days: int
    daily_rate: Decimal
    interest: Decimal
    rate_basis: str

    def as_contract(self) -> dict:
        """The body of DESIGN section 9 (decimal strings)."""
        return {
            "principal": str(self.principal.quantize(FEN)),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "days": self.days,
            "daily_rate": _rate_text(self.daily_rate),
            "interest": str(self.interest),
        }


def _rate_text(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text if "." in text else f"{text}.0"


def late_interest(
    *,
    principal: Decimal,
    due_on: dt.date,
    as_of: dt.date,
    payments: list[tuple[dt.date, Decimal]],
    rate: Decimal,
    rate_basis: str = "statutory",
) -> LateInterest:
    """Late interest (第十七条) on ``principal`` unpaid after ``due_on``, up to ``as_of``.

    Interest runs from the day after the due date. A payment reduces the principal from its own
    date (that day and after accrue on the reduced amount); once nothing is owed interest stops,
    and ``end`` is the day before the clearing payment. ``as_of`` on or before the due date:
    no interest. The sum is exact and rounded once, to the fen (half up).
    """
    start = due_on + dt.timedelta(days=1)
    if as_of < start:
        return LateInterest(principal, None, None, 0, rate, Decimal("0.00"), rate_basis)
    balance = principal
    total = Decimal(0)
    day = start
    end = as_of
    for paid_on, amount in sorted(payments):
        if balance <= 0:
            break
        if paid_on > as_of:
            break
        if paid_on > day:
            total += balance * rate * (paid_on - day).days
            day = paid_on
        balance -= amount
    if balance > 0:
        total += balance * rate * ((as_of - day).days + 1)
    else:
        end = day - dt.timedelta(days=1)
    days = max((end - start).days + 1, 0)
    if days == 0:
        return LateInterest(principal, None, None, 0, rate, Decimal("0.00"), rate_basis)
    interest = total.quantize(FEN, rounding=ROUND_HALF_UP)
    return LateInterest(principal, start, end, days, rate, interest, rate_basis)
