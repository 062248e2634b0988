"""Complaint outcomes for credit-record tests: the complaint is filed through the real intake
service; outcome events are appended to its real event log (as the workflow services do)."""

from django.db import transaction

from complaints.choices import Action, Status
from complaints.models import Complaint
from complaints.services.events import event_append
from tests.complaints.factories import ComplaintFactory


def outcome(complaint: Complaint, action: str, to_status: str, *, data=None, note=""):
    """Move ``complaint`` to ``to_status`` with an ``action`` event; return the event."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        from_status = locked.status
        locked.status = to_status
        if action == Action.DETERMINE_BREACH:
            locked.severity = (data or {}).get("severity", "")
        locked.save(update_fields=["status", "severity"])
        event = event_append(
            complaint=locked,
            action=action,
            from_status=from_status,
            to_status=to_status,
            data=data,
            note=note,
        )
    complaint.status = to_status
    return event


def breach(complaint=None, *, severity="general", facts="拒不支付工程款"):
    complaint = complaint or ComplaintFactory()
    if complaint.status != Status.RECTIFYING:
        outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    return complaint, outcome(
        complaint,
        Action.DETERMINE_BREACH,
        Status.BREACH,
        data={"severity": severity, "facts": facts},
    )


def reopen(complaint, reason="认定依据有误，重新核查"):
    return outcome(complaint, Action.REOPEN, Status.VERIFYING, data={"reason": reason})
