"""Complaint outcomes for credit-record tests, made through the real workflow services: the
complaint is filed by the intake service, a handler of its handling agency acts on it and a
credit officer reopens it, exactly as in the console."""

from agencies.choices import StaffRole
from complaints.choices import Action, Domain, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services import workflow
from tests.agencies.factories import StaffFactory
from tests.complaints.factories import ComplaintFactory


def _handler(complaint: Complaint):
    return StaffFactory(role=StaffRole.HANDLER, agency=complaint.handling_agency)


def _credit_officer():
    return StaffFactory(role=StaffRole.CREDIT_OFFICER)


def _last_event(complaint: Complaint) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=complaint).order_by("-seq").first()


def outcome(complaint: Complaint, action: str, to_status: str | None = None, *, note="已处理"):
    """Apply a handler's ``action`` (from ``routed`` it is accepted first); return its event."""
    complaint.refresh_from_db()
    handler = _handler(complaint)
    if complaint.status == Status.ROUTED:
        workflow.complaint_accept(complaint=complaint, actor=handler)
        complaint.refresh_from_db()
    services = {
        Action.FIND_FOUNDED: lambda: workflow.complaint_find_founded(
            complaint=complaint, actor=handler, note=note
        ),
        Action.RECORD_RECTIFIED: lambda: workflow.complaint_record_rectified(
            complaint=complaint, actor=handler, note=note
        ),
        Action.RECORD_SETTLEMENT: lambda: workflow.complaint_record_settlement(
            complaint=complaint, actor=handler, note=note
        ),
    }
    services[action]()
    complaint.refresh_from_db()
    assert to_status is None or complaint.status == to_status
    return _last_event(complaint)


def breach(complaint=None, *, severity="general", facts="拒不支付工程款"):
    """Determine a breach (filing and finding the complaint founded first when needed)."""
    # A procurement case: a breach on a payment_arrears case is an arrears record instead.
    complaint = complaint or ComplaintFactory(domain=Domain.PROCUREMENT)
    complaint.refresh_from_db()
    if complaint.status != Status.RECTIFYING:
        outcome(complaint, Action.FIND_FOUNDED, Status.RECTIFYING)
    workflow.complaint_determine_breach(
        complaint=complaint, actor=_handler(complaint), severity=severity, facts=facts
    )
    complaint.refresh_from_db()
    return complaint, _last_event(complaint)


def reopen(complaint, reason="认定依据有误，重新核查"):
    complaint.refresh_from_db()
    workflow.complaint_reopen(complaint=complaint, actor=_credit_officer(), reason=reason)
    complaint.refresh_from_db()
    return _last_event(complaint)
