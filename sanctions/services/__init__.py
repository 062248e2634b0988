"""Writes of the sanctions app: one function per verb (HackSoft style ``<entity>_<verb>``)."""

from .cases import office_task_done, typical_case_mark
from .checks import credit_check
from .reconcile import agencies_sanctions_reconcile, agency_sanctions_reconcile
from .repairs import repair_apply, repair_approve, repair_confirm, repair_reject
from .rules import sanction_rule_create, sanction_rule_update

__all__ = [
    "agencies_sanctions_reconcile",
    "agency_sanctions_reconcile",
    "credit_check",
    "office_task_done",
    "repair_apply",
    "repair_approve",
    "repair_confirm",
    "repair_reject",
    "sanction_rule_create",
    "sanction_rule_update",
    "typical_case_mark",
]
