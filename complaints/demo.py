"""Demo complaints for ``manage.py load_demo``, filed through the real intake service.

Idempotent: a complaint is matched by its complainant's USCC and contract title, so a second
run changes nothing. Each demo complaint gets a fixed, published access code so people
trying the demo can track it (never do this with real complaints).
"""

import datetime as dt

from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from agencies.models import Agency, User

from .choices import OPEN_STATUSES, Satisfaction, Status
from .models import Complaint, Feedback
from .services import workflow
from .services.assignment import complaint_assign
from .services.intake import complaint_submit
from .services.references import access_code_display, access_code_hash
from .services.tracking import feedback_submit

DEMO_ACCESS_CODE = "DEMQ2026TRAK"


def _uscc(n: int) -> str:
    body = f"91330106MA{n:07d}"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


DEMO_COMPLAINTS = [
    {
        "respondent": "杭州市实验小学",
        "complainant_name": "杭州安居建筑修缮有限公司",
        "domain": "payment_arrears",
        "title": "校舍维修工程验收合格后一年未付款",
        "description": "我公司2024年承接校舍屋面及外墙维修工程，同年9月验收合格。"
        "按合同约定应于验收后30日内支付工程款，学校以领导更换、预算调整为由至今未付。",
        "contract_title": "杭州市实验小学校舍维修工程施工合同",
        "amount_involved": "386500.00",
        "remedy_sought": "支付工程款及逾期利息",
    },
    {
        "respondent": "杭州市西湖区投资促进局",
        "complainant_name": "杭州云栖智能装备有限公司",
        "domain": "investment_attraction",
        "title": "招商协议约定的设备补助未兑现",
        "description": "2023年签订招商引资协议，约定项目投产后给予设备投资额10%的补助。项目已于"
        "2024年投产并通过核查，补助至今未拨付。",
        "contract_title": "西湖区智能装备产业项目投资协议",
        "amount_involved": "1200000.00",
        "remedy_sought": "按协议拨付设备补助",
    },
    {
        "respondent": "杭州市会展服务中心",
        "complainant_name": "杭州明光展览服务有限公司",
        "domain": "procurement",
        "title": "展台搭建服务采购合同尾款拖欠",
        "description": "2025年春季展会展台搭建服务已完成并验收，尾款30%未按期支付。",
        "contract_title": "2025春季展会展台搭建服务采购合同",
        "amount_involved": "96000.00",
        "remedy_sought": "支付尾款",
    },
    {
        "respondent": "杭州市余杭区第一人民医院",
        "complainant_name": "杭州康源医疗器械有限公司",
        "domain": "payment_arrears",
        "title": "医疗耗材货款逾期未付",
        "description": "2024年度耗材供货合同项下货款已对账确认，医院以院领导调整为由拖延付款。",
        "contract_title": "2024年度医用耗材供货合同",
        "amount_involved": "254300.80",
        "remedy_sought": "支付货款",
    },
    {
        "respondent": "杭州市经济和信息化局",
        "complainant_name": "杭州青禾新材料有限公司",
        "domain": "policy_fulfilment",
        "title": "专精特新奖励资金未兑现",
        "description": "我公司2024年获评省级专精特新中小企业，按市里公布的政策应获奖励，申报材料"
        "已受理审核通过，奖励资金未拨付。",
        "contract_title": "专精特新中小企业奖励政策",
        "amount_involved": "300000.00",
        "remedy_sought": "兑现奖励资金",
        "channel": "hotline_12345",
    },
]


def build_demo(*, stdout) -> None:
    clerk = User.objects.filter(role="intake_clerk").order_by("id").first()
    created = 0
    for n, spec in enumerate(DEMO_COMPLAINTS, start=1):
        spec = dict(spec)
        respondent = Agency.objects.filter(name=spec.pop("respondent"), is_active=True).first()
        if respondent is None:
            stdout.write(f"  demo complaint {n}: respondent missing, skipped")
            continue
        uscc = _uscc(n)
        existing = Complaint.objects.filter(
            complainant_uscc=uscc, contract_title=spec["contract_title"]
        ).first()
        if existing:
            continue
        channel = spec.pop("channel", "web")
        data = {
            **spec,
            "complainant_type": "enterprise",
            "complainant_uscc": uscc,
            "contact_name": "演示联系人",
            "contact_phone": f"1380000{n:04d}",
            "contact_email": f"demo{n}@example.invalid",
            "respondent_agency": respondent,
            "consent_to_share_contact": n % 2 == 0,
        }
        actor = clerk if channel != "web" else None
        complaint, _code = complaint_submit(data=data, actor=actor, channel=channel)
        Complaint.objects.filter(pk=complaint.pk).update(
            access_code_hash=access_code_hash(DEMO_ACCESS_CODE)
        )
        created += 1
        stdout.write(f"  complaint {complaint.reference} ({complaint.status}) {complaint.title}")
    _console_states()
    stdout.write(
        f"Demo complaints: {created} created; access code for every demo complaint: "
        f"{access_code_display(DEMO_ACCESS_CODE)}"
    )


def _console_states() -> None:
    """So the console's queue shows what it is for on first run: the demo handler's first case
    is overdue, another department's case was supervised (督办). Clock fields set directly:
    demo data stands in for weeks that have not passed. Idempotent (same values again)."""
    now = timezone.now()
    first = _demo_case("杭州市实验小学校舍维修工程施工合同")
    if first is not None and (first.due_at is None or first.due_at > now):
        Complaint.objects.filter(pk=first.pk).update(due_at=now - dt.timedelta(days=3))
    hospital = _demo_case("2024年度医用耗材供货合同")
    if hospital is not None and hospital.supervised_at is None:
        Complaint.objects.filter(pk=hospital.pk).update(
            due_at=now - dt.timedelta(days=12), supervised_at=now - dt.timedelta(days=2)
        )

    _assigned_case(first)
    _dissatisfied_follow_up()


def _assigned_case(case) -> None:
    """The demo handler's overdue case is assigned to the demo handler ("我的案件")."""
    handler = User.objects.filter(username="handler", role="handler", is_active=True).first()
    if (
        case is None
        or handler is None
        or case.assignee_id is not None
        or case.status not in OPEN_STATUSES
        or handler.agency_id != case.handling_agency_id
    ):
        return
    complaint_assign(complaint=case, actor=handler, assignee=handler)


def _dissatisfied_follow_up() -> None:
    """A case found unfounded whose complainant rated it 不满意 with a comment: the credit
    office's 回访 list has something on first run. Walked through the real services, acting as
    the demo superuser (who acts as the credit office)."""
    case = _demo_case("专精特新中小企业奖励政策")
    officer = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if case is None or officer is None or Feedback.objects.filter(complaint=case).exists():
        return
    if case.status == Status.ROUTED:
        case = workflow.complaint_accept(complaint=case, actor=officer)
    if case.status == Status.VERIFYING:
        case = workflow.complaint_find_unfounded(
            complaint=case,
            actor=officer,
            explanation="经核实，奖励资金已按政策规定的条件审核，企业尚未满足申报条件。",
        )
    if case.status == Status.UNFOUNDED:
        feedback_submit(
            complaint=case,
            satisfaction=Satisfaction.DISSATISFIED,
            comment="申报材料已按要求补齐，认定不属实的理由没有说明依据，希望重新核查。",
        )


def _demo_case(contract_title: str):
    return Complaint.objects.filter(
        contract_title=contract_title, complainant_uscc__startswith="91330106MA"
    ).first()
