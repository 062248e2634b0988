"""Bringing a complaint to any workflow state through the real services (no tests here)."""

import datetime as dt

from django.utils import timezone

from agencies.choices import StaffRole
from agencies.models import User
from complaints.choices import JudgmentOutcome, Severity, Status
from complaints.models import Complaint
from complaints.services import workflow as wf
from complaints.services.tracking import complaint_withdraw
from tests.agencies.factories import StaffFactory
from tests.complaints.factories import ComplaintFactory


def handler_of(complaint: Complaint) -> User:
    existing = User.objects.filter(
        agency_id=complaint.handling_agency_id, role=StaffRole.HANDLER
    ).first()
    return existing or StaffFactory(role=StaffRole.HANDLER, agency=complaint.handling_agency)


def _officer() -> User:
    existing = User.objects.filter(role=StaffRole.CREDIT_OFFICER).first()
    return existing or StaffFactory(role=StaffRole.CREDIT_OFFICER)


def complaint_in(status: str, **factory_kwargs) -> Complaint:
    """A fresh complaint in ``status``, reached by calling the workflow services."""
    if status == Status.PENDING_ROUTING:
        return ComplaintFactory(routed=False, **factory_kwargs)
    c = ComplaintFactory(**factory_kwargs)
    if status == Status.ROUTED:
        return c
    h = handler_of(c)
    if status == Status.WITHDRAWN:
        return complaint_withdraw(complaint=c, reason="已协商解决")
    if status == Status.REJECTED:
        return wf.complaint_reject(complaint=c, actor=h, reason="不属于政务合同纠纷")
    c = wf.complaint_accept(complaint=c, actor=h)
    if status == Status.VERIFYING:
        return c
    if status == Status.UNFOUNDED:
        return wf.complaint_find_unfounded(complaint=c, actor=h, explanation="款项已于上月支付")
    if status in (Status.RECTIFYING, Status.RECTIFIED, Status.BREACH):
        c = wf.complaint_find_founded(complaint=c, actor=h, note="合同约定付款期已过")
        if status == Status.RECTIFIED:
            return wf.complaint_record_rectified(complaint=c, actor=h, note="已付清")
        if status == Status.BREACH:
            return wf.complaint_determine_breach(
                complaint=c, actor=h, severity=Severity.GENERAL, facts="逾期未整改"
            )
        return c
    c = wf.complaint_find_disputed(complaint=c, actor=h, note="金额有争议")
    if status == Status.NEGOTIATING:
        return c
    if status == Status.SETTLED:
        return wf.complaint_record_settlement(complaint=c, actor=h, note="和解协议已签")
    c = wf.complaint_refer_to_litigation(complaint=c, actor=h, note="已起诉")
    if status == Status.LITIGATION:
        return c
    assert status == Status.DISMISSED, status
    return wf.complaint_record_judgment(
        complaint=c, actor=h, outcome=JudgmentOutcome.AGENCY_PREVAILS, note="驳回起诉"
    )


def future(days: int = 10) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


officer = _officer
