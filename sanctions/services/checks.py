"""信用核查 (credit check): "may agency X receive measure M?" — answered from the cached
sanction state, and logged (who, why, answer) on every call."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError
from django.utils import timezone

from agencies.models import Agency
from integrity_portal.sql import insert_rows

from ..models import CreditCheck
from ..selectors import credit_check_state, credit_check_state_forget


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


# The log row's columns, written from values: building a CreditCheck instance to insert it
# (its __init__ and every field's pre_save) was 6% of a warm check's instructions.
_LOG_FIELDS = [
    "agency",
    "measure",
    "purpose",
    "restricted",
    "sanction_ids",
    "checked_by",
    "checked_at",
]


def credit_check(*, agency_id: int, measure: str, purpose: str, actor, reader=cache) -> CheckResult:
    """Answer and log one check. The log row is committed before the answer is returned.

    The log is an audit record (who asked, why, and what they were told), so it is written
    with an ordinary durable commit: an answer that reached the caller always has its row.
    On a warm cache the whole check is one cache read and this one INSERT.

    ``reader`` is the cache or the request's ``ReadAhead`` (see ``credit_check_state``).
    Raises ``Agency.DoesNotExist`` for an unknown agency (nothing is logged then).
    """
    state = credit_check_state(agency_id, reader=reader)
    if state is None:
        raise Agency.DoesNotExist
    sanctions = [s for s in state if s["measure"] == measure]
    restricted = bool(sanctions)
    checked_at = timezone.now()
    row = (
        agency_id,
        measure,
        purpose,
        restricted,
        [s["id"] for s in sanctions],
        actor.pk,
        checked_at,
    )
    try:
        # One prepared INSERT (nothing listens to this model's signals): the ORM's per-call
        # compilation cost as much CPU as the rest of a warm check.
        (check_id,) = insert_rows(CreditCheck, _LOG_FIELDS, [row], returning="id", prepared=True)
    except IntegrityError:
        # The cached entry outlived its agency (deleted since): answer as for any unknown one.
        if Agency.objects.filter(pk=agency_id).exists():
            raise
        credit_check_state_forget(agency_id)
        raise Agency.DoesNotExist from None
    return CheckResult(
        check=LoggedCheck(pk=check_id, checked_at=checked_at),
        restricted=restricted,
        sanctions=sanctions,
    )
