"""The verification workflow (DESIGN section 4): one service per action.

Every service runs in ``transaction.atomic``, re-reads the complaint with ``select_for_update``
(so two staff acting at once are serialised: the second one sees the first one's result and
gets 409), checks scope (404), role (403), the form's version (409 ``stale``) and the transition
table (409 ``invalid_transition``) — in that order — then validates its input, saves with
``update_fields``, bumps ``version``, recomputes the stage's due date and appends one event.

``message`` of an event is public (the complainant's timeline); ``note`` is internal.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.choices import StaffRole
from agencies.models import Agency
from integrity_portal.api import InvalidTransition, NotEligible, StaleObject
from integrity_portal.workdays import Calendar

from ..choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    Action,
    JudgmentOutcome,
    MessageSender,
    Severity,
    Status,
)
from ..models import Complaint, ComplaintMessage
from ..selectors import complaint_is_visible_to
from . import deadlines
from .events import check_transition, event_append

# Actions only the credit office may take; every other workflow action is the handler's
# (and the credit office's, which may do everything).
CREDIT_OFFICE_ACTIONS = frozenset({Action.REROUTE, Action.REOPEN})
HANDLER_ACTIONS = frozenset(
    {
        Action.ACCEPT,
        Action.REJECT,
        Action.FIND_UNFOUNDED,
        Action.FIND_FOUNDED,
        Action.FIND_DISPUTED,
        Action.RECORD_RECTIFIED,
        Action.RECORD_SETTLEMENT,
        Action.REFER_TO_LITIGATION,
        Action.RECORD_JUDGMENT,
        Action.DETERMINE_BREACH,
        deadlines.EVENT_PAUSE,
        deadlines.EVENT_RESUME,
        deadlines.EVENT_EXTEND,
        deadlines.EVENT_NOTE,
    }
)
STAFF_ACTIONS = tuple(a for a in Action.values if a not in {Action.SUBMIT, Action.WITHDRAW})

# Seed 004 二(二): 以机构调整、人员变动等理由不履约的，均属于违约失信情形 — never a defence.
INVALID_DEFENCE_WORDS = ("机构调整", "机构改革", "人员变动", "领导变动", "领导更换", "换届")
INVALID_DEFENCE_MESSAGE = gettext_lazy(
    "以机构调整、人员变动等理由不履约的，均属于违约失信情形，不能作为不属实或不予受理的理由。"
)


def may_act(*, actor, complaint: Complaint, action: str) -> bool:
    """Role and scope in one predicate (for the console: which forms to show)."""
    try:
        authorize(actor=actor, complaint=complaint, action=action)
    except (PermissionDenied, Http404):
        return False
    return True


def authorize(*, actor, complaint: Complaint, action: str) -> None:
    """404 when the case is outside the actor's scope, 403 when the role may not act."""
    if not complaint_is_visible_to(actor, complaint):
        raise Http404
    if actor.is_credit_officer:
        return
    if action in CREDIT_OFFICE_ACTIONS or action not in HANDLER_ACTIONS:
        raise PermissionDenied(_("您的角色不能执行该操作。"))
    if actor.role != StaffRole.HANDLER:
        raise PermissionDenied(_("您的角色不能执行该操作。"))
    if complaint.handling_agency_id != actor.agency_id:
        raise Http404


def _begin(*, complaint: Complaint, actor, action: str, expected_version: int | None):
    """Lock the row and run the checks; returns ``(locked, target_status)``."""
    # The row lock serialises concurrent actions on one case: the loser re-reads the new
    # status after the winner commits and fails the transition check (409) cleanly.
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    authorize(actor=actor, complaint=locked, action=action)
    if expected_version is not None and locked.version != expected_version:
        raise StaleObject(version=locked.version)
    if action in TRANSITIONS:
        return locked, check_transition(locked, action)
    return locked, None


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("此项为必填项。")}, code="required")
    return value


def _no_invalid_defence(value: str, field: str) -> None:
    if any(word in value for word in INVALID_DEFENCE_WORDS):
        raise ValidationError({field: str(INVALID_DEFENCE_MESSAGE)}, code="invalid_defence")


def _move(
    locked: Complaint,
    *,
    actor,
    action: str,
    to_status: str,
    message: str,
    note: str = "",
    data: dict | None = None,
    fields: dict | None = None,
    routed_at: dt.datetime | None = None,
    with_deadline: bool = True,
) -> Complaint:
    now = timezone.now()
    from_status = locked.status
    changed = {"status", "version", "updated_at", "stage_started_at", "due_at"}
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        changed.add(name)
    locked.status = to_status
    locked.version += 1
    locked.stage_started_at = now
    due_at, basis = deadlines.stage_deadline(
        complaint=locked, status=to_status, start=now, routed_at=routed_at
    )
    locked.due_at = due_at
    # A new stage has a new clock: supervision and escalation apply to it afresh.
    locked.clock_paused_at = None
    locked.supervised_at = None
    locked.escalated_at = None
    changed |= {"clock_paused_at", "supervised_at", "escalated_at"}
    locked.closed_at = now if to_status in CLOSED_STATUSES else None
    changed.add("closed_at")
    locked.save(update_fields=sorted(changed))
    data = dict(data or {})
    if basis and with_deadline:
        data["deadline"] = basis
    event_append(
        complaint=locked,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        message=message,
        note=note,
        data=data,
        at=now,
    )
    return locked


# --- the actions of DESIGN section 4 ------------------------------------------------------------


@transaction.atomic
def complaint_accept(*, complaint: Complaint, actor, expected_version: int | None = None):
    locked, target = _begin(
        complaint=complaint, actor=actor, action=Action.ACCEPT, expected_version=expected_version
    )
    return _move(
        locked,
        actor=actor,
        action=Action.ACCEPT,
        to_status=target,
        message=_("承办单位已受理，正在核实。"),
        routed_at=deadlines.last_routed_at(locked),
    )


@transaction.atomic
def complaint_reroute(
    *,
    complaint: Complaint,
    actor,
    handling_agency: Agency,
    reason: str,
    expected_version: int | None = None,
):
    locked, target = _begin(
        complaint=complaint, actor=actor, action=Action.REROUTE, expected_version=expected_version
    )
    reason = _required(reason, "reason")
    if handling_agency is None:
        raise ValidationError({"handling_agency": _("此项为必填项。")}, code="required")
    if not handling_agency.is_active:
        raise ValidationError({"handling_agency": _("该机构已停用，不能改派。")}, code="inactive")
    if handling_agency.pk == locked.handling_agency_id:
        raise ValidationError(
            {"handling_agency": _("改派单位与当前承办单位相同。")}, code="same_agency"
        )
    previous = locked.handling_agency_id
    return _move(
        locked,
        actor=actor,
        action=Action.REROUTE,
        to_status=target,
        message=_("投诉已转交 %(agency)s 办理。") % {"agency": handling_agency.name},
        note=reason,
        data={"from_agency": previous, "to_agency": handling_agency.pk},
        fields={"handling_agency": handling_agency},
    )


@transaction.atomic
def complaint_reject(
    *, complaint: Complaint, actor, reason: str, expected_version: int | None = None
):
    locked, target = _begin(
        complaint=complaint, actor=actor, action=Action.REJECT, expected_version=expected_version
    )
    reason = _required(reason, "reason")
    _no_invalid_defence(reason, "reason")
    return _move(
        locked,
        actor=actor,
        action=Action.REJECT,
        to_status=target,
        message=_("不予受理：%(reason)s") % {"reason": reason},
        fields={"explanation": reason},
    )


@transaction.atomic
def complaint_find_unfounded(
    *, complaint: Complaint, actor, explanation: str, expected_version: int | None = None
):
    """不属实: the complainant gets the explanation (seed 004 二(二): 做好解释说明)."""
    locked, target = _begin(
        complaint=complaint,
        actor=actor,
        action=Action.FIND_UNFOUNDED,
        expected_version=expected_version,
    )
    explanation = _required(explanation, "explanation")
    _no_invalid_defence(explanation, "explanation")
    return _move(
        locked,
        actor=actor,
        action=Action.FIND_UNFOUNDED,
        to_status=target,
        message=_("经核实，投诉情况不属实。说明：%(text)s") % {"text": explanation},
        fields={"explanation": explanation},
    )


def _rectification_due(value: dt.date | None, domain: str) -> dt.date:
    today = timezone.localdate()
    if value is None:
        return today + dt.timedelta(days=deadlines.policy_for(domain).rectification_days)
    if value < today:
        raise ValidationError(
            {"rectification_due": _("整改期限不能早于今天。")}, code="past_due_date"
        )
    return value


@transaction.atomic
def complaint_find_founded(
    *,
    complaint: Complaint,
    actor,
    note: str,
    rectification_due: dt.date | None = None,
    expected_version: int | None = None,
):
    locked, target = _begin(
        complaint=complaint,
        actor=actor,
        action=Action.FIND_FOUNDED,
        expected_version=expected_version,
    )
    note = _required(note, "note")
    due = _rectification_due(rectification_due, locked.domain)
    return _move(
        locked,
        actor=actor,
        action=Action.FIND_FOUNDED,
        to_status=target,
        message=_("经核实，投诉情况属实，已督促被投诉主体于 %(date)s 前完成整改。") % {"date": due},
        note=note,
        data={"rectification_due": str(due)},
        fields={"rectification_due": due},
    )


def _note_action(*, complaint, actor, note, expected_version, action: str, message: str):
    """The verbs whose only input is the handler's note: lock, check, move, one event."""
    locked, target = _begin(
        complaint=complaint, actor=actor, action=action, expected_version=expected_version
    )
    note = _required(note, "note")
    return _move(locked, actor=actor, action=action, to_status=target, message=message, note=note)


@transaction.atomic
def complaint_find_disputed(
    *, complaint: Complaint, actor, note: str, expected_version: int | None = None
):
    return _note_action(
        complaint=complaint,
        actor=actor,
        note=note,
        expected_version=expected_version,
        action=Action.FIND_DISPUTED,
        message=_("经核实，双方存在分歧，正在推动协商解决。"),
    )


@transaction.atomic
def complaint_record_rectified(
    *, complaint: Complaint, actor, note: str, expected_version: int | None = None
):
    return _note_action(
        complaint=complaint,
        actor=actor,
        note=note,
        expected_version=expected_version,
        action=Action.RECORD_RECTIFIED,
        message=_("被投诉主体已完成整改，投诉办结。"),
    )


@transaction.atomic
def complaint_record_settlement(
    *, complaint: Complaint, actor, note: str, expected_version: int | None = None
):
    return _note_action(
        complaint=complaint,
        actor=actor,
        note=note,
        expected_version=expected_version,
        action=Action.RECORD_SETTLEMENT,
        message=_("双方已达成和解协议，投诉办结。"),
    )


@transaction.atomic
def complaint_refer_to_litigation(
    *, complaint: Complaint, actor, note: str, expected_version: int | None = None
):
    return _note_action(
        complaint=complaint,
        actor=actor,
        note=note,
        expected_version=expected_version,
        action=Action.REFER_TO_LITIGATION,
        message=_("双方协商未果，已转入诉讼、仲裁或行政复议等法律途径解决。"),
    )


@transaction.atomic
def complaint_record_judgment(
    *,
    complaint: Complaint,
    actor,
    outcome: str,
    note: str,
    rectification_due: dt.date | None = None,
    expected_version: int | None = None,
):
    """The court (or arbitration, review) decided: for the agency → ``dismissed``; for the
    complainant → back to ``rectifying`` with a due date."""
    locked, _target = _begin(
        complaint=complaint,
        actor=actor,
        action=Action.RECORD_JUDGMENT,
        expected_version=expected_version,
    )
    if outcome not in JudgmentOutcome.values:
        raise ValidationError({"outcome": _("裁判结果无效。")}, code="invalid_choice")
    note = _required(note, "note")
    if outcome == JudgmentOutcome.AGENCY_PREVAILS:
        return _move(
            locked,
            actor=actor,
            action=Action.RECORD_JUDGMENT,
            to_status=Status.DISMISSED,
            message=_("司法途径结果支持被投诉主体，投诉办结。"),
            note=note,
            data={"outcome": outcome},
        )
    due = _rectification_due(rectification_due, locked.domain)
    return _move(
        locked,
        actor=actor,
        action=Action.RECORD_JUDGMENT,
        to_status=Status.RECTIFYING,
        message=_("司法途径结果支持投诉人，已督促被投诉主体于 %(date)s 前履行。") % {"date": due},
        note=note,
        data={"outcome": outcome, "rectification_due": str(due)},
        fields={"rectification_due": due},
    )


@transaction.atomic
def complaint_determine_breach(
    *,
    complaint: Complaint,
    actor,
    severity: str,
    facts: str,
    expected_version: int | None = None,
):
    """拒不整改的，认定为违约失信 (seed 004 二(二)). The event's ``data`` is
    ``{"severity", "facts"}`` exactly: the credit-records consumer builds the record from it."""
    locked, target = _begin(
        complaint=complaint,
        actor=actor,
        action=Action.DETERMINE_BREACH,
        expected_version=expected_version,
    )
    if severity not in Severity.values:
        raise ValidationError({"severity": _("失信程度无效。")}, code="invalid_choice")
    facts = _required(facts, "facts")
    return _move(
        locked,
        actor=actor,
        action=Action.DETERMINE_BREACH,
        to_status=target,
        message=_("被投诉主体拒不整改，已认定为违约失信。"),
        note=facts,
        data={"severity": severity, "facts": facts},
        fields={"severity": severity},
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor, reason: str, expected_version=None):
    """The credit office re-opens a closed case (not a withdrawn one) for verification."""
    locked, target = _begin(
        complaint=complaint, actor=actor, action=Action.REOPEN, expected_version=expected_version
    )
    reason = _required(reason, "reason")
    return _move(
        locked,
        actor=actor,
        action=Action.REOPEN,
        to_status=target,
        message=_("信用办决定对本投诉重新核查。"),
        note=reason,
        data={"reason": reason},
        fields={"severity": ""},
    )


# --- the clock (DESIGN section 5) ---------------------------------------------------------------


def _clock_unit(locked: Complaint) -> str:
    policy = deadlines.policy_for(locked.domain)
    return "days" if (locked.status == Status.VERIFYING and policy.result_days) else "workdays"


def _clock_event(locked, *, actor, action, message, note, basis, fields):
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    event_append(
        complaint=locked,
        action=action,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        message=message,
        note=note,
        data={"deadline": basis},
    )
    return locked


def _timed(locked: Complaint, action: str) -> None:
    if locked.status not in deadlines.TIMED_STATUSES or locked.due_at is None:
        raise InvalidTransition(
            detail=_("该案件当前阶段没有办理时限。"), status=locked.status, action=action
        )


@transaction.atomic
def complaint_clock_pause(*, complaint: Complaint, actor, reason: str, expected_version=None):
    """Stop the clock while waiting for the complainant (e.g. for more evidence)."""
    locked, _t = _begin(
        complaint=complaint,
        actor=actor,
        action=deadlines.EVENT_PAUSE,
        expected_version=expected_version,
    )
    _timed(locked, deadlines.EVENT_PAUSE)
    if locked.clock_paused_at is not None:
        raise InvalidTransition(detail=_("已暂停计时。"), status=locked.status, action="pause")
    reason = _required(reason, "reason")
    now = timezone.now()
    basis = {"rule": "pause", "start": str(deadlines.local_date(now))}
    return _clock_event(
        locked,
        actor=actor,
        action=deadlines.EVENT_PAUSE,
        message=_("等待投诉人补充材料，办理时限暂停计算：%(reason)s") % {"reason": reason},
        note="",
        basis=basis,
        fields={"clock_paused_at": now},
    )


@transaction.atomic
def complaint_clock_resume(*, complaint: Complaint, actor, expected_version=None):
    """Restart the clock; the due date moves by the working (or calendar) days paused."""
    locked, _t = _begin(
        complaint=complaint,
        actor=actor,
        action=deadlines.EVENT_RESUME,
        expected_version=expected_version,
    )
    _timed(locked, deadlines.EVENT_RESUME)
    if locked.clock_paused_at is None:
        raise InvalidTransition(detail=_("未暂停计时。"), status=locked.status, action="resume")
    calendar = Calendar()
    paused_day = deadlines.local_date(locked.clock_paused_at)
    today = timezone.localdate()
    due_day = deadlines.local_date(locked.due_at)
    unit = _clock_unit(locked)
    if unit == "workdays":
        paused = calendar.workdays_between(paused_day, today)
        new_due = calendar.add_workdays(due_day, paused)
    else:
        paused = (today - paused_day).days
        new_due = due_day + dt.timedelta(days=paused)
    basis = {"rule": "resume", "paused": paused, "unit": unit, "due": str(new_due)}
    return _clock_event(
        locked,
        actor=actor,
        action=deadlines.EVENT_RESUME,
        message=_("恢复计算办理时限。"),
        note="",
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
    locked, _t = _begin(
        complaint=complaint,
        actor=actor,
        action=deadlines.EVENT_EXTEND,
        expected_version=expected_version,
    )
    _timed(locked, deadlines.EVENT_EXTEND)
    reason = _required(reason, "reason")
    approver = _required(approver, "approver")
    if not isinstance(amount, int) or amount <= 0 or amount > 365:
        raise ValidationError({"amount": _("延期天数应为 1 至 365 之间的整数。")}, code="invalid")
    due_day = deadlines.local_date(locked.due_at)
    unit = _clock_unit(locked)
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
    return _clock_event(
        locked,
        actor=actor,
        action=deadlines.EVENT_EXTEND,
        message=_("经批准，办理时限延长至 %(date)s。") % {"date": new_due},
        note=reason,
        basis=basis,
        fields={"due_at": deadlines.end_of_day(new_due)},
    )


# --- messages and notes -----------------------------------------------------------------------


def complaint_reply(*, complaint: Complaint, actor, body: str) -> ComplaintMessage:
    """A staff message to the complainant (handler, the respondent's liaison, credit office)."""
    if not complaint_is_visible_to(actor, complaint):
        raise Http404
    if actor.is_credit_officer:
        sender = MessageSender.CREDIT_OFFICE
    elif actor.role == StaffRole.HANDLER:
        sender = MessageSender.HANDLER
    elif actor.role == StaffRole.AGENCY_LIAISON:
        sender = MessageSender.AGENCY
    else:
        raise PermissionDenied(_("您的角色不能回复投诉人。"))
    body = _required(body, "body")
    if len(body) > 5000:
        raise ValidationError({"body": _("内容过长。")}, code="max_length")
    return ComplaintMessage.objects.create(
        complaint=complaint, sender=sender, author=actor, body=body
    )


@transaction.atomic
def complaint_note_add(*, complaint: Complaint, actor, note: str):
    """An internal note on the timeline (never shown to the complainant)."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    authorize(actor=actor, complaint=locked, action=deadlines.EVENT_NOTE)
    note = _required(note, "note")
    return event_append(
        complaint=locked,
        action=deadlines.EVENT_NOTE,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        is_public=False,
        note=note,
    )


ACTION_SERVICES = {
    Action.ACCEPT: complaint_accept,
    Action.REROUTE: complaint_reroute,
    Action.REJECT: complaint_reject,
    Action.FIND_UNFOUNDED: complaint_find_unfounded,
    Action.FIND_FOUNDED: complaint_find_founded,
    Action.FIND_DISPUTED: complaint_find_disputed,
    Action.RECORD_RECTIFIED: complaint_record_rectified,
    Action.RECORD_SETTLEMENT: complaint_record_settlement,
    Action.REFER_TO_LITIGATION: complaint_refer_to_litigation,
    Action.RECORD_JUDGMENT: complaint_record_judgment,
    Action.DETERMINE_BREACH: complaint_determine_breach,
    Action.REOPEN: complaint_reopen,
}


def actions_allowed(*, actor, complaint: Complaint) -> list[str]:
    """Workflow actions this actor may take on the case right now (for the console)."""
    return [
        action
        for action in ACTION_SERVICES
        if complaint.status in TRANSITIONS[action][0]
        and may_act(actor=actor, complaint=complaint, action=action)
    ]
