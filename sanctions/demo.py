"""Demo sanctions for ``manage.py load_demo``: the reconcile of every agency over the demo
credit records (idempotent: a second run imposes and lifts nothing)."""

from typing import TextIO

from agencies.models import User
from credit_records.models import CreditRecord

from .catalogue import seed_catalogue
from .choices import SanctionStatus
from .models import Repair, Sanction
from .services.reconcile import reconcile_all
from .services.repairs import repair_apply, repair_eligibility


def build_demo(*, stdout: TextIO | None = None) -> int:
    seed_catalogue()
    changed = reconcile_all()
    _demo_repair()
    if stdout is not None:
        active = Sanction.objects.filter(status=SanctionStatus.ACTIVE).count()
        stdout.write(f"sanctions: {changed} imposed or lifted, {active} in force\n")
    return changed


def _demo_repair() -> None:
    """The demo liaison's repair application awaiting the credit office (once)."""
    record = CreditRecord.objects.filter(source_ref="DEMO-JB-0003").first()
    liaison = User.objects.filter(
        username="agency_liaison", agency_id=getattr(record, "agency_id", None)
    ).first()
    if record is None or liaison is None or Repair.objects.filter(record=record).exists():
        return
    if repair_eligibility(record=record) is None:
        repair_apply(
            record_id=record.pk,
            actor=liaison,
            statement="已按和解协议付清设备采购款并完成整改。",
            commitment=True,
            evidence_note="付款凭证、供应商确认函。",
        )
