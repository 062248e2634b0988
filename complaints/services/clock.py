"""The case clock (DESIGN section 5): pause while waiting for the complainant, resume, extend
with approval. Each keeps the status, moves the due date, and logs how in the event's
``data["deadline"]`` (shown on the case page), through ``begin`` → ``move`` → ``write``.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.api import InvalidTransition, NotEligible
from integrity_portal.workdays import Calendar

from ..choices import Action, Status
from ..models import Complaint
from . import deadlines
from .transitions import begin, move, write
from .workflow import required


def _unit(locked: Complaint) -> str:
    """``days`` for the calendar-day result limit of ``payment_arrears``, else ``workdays``."""
    policy = deadlines.policy_for(locked.domain)
    return "days" if (locked.status == Status.VERIFYING and policy.result_days) else "workdays"


def _result_cap(locked: Complaint) -> tuple[dt.date, int] | None:
    """``(last allowed due date, max days)`` of the calendar-day result limit: routing + 90
    days (保障中小企业款项支付条例 第二十五条), or None without one."""
    policy = deadlines.policy_for(locked.domain)
    routed_at = deadlines.last_routed_at(locked) or locked.stage_started_at
    if not policy.result_max_days or routed_at is None:
        return None
    origin = deadlines.local_date(routed_at)
    return origin + dt.timedelta(days=policy.result_max_days), policy.result_max_days


def _timed(locked: Complaint, action: str) -> None:
    if locked.status not in deadlines.TIMED_STATUSES or locked.due_at is None:
        raise InvalidTransition(
            detail=_("该案件当前阶段没有办理时限。"), status=locked.status, action=action
        )


def _clock_step(locked: Complaint, *, action: str, actor, basis: dict, fields: dict, **kwargs):
    data = {**kwargs.pop("data", {}), "deadline": basis}
    write(locked, [move(locked, action=action, actor=actor, data=data, fields=fields, **kwargs)])
    return locked


@transaction.atomic
def complaint_clock_pause(*, complaint: Complaint, actor, reason: str, expected_version=None):
    """Stop the clock while waiting for the complainant (e.g. for more evidence)."""
    locked, _target = begin(
        complaint=complaint, actor=actor, action=Action.PAUSE, expected_version=expected_version
    )
    _timed(locked, Action.PAUSE)
    if locked.clock_paused_at is not None:
        raise InvalidTransition(detail=_("已暂停计时。"), status=locked.status, action="pause")
    reason = required(reason, "reason")
    now = timezone.now()
    return _clock_step(
        locked,
        action=Action.PAUSE,
        actor=actor,
        basis={"rule": "pause", "start": str(deadlines.local_date(now))},
        fields={"clock_paused_at": now},
        data={"reason": reason},
    )


@transaction.atomic
def complaint_clock_resume(*, complaint: Complaint, actor, expected_version=None):
    """Restart the clock; the due date moves by the working (or calendar) days paused."""
    locked, _target = begin(
        complaint=complaint, actor=actor, action=Action.RESUME, expected_version=expected_version
    )
    _timed(locked, Action.RESUME)
    if locked.clock_paused_at is None:
        raise InvalidTransition(detail=_("未暂停计时。"), status=locked.status, action="resume")
    calendar = Calendar()
    paused_day = deadlines.local_date(locked.clock_paused_at)
    today = timezone.localdate()
    due_day = deadlines.local_date(locked.due_at)
    unit = _unit(locked)
    if unit == "workdays":
        paused = calendar.workdays_between(paused_day, today)
        new_due = calendar.add_workdays(due_day, paused)
    else:
        paused = (today - paused_day).days
        new_due = due_day + dt.timedelta(days=paused)
    basis = {"rule": "resume", "paused": paused, "unit": unit, "due": str(new_due)}
    cap = _result_cap(locked) if unit == "days" else None
    if cap is not None and new_due > cap[0]:
        # 第二十五条: 90 days in total from routing, pauses included (DESIGN section 12).
        new_due = cap[0]
        basis.update(due=str(new_due), capped=cap[1])
    return _clock_step(
        locked,
        action=Action.RESUME,
        actor=actor,
        basis=basis,
        fields={"clock_paused_at": None, "due_at": deadlines.end_of_day(new_due)},
    )


@transaction.atomic
def complaint_clock_extend(
    *,
    complaint: Complaint,
    actor,
    amount: int,
    reason: str,
    approver: str,
    expected_version=None,
):
    """Extend the current stage with approval. ``amount`` is in working days, except for the
    calendar-day result limit of ``payment_arrears``, which may not pass 90 days in total
    (保障中小企业款项支付条例 第二十五条)."""
    locked, _target = begin(
        complaint=complaint, actor=actor, action=Action.EXTEND, expected_version=expected_version
    )
    _timed(locked, Action.EXTEND)
    reason = required(reason, "reason")
    approver = required(approver, "approver")
    if not isinstance(amount, int) or amount <= 0 or amount > 365:
        raise ValidationError({"amount": _("延期天数应为 1 至 365 之间的整数。")}, code="invalid")
    due_day = deadlines.local_date(locked.due_at)
    unit = _unit(locked)
    if unit == "workdays":
        new_due = Calendar().add_workdays(due_day, amount)
    else:
        new_due = due_day + dt.timedelta(days=amount)
        policy = deadlines.policy_for(locked.domain)
        routed_at = deadlines.last_routed_at(locked) or locked.stage_started_at
        if policy.result_max_days and routed_at is not None:
            total = (new_due - deadlines.local_date(routed_at)).days
            if total > policy.result_max_days:
                raise NotEligible(
                    detail=_("延期后自转办起共 %(total)s 日，超过最长 %(max)s 日。")
                    % {"total": total, "max": policy.result_max_days}
                )
    basis = {
        "rule": "extend",
        "amount": amount,
        "unit": unit,
        "reason": reason,
        "approver": approver,
        "due": str(new_due),
    }
    return _clock_step(
        locked,
        action=Action.EXTEND,
        actor=actor,
        basis=basis,
        fields={"due_at": deadlines.end_of_day(new_due)},
        note=reason,
    )
