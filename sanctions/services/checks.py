"""信用核查 (credit check): "may agency X receive measure M?" — answered from the cached
sanction state, and logged (who, why, answer) on every call."""

from dataclasses import dataclass

from django.db import IntegrityError

from agencies.models import Agency
from integrity_portal.sql import insert_instance

from ..models import CreditCheck
from ..selectors import credit_check_state, credit_check_state_forget


@dataclass
class CheckResult:
    check: CreditCheck
    restricted: bool
    sanctions: list[dict]


def credit_check(*, agency_id: int, measure: str, purpose: str, actor) -> CheckResult:
    """Answer and log one check. The log row is committed before the answer is returned.

    The log is an audit record (who asked, why, and what they were told), so it is written
    with an ordinary durable commit: an answer that reached the caller always has its row.
    On a warm cache the whole check is one cache read and this one INSERT.

    Raises ``Agency.DoesNotExist`` for an unknown agency (nothing is logged then).
    """
    state = credit_check_state(agency_id)
    if state is None:
        raise Agency.DoesNotExist
    sanctions = [s for s in state if s["measure"] == measure]
    restricted = bool(sanctions)
    try:
        check = CreditCheck(
            agency_id=agency_id,
            measure_id=measure,
            purpose=purpose,
            restricted=restricted,
            sanction_ids=[s["id"] for s in sanctions],
            checked_by=actor,
        )
        # One cached INSERT (nothing listens to this model's signals): the ORM's per-call
        # compilation cost as much CPU as the rest of a warm check.
        insert_instance(check)
    except IntegrityError:
        # The cached entry outlived its agency (deleted since): answer as for any unknown one.
        if Agency.objects.filter(pk=agency_id).exists():
            raise
        credit_check_state_forget(agency_id)
        raise Agency.DoesNotExist from None
    return CheckResult(check=check, restricted=restricted, sanctions=sanctions)
