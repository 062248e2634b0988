"""Field rules of the complaint form and API, shared by both so they give the same messages."""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Mainland mobile: 1[3-9] + 9 digits, optional +86 / 86 prefix.
_MOBILE_RE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
# Landline: area code 0 + 2-3 digits, 7-8 digit number, optional extension (转 / ext / -).
_LANDLINE_RE = re.compile(
    r"^(0[1-9][0-9]{1,2})-?([2-9][0-9]{6,7})(?:(?:-|转|ext\.?|#)([0-9]{1,6}))?$"
)

MAX_AMOUNT = Decimal(10) ** 12


def normalize_phone(value: str) -> str:
    """The canonical form of a mainland mobile or landline number, or a ValidationError."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    compact = raw.replace("-", "") if raw.startswith(("+", "1", "86")) else raw
    mobile = _MOBILE_RE.match(compact)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE_RE.match(raw.lower())
    if landline:
        area, number, ext = landline.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise ValidationError(
        _("请填写正确的手机号码（如13812345678）或固定电话（如0571-87654321）。"),
        code="phone",
    )


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE_RE.match(phone or ""))


def validate_amount(value: Decimal | None) -> None:
    if value is None:
        return
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("涉及金额必须大于0。"), code="amount_positive")
    if value > MAX_AMOUNT:
        raise ValidationError(_("涉及金额不能超过1万亿元。"), code="amount_too_large")
    if value.as_tuple().exponent < -2:
        raise ValidationError(_("涉及金额最多保留两位小数。"), code="amount_precision")


def validate_not_future(value: dt.date | None) -> None:
    # "Today" is the Asia/Shanghai date (TIME_ZONE), not the server's UTC date.
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("签订日期不能晚于今天。"), code="date_future")
