"""Demo data: a sample province's agency directory and one login per staff role.

浙江省 (330000) with its credit office; 杭州市 (330100) with its municipal government, about
twenty municipal departments, the credit office and the discipline commission, two districts
(西湖区 330106, 余杭区 330110) with their own governments and bureaus; a county (淳安县 330127)
and a second city (宁波市 330200) with their own credit offices (the levels of DESIGN section
13); several public institutions (事业单位) under their bureaus. Region codes are real GB/T 2260
codes; the USCCs are generated (valid check characters, stable across runs) and belong to no
real body.

``build_demo`` is idempotent: agencies are matched by USCC and logins by username, so a second
run changes nothing. ``manage.py load_demo`` calls it, then the ``build_demo`` of the other
apps (see the command).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from .choices import AgencyKind, StaffRole
from .models import Agency, Region, User
from .services import agency_create, agency_update, staff_create

PROVINCE = "330000"
CITY = "330100"
XIHU = "330106"
YUHANG = "330110"
CHUNAN = "330127"  # a county of the city
NINGBO = "330200"  # a second city of the province

GOV = AgencyKind.GOVERNMENT
DEPT = AgencyKind.DEPARTMENT
INST = AgencyKind.INSTITUTION
OTHER = AgencyKind.OTHER

# (name, kind, region code, supervisor name). Supervisors are listed before what they supervise.
DEMO_AGENCIES: list[tuple[str, str, str, str | None]] = [
    ("杭州市人民政府", GOV, CITY, None),
    *(
        (f"杭州市{name}", DEPT, CITY, "杭州市人民政府")
        for name in (
            "发展和改革委员会",
            "经济和信息化局",
            "教育局",
            "财政局",
            "商务局",
            "住房和城乡建设局",
            "交通运输局",
            "卫生健康委员会",
            "规划和自然资源局",
            "市场监督管理局",
            "司法局",
            "人力资源和社会保障局",
            "农业农村局",
            "文化广电旅游局",
            "生态环境局",
            "城市管理局",
            "应急管理局",
            "投资促进局",
            "数据资源管理局",
            "信访局",
            "人民政府国有资产监督管理委员会",
        )
    ),
    # 信用办 sits inside the development and reform commission.
    ("杭州市社会信用体系建设领导小组办公室", DEPT, CITY, "杭州市发展和改革委员会"),
    ("中共杭州市纪律检查委员会 杭州市监察委员会", OTHER, CITY, None),
    ("杭州市第一中学", INST, CITY, "杭州市教育局"),
    ("杭州市实验小学", INST, CITY, "杭州市教育局"),
    ("杭州市第一人民医院", INST, CITY, "杭州市卫生健康委员会"),
    ("杭州市城市建设发展中心", INST, CITY, "杭州市住房和城乡建设局"),
    ("杭州市中小企业服务中心", INST, CITY, "杭州市经济和信息化局"),
    ("杭州市公路与港航管理服务中心", INST, CITY, "杭州市交通运输局"),
    # No supervising agency on record: complaints against it wait for the credit office to
    # route them (status pending_routing).
    ("杭州市会展服务中心", INST, CITY, None),
    ("杭州市西湖区人民政府", GOV, XIHU, "杭州市人民政府"),
    *(
        (f"杭州市西湖区{name}", DEPT, XIHU, "杭州市西湖区人民政府")
        for name in (
            "发展和改革局",
            "财政局",
            "教育局",
            "住房和城乡建设局",
            "市场监督管理局",
            "投资促进局",
        )
    ),
    ("杭州市西湖区第一实验小学", INST, XIHU, "杭州市西湖区教育局"),
    ("杭州市西湖区城市建设发展中心", INST, XIHU, "杭州市西湖区住房和城乡建设局"),
    ("杭州市余杭区人民政府", GOV, YUHANG, "杭州市人民政府"),
    *(
        (f"杭州市余杭区{name}", DEPT, YUHANG, "杭州市余杭区人民政府")
        for name in (
            "发展和改革局",
            "财政局",
            "教育局",
            "住房和城乡建设局",
            "卫生健康局",
            "农业农村局",
            "投资促进局",
        )
    ),
    ("杭州市余杭区第一人民医院", INST, YUHANG, "杭州市余杭区卫生健康局"),
    ("杭州市余杭区实验中学", INST, YUHANG, "杭州市余杭区教育局"),
    # One deployment for the province (DESIGN section 13): the province's credit office sees
    # everything below; each city's and the county's credit office only its own region.
    ("浙江省人民政府", GOV, PROVINCE, None),
    ("浙江省发展和改革委员会", DEPT, PROVINCE, "浙江省人民政府"),
    ("浙江省社会信用体系建设领导小组办公室", DEPT, PROVINCE, "浙江省发展和改革委员会"),
    ("淳安县人民政府", GOV, CHUNAN, "杭州市人民政府"),
    ("淳安县教育局", DEPT, CHUNAN, "淳安县人民政府"),
    ("淳安县发展和改革局", DEPT, CHUNAN, "淳安县人民政府"),
    ("淳安县社会信用体系建设领导小组办公室", DEPT, CHUNAN, "淳安县发展和改革局"),
    ("淳安县实验小学", INST, CHUNAN, "淳安县教育局"),
    ("宁波市人民政府", GOV, NINGBO, None),
    ("宁波市发展和改革委员会", DEPT, NINGBO, "宁波市人民政府"),
    ("宁波市教育局", DEPT, NINGBO, "宁波市人民政府"),
    ("宁波市社会信用体系建设领导小组办公室", DEPT, NINGBO, "宁波市发展和改革委员会"),
    ("宁波市第一中学", INST, NINGBO, "宁波市教育局"),
]

UNROUTED_AGENCY = "杭州市会展服务中心"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str  # "" for the superuser
    agency: str | None


def _password(role: str) -> str:
    return f"demo-{role}-2026"


DEMO_LOGINS: list[DemoLogin] = (
    [
        DemoLogin(role, _password(role), role, agency)
        for role, agency in (
            (StaffRole.INTAKE_CLERK, "杭州市信访局"),
            (StaffRole.HANDLER, "杭州市教育局"),
            (StaffRole.AGENCY_LIAISON, "杭州市第一中学"),
            (StaffRole.CREDIT_OFFICER, "杭州市社会信用体系建设领导小组办公室"),
            (StaffRole.AUDITOR, "中共杭州市纪律检查委员会 杭州市监察委员会"),
        )
    ]
    + [
        # The levels: a credit officer of the province, of a second city and of a county.
        DemoLogin(
            f"credit_officer_{place}",
            _password(f"credit_officer_{place}"),
            StaffRole.CREDIT_OFFICER,
            office,
        )
        for place, office in (
            ("province", "浙江省社会信用体系建设领导小组办公室"),
            ("ningbo", "宁波市社会信用体系建设领导小组办公室"),
            ("chunan", "淳安县社会信用体系建设领导小组办公室"),
        )
    ]
    + [DemoLogin("admin", _password("admin"), "", None)]
)

# GB 11714 organisation code: 8 characters + a check character with these weights.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organisation_code(seed: str) -> str:
    digits = f"{int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**8:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_uscc(name: str, kind: str, region_code: str) -> str:
    """A valid, stable USCC for a demo agency.

    Registration authority 1 (机构编制); entity type 1 (机关) or 2 (事业单位); the region code;
    an organisation code derived from the name; the GB 32100-2015 check character.
    """
    entity_type = "2" if kind == INST else "1"
    body = f"1{entity_type}{region_code}{_organisation_code(name)}"
    return body + stdnum_uscc.calc_check_digit(body)


@dataclass
class DemoSummary:
    agencies_created: int = 0
    agencies_updated: int = 0
    logins_created: int = 0


def build_demo(*, stdout: TextIO | None = None) -> DemoSummary:
    """Create or complete the demo directory and logins; a second run changes nothing."""
    summary = DemoSummary()
    with transaction.atomic():
        agencies = _build_agencies(summary)
        _build_logins(agencies, summary)
    if stdout is not None:
        stdout.write(
            f"agencies: {summary.agencies_created} created, {summary.agencies_updated} updated, "
            f"{len(agencies)} in the demo; logins: {summary.logins_created} created\n"
        )
    return summary


def _build_agencies(summary: DemoSummary) -> dict[str, Agency]:
    regions = Region.objects.in_bulk([PROVINCE, CITY, XIHU, YUHANG, CHUNAN, NINGBO])
    wanted = {name: demo_uscc(name, kind, region) for name, kind, region, _ in DEMO_AGENCIES}
    existing = Agency.objects.in_bulk(list(wanted.values()), field_name="uscc")
    agencies: dict[str, Agency] = {}
    for name, kind, region_code, supervisor_name in DEMO_AGENCIES:
        uscc = wanted[name]
        region = regions[region_code]
        supervisor = agencies[supervisor_name] if supervisor_name else None
        agency = existing.get(uscc)
        if agency is None:
            agency = agency_create(
                name=name, kind=kind, uscc=uscc, region=region, supervisor=supervisor
            )
            summary.agencies_created += 1
        else:
            changes = {}
            if agency.name != name:
                changes["name"] = name
            if agency.kind != kind:
                changes["kind"] = kind
            if agency.region_id != region_code:
                changes["region"] = region
            if agency.supervisor_id != (supervisor.pk if supervisor else None):
                changes["supervisor"] = supervisor
            if changes:
                agency = agency_update(agency=agency, **changes)
                summary.agencies_updated += 1
        agencies[name] = agency
    return agencies


def _build_logins(agencies: dict[str, Agency], summary: DemoSummary) -> None:
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        if login.role:
            staff_create(
                username=login.username,
                password=login.password,
                agency=agencies[login.agency],
                role=login.role,
            )
        else:
            User.objects.create_superuser(login.username, "", login.password)
        summary.logins_created += 1
    _build_locked_account(agencies)


# A handler left locked, as after five wrong passwords, so the credit office's unlock page
# (/console/account/locked/) has a row to show. Locked for a day rather than the lockout's
# 15 minutes, so the row is still there when someone looks; it cannot log in (no password).
LOCKED_DEMO_USERNAME = "handler_locked"


def _build_locked_account(agencies: dict[str, Agency]) -> None:
    if User.objects.filter(username=LOCKED_DEMO_USERNAME).exists():
        return
    user = staff_create(
        username=LOCKED_DEMO_USERNAME,
        password=None,
        agency=agencies["杭州市教育局"],
        role=StaffRole.HANDLER,
    )
    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() + dt.timedelta(days=1), failed_logins=0
    )
