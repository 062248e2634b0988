"""信用核查 (credit check): "may agency X receive measure M?" — answered from the cached
sanction state, and logged (who, why, answer) on every call."""

from dataclasses import dataclass

from ..models import CreditCheck
from ..selectors import agency_sanction_state


@dataclass
class CheckResult:
    check: CreditCheck
    restricted: bool
    sanctions: list[dict]


def credit_check(*, agency_id: int, measure: str, purpose: str, actor) -> CheckResult:
    """Answer and log one check. The log row is committed before the answer is returned.

    The log is an audit record (who asked, why, and what they were told), so it is written
    with an ordinary durable commit: an answer that reached the caller always has its row.
    """
    sanctions = [s for s in agency_sanction_state(agency_id) if s["measure"] == measure]
    restricted = bool(sanctions)
    check = CreditCheck.objects.create(
        agency_id=agency_id,
        measure_id=measure,
        purpose=purpose,
        restricted=restricted,
        sanction_ids=[s["id"] for s in sanctions],
        checked_by=actor,
    )
    return CheckResult(check=check, restricted=restricted, sanctions=sanctions)
