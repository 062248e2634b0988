"""信用核查 (credit check): "may agency X receive measure M?" — answered from the cached
sanction state, and logged (who, why, answer) on every call.

The log row is written with one literal INSERT through ``cursor.execute`` (Django's documented
raw-SQL path) rather than ``CreditCheck.objects.create``: on the endpoint DESIGN section 10 asks
1,000 checks/s of, building the ORM's INSERT was 16% of a warm check's instructions (2.98 →
2.51 M per check, ``benchmarks/request_cpu.py credit-check --instructions``, 500 checks). The
columns are the model's; ``tests/sanctions/test_credit_check.py`` reads the row back through
the ORM.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection
from django.utils import timezone

from agencies.models import Agency
from agencies.policy import require

from ..selectors import credit_check_state, credit_check_state_forget

_LOG_ROW = """
    INSERT INTO sanctions_creditcheck
        (agency_id, measure_id, purpose, restricted, sanction_ids, checked_by_id, checked_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    RETURNING id
"""


@dataclass
class LoggedCheck:
    """What a caller shows of the log row: its number and time."""

    pk: int
    checked_at: datetime


@dataclass
class CheckResult:
    check: LoggedCheck
    restricted: bool
    sanctions: list[dict]


def credit_check(*, agency_id: int, measure: str, purpose: str, actor) -> CheckResult:
    """Answer and log one check. The log row is committed before the answer is returned.

    The log is an audit record (who asked, why, and what they were told), so it is written
    with an ordinary durable commit: an answer that reached the caller always has its row.
    On a warm cache the whole check is one cache read and this one INSERT.

    Raises ``Agency.DoesNotExist`` for an unknown agency (nothing is logged then).
    """
    require(actor, "credit_check.run")
    state = credit_check_state(agency_id)
    if state is None:
        raise Agency.DoesNotExist
    sanctions = [s for s in state if s["measure"] == measure]
    checked_at = timezone.now()
    row = [
        agency_id,
        measure,
        purpose,
        bool(sanctions),
        json.dumps([s["id"] for s in sanctions]),
        actor.pk,
        checked_at,
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LOG_ROW, row)
            (check_id,) = cursor.fetchone()
    except IntegrityError:
        # The measure and the actor are known; a cached entry outlived its agency (deleted
        # since, which the directory's protected foreign keys make all but impossible): answer
        # as for any unknown agency.
        credit_check_state_forget(agency_id)
        raise Agency.DoesNotExist from None
    return CheckResult(
        check=LoggedCheck(pk=check_id, checked_at=checked_at),
        restricted=bool(sanctions),
        sanctions=sanctions,
    )
