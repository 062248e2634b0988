"""Due dates of the workflow stages (DESIGN section 5).

A stage's due date is computed when the stage starts (``transitions.move``) and stored in
``Complaint.due_at`` together with its basis in the event's ``data["deadline"]``, so the case
page can explain how it was computed. Clock events (pause, resume, extension; ``clock``) move
it and are logged the same way; the sweeps that remind and supervise are in ``supervision``.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.models import TimeLimitPolicy, policies_cache
from integrity_portal.workdays import Calendar

from ..choices import Status
from ..models import Complaint, ComplaintEvent

# Stages with a time limit; every other status has ``due_at`` = None.
TIMED_STATUSES = (Status.PENDING_ROUTING, Status.ROUTED, Status.VERIFYING, Status.RECTIFYING)


def policy_for(domain: str) -> TimeLimitPolicy:
    """The domain's policy, else the default row, else the built-in defaults of section 5."""
    rows = policies_cache.get_or_load(
        "all", lambda: {p.domain: p for p in TimeLimitPolicy.objects.all()}
    )
    return rows.get(domain) or rows.get("") or TimeLimitPolicy(domain="")


def end_of_day(day: dt.date) -> dt.datetime:
    """Deadlines fall at the end of the local day (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def stage_deadline(
    *,
    complaint: Complaint,
    status: str,
    start: dt.datetime,
    routed_at: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> tuple[dt.datetime | None, dict | None]:
    """``(due_at, basis)`` of the stage ``status`` starting at ``start``.

    ``basis`` is a JSON-able explanation stored with the event and shown on the case page.
    """
    calendar = calendar or Calendar()
    policy = policy_for(complaint.domain)
    start_day = local_date(start)
    if status == Status.PENDING_ROUTING:
        # 第二十五条: passed on within 10 working days (policy.routing_workdays).
        due = calendar.add_workdays(start_day, policy.routing_workdays)
        basis = {"rule": "routing", "start": str(start_day), "workdays": policy.routing_workdays}
    elif status == Status.ROUTED:
        due = calendar.add_workdays(start_day, policy.acceptance_workdays)
        basis = {
            "rule": "acceptance",
            "start": str(start_day),
            "workdays": policy.acceptance_workdays,
        }
    elif status == Status.VERIFYING and policy.result_days:
        # 保障中小企业款项支付条例 第二十五条: written result within 30 days of routing.
        origin = local_date(routed_at or start)
        due = origin + dt.timedelta(days=policy.result_days)
        basis = {"rule": "result", "start": str(origin), "days": policy.result_days}
        if policy.result_max_days:
            basis["max_days"] = policy.result_max_days
    elif status == Status.VERIFYING:
        due = calendar.add_workdays(start_day, policy.verification_workdays)
        basis = {
            "rule": "verification",
            "start": str(start_day),
            "workdays": policy.verification_workdays,
        }
    elif status == Status.RECTIFYING and complaint.rectification_due:
        due = complaint.rectification_due
        basis = {"rule": "rectification", "start": str(start_day), "date": str(due)}
    else:
        return None, None
    basis["due"] = str(due)
    return end_of_day(due), basis


def basis_text(basis: dict) -> str:
    """A sentence explaining one deadline basis (shown on the case page)."""
    rule = basis.get("rule")
    if rule == "routing":
        text = _(
            "收到投诉 %(start)s 起 %(n)s 个工作日内分办转交"
            "（《保障中小企业款项支付条例》第二十五条）"
        ) % {"start": basis["start"], "n": basis["workdays"]}
    elif rule == "acceptance":
        text = _("转办日 %(start)s 起 %(n)s 个工作日内受理") % {
            "start": basis["start"],
            "n": basis["workdays"],
        }
    elif rule == "verification":
        text = _("受理日 %(start)s 起 %(n)s 个工作日内核实认定") % {
            "start": basis["start"],
            "n": basis["workdays"],
        }
    elif rule == "result":
        text = _(
            "拖欠中小企业账款投诉：自转办日 %(start)s 起 %(n)s 日内书面答复，经批准可延长至共 "
            "%(max)s 日（《保障中小企业款项支付条例》第二十五条）"
        ) % {"start": basis["start"], "n": basis["days"], "max": basis.get("max_days", "-")}
    elif rule == "rectification":
        text = _("承办单位确定的整改期限 %(date)s") % {"date": basis["date"]}
    elif rule == "pause":
        text = _("等待投诉人补充材料，自 %(start)s 起暂停计时") % {"start": basis["start"]}
    elif rule == "resume":
        text = _("恢复计时：暂停 %(n)s 个%(unit)s，期限顺延") % {
            "n": basis["paused"],
            "unit": _("工作日") if basis.get("unit") == "workdays" else _("自然日"),
        }
        if basis.get("capped"):
            text += _("（暂停计入总时限，不超过自转办起 %(max)s 日）") % {"max": basis["capped"]}
    elif rule == "extend":
        text = _("经 %(approver)s 批准延期 %(n)s 个%(unit)s：%(reason)s") % {
            "approver": basis["approver"],
            "n": basis["amount"],
            "unit": _("工作日") if basis.get("unit") == "workdays" else _("自然日"),
            "reason": basis["reason"],
        }
    else:
        text = rule or ""
    if basis.get("due"):
        text += _("，期限 %(due)s") % {"due": basis["due"]}
    return text


def deadline_history(events) -> list[dict]:
    """The deadline bases of a case's events, oldest first, each with its sentence."""
    rows = []
    for event in events:
        basis = (event.data or {}).get("deadline")
        if basis:
            rows.append({"at": event.created_at, "basis": basis, "text": basis_text(basis)})
    return rows


def last_routed_at(complaint: Complaint) -> dt.datetime | None:
    """When the case was last routed (submission or reroute) — the origin of the 30-day rule."""
    return (
        ComplaintEvent.objects.filter(complaint=complaint, to_status=Status.ROUTED)
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
