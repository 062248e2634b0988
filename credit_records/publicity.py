"""Publicity windows of negative records (信用修复管理办法, in force 2026-04-01).

Counted from the decision date:

=========  ======================================  ====================================
severity   ``repair_eligible_on`` (the minimum)    ``publicity_ends`` (the maximum)
=========  ======================================  ====================================
minor      decided_on (repairable once performed)  None — a minor record is never published
general    decided_on + 3 months                   decided_on + 1 year
serious    decided_on + 1 year                     decided_on + 3 years
=========  ======================================  ====================================

``repair_eligible_on`` is the first day on which the agency may apply for repair.
``publicity_ends`` is the first day on which the record is no longer published: the publicity
sweep moves an ``active`` record to ``expired`` on that day. A record is public while
``decided_on <= today < publicity_ends``. Positive records have neither date.
"""

import datetime

from dateutil.relativedelta import relativedelta

from .choices import Severity

# severity → (minimum period, maximum period); None = not published.
WINDOWS: dict[str, tuple[relativedelta, relativedelta | None]] = {
    Severity.MINOR: (relativedelta(), None),
    Severity.GENERAL: (relativedelta(months=3), relativedelta(years=1)),
    Severity.SERIOUS: (relativedelta(years=1), relativedelta(years=3)),
}


def publicity_dates(
    *, severity: str, decided_on: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """``(repair_eligible_on, publicity_ends)`` for a record; ``(None, None)`` when positive."""
    if not severity:
        return None, None
    minimum, maximum = WINDOWS[severity]
    return decided_on + minimum, (decided_on + maximum) if maximum is not None else None
