"""Demo credit records for ``manage.py load_demo``: a few pushed records on the demo city's
agencies (idempotent through their source references), then the scores."""

import datetime
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.models import Agency, User
from integrity_portal.workdays import add_workdays

from .choices import RecordStatus
from .models import CreditRecord, IntegrationClient, Objection, RecordPolicy
from .services import credit_record_create
from .services.clients import integration_client_create
from .services.objections import objection_file
from .services.performance import perform_deadlines_sweep
from .services.scoring import agency_scores_recompute

# A one-page PDF as the demo objection's evidence (a real PDF header: checked by content).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (agency name, kind, severity, facts, amount, days before today, source, source_ref)
DEMO_RECORDS = [
    (
        "杭州市第一中学",
        "arrears",
        "general",
        "校舍维修工程验收合格后逾期未支付工程款。",
        "386000.00",
        40,
        "payment_platform",
        "DEMO-PAY-0001",
    ),
    (
        "杭州市第一中学",
        "promise_kept",
        "",
        "按和解协议如期支付设备采购尾款。",
        None,
        200,
        "justice_bureau",
        "DEMO-JB-0001",
    ),
    (
        # Old enough to be repaired: the demo's pending repair application is about it.
        "杭州市第一中学",
        "breach",
        "general",
        "拒不按和解协议支付食堂设备采购款。",
        "58000.00",
        400,
        "justice_bureau",
        "DEMO-JB-0003",
    ),
    (
        # Pushed by the court 60 days ago: its deadline to perform has passed and the
        # supervising department has been sent a supervision notice.
        "杭州市第一中学",
        "dishonest_debtor",
        "general",
        "未履行生效判决确定的工程款给付义务。",
        "212000.00",
        60,
        "court",
        "DEMO-COURT-0001",
    ),
    (
        "杭州市教育局",
        "policy_unfulfilled",
        "minor",
        "2025年度民办教育扶持资金未按期兑现。",
        "120000.00",
        30,
        "justice_bureau",
        "DEMO-JB-0002",
    ),
]


def build_demo(*, stdout: TextIO | None = None) -> int:
    today = timezone.localdate()
    agencies = dict(
        Agency.objects.filter(name__in={row[0] for row in DEMO_RECORDS}).values_list("name", "pk")
    )
    created = 0
    for name, kind, severity, facts, amount, days, source, ref in DEMO_RECORDS:
        if name not in agencies:
            continue
        _record, new = credit_record_create(
            agency_id=agencies[name],
            kind=kind,
            severity=severity,
            facts=facts,
            amount=amount,
            decided_on=today - datetime.timedelta(days=days),
            source=source,
            source_ref=ref,
        )
        created += new
        if new and _record.perform_due_on is not None:
            # As if pushed on its decision date (the demo's records are dated in the past).
            CreditRecord.objects.filter(pk=_record.pk).update(
                perform_due_on=add_workdays(
                    _record.decided_on, RecordPolicy.current().perform_workdays
                )
            )
    perform_deadlines_sweep(today=today)
    _demo_objection()
    _demo_clients()
    _demo_arrears_publication(today)
    agency_scores_recompute(agency_ids=list(agencies.values()))
    if stdout is not None:
        stdout.write(f"credit records: {created} demo records created\n")
    return created


# (name, source, reads the change feed): the console's 对接系统 page shows them; their tokens
# are not kept (rotate one on that page's API or the admin to connect a real system).
DEMO_CLIENTS = [
    ("杭州市12345政务服务便民热线", "hotline_12345", False),
    ("杭州市公共信用信息平台", "credit_office", True),
]


def _demo_arrears_publication(today) -> None:
    """Last year's arrears list, published by the province's credit office (it covers the whole
    demo deployment), with one overdue contract the payment platform pushed in November, so
    /credit/ links to a published year on first run (DESIGN section 12)."""
    from agencies.policy import may

    from .services.publication import arrears_publication_publish, arrears_publication_status

    year = today.year - 1
    publisher = User.objects.filter(username="credit_officer_province", is_active=True).first()
    agency = Agency.objects.filter(name="杭州市余杭区实验中学").first()
    if publisher is None or agency is None or not may(publisher, "arrears_publication.publish"):
        return
    credit_record_create(
        agency_id=agency.pk,
        kind="arrears",
        severity="general",
        facts="教学设备采购合同约定的货款逾期未支付。",
        amount=Decimal("96500.00"),
        decided_on=datetime.date(year, 11, 20),
        source="payment_platform",
        source_ref="DEMO-PAY-0002",
    )
    if arrears_publication_status(year) != "published":
        arrears_publication_publish(year=year, actor=publisher)


def _demo_clients() -> None:
    existing = set(IntegrationClient.objects.values_list("name", flat=True))
    for name, source, reads_changes in DEMO_CLIENTS:
        if name not in existing:
            integration_client_create(name=name, source=source, reads_changes=reads_changes)


def _demo_objection() -> None:
    """The demo liaison's pending objection to the arrears record (once)."""
    record = CreditRecord.objects.filter(source_ref="DEMO-PAY-0001").first()
    liaison = User.objects.filter(
        username="agency_liaison", agency_id=getattr(record, "agency_id", None)
    ).first()
    if record is None or liaison is None or Objection.objects.filter(record=record).exists():
        return
    if record.status == RecordStatus.ACTIVE:
        objection_file(
            record_id=record.pk,
            actor=liaison,
            reason="工程款已于2026年10月全额支付，平台数据未同步。",
            evidence_note="银行转账回单、施工单位收款确认函。",
            files=[ContentFile(DEMO_PDF, name="银行转账回单.pdf")],
        )
