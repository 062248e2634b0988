"""A small evaluated world built through the real services (no tests here)."""

import datetime as dt
from dataclasses import dataclass

import time_machine
from django.utils import timezone

from agencies.choices import StaffRole
from agencies.models import Region
from complaints.choices import Domain, Satisfaction, Status
from complaints.services import workflow as wf
from complaints.services.tracking import feedback_submit
from evaluation.figures import Period
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of, officer


@dataclass
class World:
    department: object
    respondent: object
    other: object
    period: Period
    complaints: dict


def build_world() -> World:
    region = Region.objects.filter(level="county").order_by("code").first()
    department = AgencyFactory(name="市住建局", region=region)
    respondent = AgencyFactory(name="某区教育局", supervisor=department, region=region)
    other = AgencyFactory(name="某街道办", supervisor=department, region=region)
    kw = {"respondent_agency": respondent, "domain": Domain.PAYMENT_ARREARS}
    c = {}
    # Submitted three weeks ago and never accepted: the acceptance stage fell overdue.
    with time_machine.travel(timezone.now() - dt.timedelta(days=21), tick=False):
        c["late"] = complaint_in(Status.ROUTED, amount_involved="1000.00", **kw)
        c["late_verifying"] = complaint_in(Status.VERIFYING, **kw)
    c["late"].refresh_from_db()
    c["routed"] = complaint_in(Status.ROUTED, **kw)
    c["unfounded"] = complaint_in(Status.UNFOUNDED, **kw)
    c["rectified"] = complaint_in(Status.RECTIFIED, amount_involved="500.00", **kw)
    feedback_submit(complaint=c["rectified"], satisfaction=Satisfaction.SATISFIED)
    c["settled"] = complaint_in(Status.SETTLED, amount_involved="200.00", **kw)
    feedback_submit(complaint=c["settled"], satisfaction=Satisfaction.DISSATISFIED)
    c["breach"] = complaint_in(Status.BREACH, **kw)
    c["rejected"] = complaint_in(Status.REJECTED, **kw)
    c["withdrawn"] = complaint_in(Status.WITHDRAWN, **kw)
    reopened = complaint_in(Status.UNFOUNDED, **kw)
    c["reopened"] = wf.complaint_reopen(complaint=reopened, actor=officer(), reason="新证据")
    # One complaint against another body of the same department: a second group.
    c["other"] = complaint_in(Status.ROUTED, respondent_agency=other)
    today = timezone.localdate()
    period = Period(today - dt.timedelta(days=40), today)
    handler_of(c["routed"])
    return World(department, respondent, other, period, c)


def office_user(role=StaffRole.CREDIT_OFFICER):
    return StaffFactory(role=role)
