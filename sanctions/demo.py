"""Demo sanctions for ``manage.py load_demo``: the reconcile of every agency over the demo
credit records (idempotent: a second run imposes and lifts nothing)."""

from typing import TextIO

from .catalogue import seed_catalogue
from .choices import SanctionStatus
from .models import Sanction
from .services.reconcile import reconcile_all


def build_demo(*, stdout: TextIO | None = None) -> int:
    seed_catalogue()
    changed = reconcile_all()
    if stdout is not None:
        active = Sanction.objects.filter(status=SanctionStatus.ACTIVE).count()
        stdout.write(f"sanctions: {changed} imposed or lifted, {active} in force\n")
    return changed
