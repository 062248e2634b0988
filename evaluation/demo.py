"""Demo data for the evaluation (``manage.py load_demo``): six months of complaints across the
demo departments and districts, each taken through the real services at the time it would have
happened, so that every figure of the dashboard has something to show — on-time and late
stages, founded and unfounded, rectified, settled, breaches with their records and a repair,
reopened cases, ratings, overdue and supervised cases, payment arrears.

The past is reached with ``time_machine`` (a development dependency: the demo belongs to the
development setup); without it the demo is skipped with a note. Idempotent: the demo
complaints are recognised by their complainant's name.
"""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.choices import StaffRole
from agencies.models import Agency
from complaints.choices import Domain, Severity
from complaints.models import Complaint
from complaints.services import workflow as wf
from complaints.services.intake import complaint_submit
from complaints.services.supervision import sweep_supervision
from complaints.services.tracking import complaint_withdraw, feedback_submit
from integrity_portal.api import DomainError

PREFIX = "考核演示企业"
MONTHS = 6
PER_MONTH = 10
DOMAINS = [
    Domain.PAYMENT_ARREARS,
    Domain.PROCUREMENT,
    Domain.INVESTMENT_ATTRACTION,
    Domain.POLICY_FULFILMENT,
    Domain.GOVERNMENT_INVESTMENT,
]

# One plan per complaint, cycled: (days after submission, step). Steps run in order; a step
# that would fall in the future is left for later (the case stays open).
PLANS = [
    [(1, "accept"), (3, "founded"), (20, "rectified"), (21, "satisfied")],
    [(1, "accept"), (5, "unfounded"), (6, "neutral")],
    [(1, "accept"), (4, "disputed"), (15, "settled"), (16, "dissatisfied")],
    [(1, "accept"), (3, "founded"), (40, "breach"), (45, "repair_apply"), (52, "repair_approve")],
    [(6, "accept"), (20, "founded"), (30, "rectified"), (31, "satisfied")],  # late
    [],  # never accepted: overdue, then supervised
    [(1, "accept")],  # verifying; overdue once the limit passes
    [(1, "reject")],
    [(1, "accept"), (3, "unfounded"), (10, "reopen"), (14, "founded"), (25, "rectified")],
    [(0, "withdraw")],
    [(1, "accept"), (3, "founded"), (35, "breach")],  # a breach left unrepaired
]


def _handler(agency):
    User = get_user_model()
    user = User.objects.filter(agency=agency, role=StaffRole.HANDLER, is_active=True).first()
    if user is None:
        user = User(username=f"demo-handler-{agency.pk}", agency=agency, role=StaffRole.HANDLER)
        user.set_unusable_password()
        user.save()
    return user


def _officer():
    User = get_user_model()
    return User.objects.filter(role=StaffRole.CREDIT_OFFICER, is_active=True).first()


def _step(complaint, step, *, handler, officer):
    c = Complaint.objects.get(pk=complaint.pk)
    if step == "accept":
        return wf.complaint_accept(complaint=c, actor=handler)
    if step == "founded":
        return wf.complaint_find_founded(
            complaint=c, actor=handler, note="经核实，合同约定付款期已过"
        )
    if step == "unfounded":
        return wf.complaint_find_unfounded(complaint=c, actor=handler, explanation="款项已按约支付")
    if step == "disputed":
        return wf.complaint_find_disputed(complaint=c, actor=handler, note="双方对金额有争议")
    if step == "rectified":
        return wf.complaint_record_rectified(complaint=c, actor=handler, note="已履约")
    if step == "settled":
        return wf.complaint_record_settlement(complaint=c, actor=handler, note="已签和解协议")
    if step == "breach":
        c = wf.complaint_determine_breach(
            complaint=c, actor=handler, severity=Severity.MINOR, facts="逾期未整改"
        )
        _ingest_now(complaint=c)
        _reconcile(c.respondent_agency_id)
        return c
    if step == "reject":
        return wf.complaint_reject(complaint=c, actor=handler, reason="不属于政务合同纠纷")
    if step == "reopen":
        return wf.complaint_reopen(complaint=c, actor=officer, reason="复查发现新证据")
    if step == "withdraw":
        return complaint_withdraw(complaint=c, reason="已自行协商解决")
    if step in ("satisfied", "neutral", "dissatisfied"):
        return feedback_submit(complaint=c, satisfaction=step)
    if step in ("repair_apply", "repair_approve"):
        return _repair(c, step, handler=handler, officer=officer)
    raise ValueError(step)


def _repair(complaint, step, *, handler, officer):
    from credit_records.models import CreditRecord
    from sanctions.models import Repair
    from sanctions.services.repairs import repair_apply, repair_approve, repair_confirm

    _ingest_now(complaint=complaint)
    record = CreditRecord.objects.filter(complaint=complaint).first()
    if record is None:
        return None
    if step == "repair_apply":
        return repair_apply(
            record_id=record.pk,
            actor=officer,
            statement="已全额支付并作出信用承诺",
            commitment=True,
            evidence_note="付款凭证",
        )
    repair = Repair.objects.filter(record=record).order_by("-id").first()
    repair = repair_confirm(repair_id=repair.pk, actor=handler, note="已确认履约")
    repair = repair_approve(repair_id=repair.pk, actor=officer, note="同意修复")
    _reconcile(record.agency_id)
    return repair


def _reconcile(agency_id):
    """The agency's sanctions at this moment of the demo (a no-op when eager mode already did
    it; with a broker the worker's reconcile would come later, at the wrong time)."""
    from sanctions.services.reconcile import agencies_sanctions_reconcile

    agencies_sanctions_reconcile(agency_ids=[agency_id])


def _ingest_now(**filters):
    """The breach's credit record now, not when a worker gets to it: with a broker the
    ingestion runs in a worker that may not be there (or not yet) while the demo is built.
    Safe: an event is consumed once, whoever comes first."""
    from credit_records.services.ingestion import complaint_events_ingest, unconsumed_events

    ids = list(unconsumed_events().filter(**filters).values_list("pk", flat=True))
    if ids:
        complaint_events_ingest(event_ids=ids)


def _dishonest_debtor(respondent):
    """seed 000: a body a court lists as 失信被执行人 loses points directly."""
    from credit_records.choices import Kind, Source
    from credit_records.services.records import credit_record_create

    credit_record_create(
        agency_id=respondent.pk,
        kind=Kind.DISHONEST_DEBTOR,
        severity=Severity.SERIOUS,
        facts="考核演示：被人民法院列入失信被执行人名单",
        decided_on=timezone.localdate() - dt.timedelta(days=60),
        source=Source.COURT,
        source_ref="考核演示-执行-0001",
    )


def build_demo(*, stdout) -> int:
    try:
        import time_machine
    except ImportError:
        stdout.write("evaluation demo skipped: time_machine (a development dependency) missing\n")
        return 0
    if Complaint.objects.filter(complainant_name__startswith=PREFIX).exists():
        stdout.write("evaluation demo: already loaded\n")
        return 0
    respondents = list(
        Agency.objects.filter(supervisor__isnull=False, is_active=True).order_by("id")[:12]
    )
    officer = _officer()
    if not respondents or officer is None:
        stdout.write("evaluation demo skipped: no demo agencies or credit officer\n")
        return 0
    now = timezone.now()
    today = timezone.localdate()
    created = 0
    numbers = itertools.count(1)
    for month_back in range(MONTHS, -1, -1):
        for i in range(PER_MONTH):
            n = next(numbers)
            day = today - dt.timedelta(days=month_back * 30 + (PER_MONTH - i) * 2)
            submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
            if submitted >= now:
                continue
            respondent = respondents[n % len(respondents)]
            data = {
                "complainant_type": "individual",
                "complainant_name": f"{PREFIX}{n:03d}",
                "contact_name": "演示联系人",
                "contact_phone": f"1390000{n:04d}",
                "respondent_agency": respondent,
                "domain": DOMAINS[n % len(DOMAINS)],
                "title": "考核演示：合同款项未按约支付",
                "description": "演示数据：合同履行完毕后，款项未按约定期限支付。",
                "contract_title": f"考核演示合同{n:03d}",
                "amount_involved": f"{(n % 9 + 1) * 10000}.00",
            }
            with time_machine.travel(submitted, tick=False):
                complaint, _code = complaint_submit(data=data, actor=None, channel="web")
            created += 1
            handler = _handler(complaint.handling_agency)
            for offset, step in PLANS[n % len(PLANS)]:
                moment = submitted + dt.timedelta(days=offset, hours=1)
                if moment >= now:
                    break
                try:
                    with time_machine.travel(moment, tick=False):
                        _step(complaint, step, handler=handler, officer=officer)
                except DomainError as exc:  # e.g. a repair not yet eligible: leave it
                    stdout.write(f"  demo step {step} on {complaint.reference} skipped: {exc}\n")
                    break
    _dishonest_debtor(respondents[0])
    _ingest_now()
    from sanctions.services.reconcile import reconcile_all

    reconcile_all()  # sanctions for what a worker has not reconciled yet (no-op when eager)
    supervised = sweep_supervision()
    stdout.write(f"evaluation demo: {created} complaints, {supervised} supervised\n")
    return created
