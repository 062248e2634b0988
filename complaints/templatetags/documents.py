"""Formatting for the public documents and pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value) -> str:
    """``480000`` → ``480,000.00``: thousands separators and fen, for a column or field whose
    label already says 元; the value as it is when it is not a number; empty for no amount."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def yuan(value) -> str:
    """``480000`` → ``480,000.00 元`` (``CNY 480,000.00`` in English); empty for no amount."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return _("%(amount)s 元") % {"amount": f"{amount:,.2f}"}
