"""A complaint's events as text, in the reader's language.

Events store their action code and its parameters (``data``), never rendered sentences: a
handler acting in English must not write English into a Chinese complainant's timeline, nor
into the hash-chained log. The sentences live here and are rendered when the timeline is read,
in whatever language is active (the request's).

- ``public_text(event)``: what the complainant (and staff) read for a public event.
- ``internal_text(event)``: the staff's line for the same event — what the system noted for
  staff (a reminder, a supervision notice, a suspected duplicate) followed by the note a staff
  member wrote. Never shown to the complainant, and not to the respondent's liaison.

Events written before this existed carry their sentence in ``message`` (and system notes in
``note``); those are shown as stored.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Action, FollowUpResult, JudgmentOutcome, Satisfaction
from .models import ComplaintEvent

# Public sentences of the actions whose text needs no parameter.
FIXED_PUBLIC = {
    Action.ACCEPT: gettext_lazy("承办单位已受理，正在核实。"),
    Action.FIND_DISPUTED: gettext_lazy("经核实，双方存在分歧，正在推动协商解决。"),
    Action.RECORD_RECTIFIED: gettext_lazy("被投诉主体已完成整改，投诉办结。"),
    Action.RECORD_SETTLEMENT: gettext_lazy("双方已达成和解协议，投诉办结。"),
    Action.REFER_TO_LITIGATION: gettext_lazy(
        "双方协商未果，已转入诉讼、仲裁或行政复议等法律途径解决。"
    ),
    Action.DETERMINE_BREACH: gettext_lazy("被投诉主体拒不整改，已认定为违约失信。"),
    Action.REOPEN: gettext_lazy("信用办决定对本投诉重新核查。"),
    Action.RESUME: gettext_lazy("恢复计算办理时限。"),
}


def _date(value) -> str:
    """A stored ISO date (or datetime) as the reader's date."""
    if not value:
        return ""
    if isinstance(value, str) and "T" in value:
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().isoformat()
    return str(value)


def _submit(data: dict) -> str:
    text = _("投诉已提交，受理编号 %(reference)s。") % {"reference": data.get("reference", "")}
    if data.get("routing") == "no_supervisor":
        text += _("被投诉主体暂无登记的上级部门，待信用办分办。")
    return text


def _submit_internal(data: dict) -> str:
    parts = []
    if data.get("origin_ref") or data.get("received_on"):
        parts.append(
            _("来源工单号 %(ref)s，原渠道收件日期 %(date)s。")
            % {"ref": data.get("origin_ref") or "—", "date": _date(data.get("received_on")) or "—"}
        )
    if data.get("duplicate_of"):
        parts.append(
            _("疑似重复投诉：与 %(reference)s 为同一投诉人、同一被投诉主体、同一合同。")
            % {"reference": data["duplicate_of"]}
        )
    return "".join(parts)


def _judgment(data: dict) -> str:
    if data.get("outcome") == JudgmentOutcome.AGENCY_PREVAILS:
        return _("司法途径结果支持被投诉主体，投诉办结。")
    return _("司法途径结果支持投诉人，已督促被投诉主体于 %(date)s 前履行。") % {
        "date": _date(data.get("rectification_due"))
    }


PUBLIC = {
    Action.SUBMIT: _submit,
    Action.ROUTE: lambda d: _("已转交%(agency)s核实办理。") % {"agency": d.get("agency_name", "")},
    Action.REROUTE: lambda d: (
        _("投诉已转交 %(agency)s 办理。") % {"agency": d.get("agency_name", "")}
    ),
    Action.REJECT: lambda d: _("不予受理：%(reason)s") % {"reason": d.get("reason", "")},
    Action.FIND_UNFOUNDED: lambda d: (
        _("经核实，投诉情况不属实。说明：%(text)s") % {"text": d.get("explanation", "")}
    ),
    Action.FIND_FOUNDED: lambda d: (
        _("经核实，投诉情况属实，已督促被投诉主体于 %(date)s 前完成整改。")
        % {"date": _date(d.get("rectification_due"))}
    ),
    Action.RECORD_JUDGMENT: _judgment,
    Action.WITHDRAW: lambda d: (
        _("投诉人撤回投诉。理由：%(reason)s") % {"reason": d.get("reason", "")}
    ),
    Action.PAUSE: lambda d: (
        _("等待投诉人补充材料，办理时限暂停计算：%(reason)s") % {"reason": d.get("reason", "")}
    ),
    Action.REQUEST_REVIEW: lambda d: (
        _("投诉人对不属实的认定申请复核：%(reason)s") % {"reason": d.get("reason", "")}
    ),
    Action.DECIDE_REVIEW: lambda d: (
        _("信用办复核认为理由成立，投诉重新核实：%(reason)s") % {"reason": d.get("reason", "")}
        if d.get("upheld")
        else _("信用办复核维持不属实的认定：%(reason)s") % {"reason": d.get("reason", "")}
    ),
    Action.RECORD_PAYMENT: lambda d: (
        _("被投诉主体于 %(date)s 支付 %(amount)s 元，尚欠 %(outstanding)s 元。")
        % {
            "date": _date(d.get("paid_on")),
            "amount": d.get("amount", ""),
            "outstanding": d.get("outstanding", ""),
        }
    ),
    Action.EXTEND: lambda d: (
        _("经批准，办理时限延长至 %(date)s。") % {"date": _date(d.get("deadline", {}).get("due"))}
    ),
}

# What the system notes for staff on events it writes itself.
INTERNAL = {
    Action.SUBMIT: lambda d: _submit_internal(d),
    Action.REMINDER: lambda d: (
        _("案件将于 %(due)s 到期，请按时办理。") % {"due": _date(d.get("due_at"))}
    ),
    Action.SUPERVISION_NOTICE: lambda d: (
        _("案件已超过办理时限（%(due)s），信用办发出督办函。") % {"due": _date(d.get("due_at"))}
    ),
    Action.LEADER_INTERVIEW: lambda d: _("督办后仍超期，提示约谈承办单位主要负责人。"),
    Action.RESET_ACCESS_CODE: lambda d: _("投诉人凭登记的联系方式找回查询码，原查询码已失效。"),
    Action.FEEDBACK: lambda d: (
        _("投诉人不满意，请信用办跟进。")
        if d.get("satisfaction") == Satisfaction.DISSATISFIED
        else ""
    ),
}


def _assign(data: dict) -> str:
    if not data.get("assignee"):
        return _("案件收回承办单位，不再指派给 %(previous)s。") % {
            "previous": data.get("previous_name") or "—"
        }
    if data.get("previous"):
        return _("案件由 %(previous)s 改为指派给 %(name)s。") % {
            "previous": data.get("previous_name") or "—",
            "name": data.get("assignee_name") or "—",
        }
    return _("案件指派给 %(name)s 办理。") % {"name": data.get("assignee_name") or "—"}


def _follow_up(data: dict) -> str:
    result = data.get("result", "")
    label = FollowUpResult(result).label if result in FollowUpResult.values else result
    text = _("信用办回访：%(result)s。%(note)s") % {"result": label, "note": data.get("note", "")}
    if data.get("reopen"):
        text += _("决定重新核查。")
    return text


INTERNAL[Action.ASSIGN] = _assign
INTERNAL[Action.FOLLOW_UP] = _follow_up


def public_text(event: ComplaintEvent) -> str:
    """The public sentence of ``event`` in the active language ("" for internal events)."""
    if not event.is_public:
        return ""
    if event.message:  # written before sentences were rendered on reading
        return event.message
    render = PUBLIC.get(event.action)
    if render is not None:
        return render(event.data or {})
    fixed = FIXED_PUBLIC.get(event.action)
    return str(fixed) if fixed is not None else ""


def internal_text(event: ComplaintEvent) -> str:
    """What staff read of ``event`` beyond the public sentence: the system's note, then the
    note a staff member wrote, in the active language."""
    render = INTERNAL.get(event.action)
    # The system writes no note of its own on these events: a note there is an older event's
    # stored sentence, shown as stored.
    system = render(event.data or {}) if render is not None and not event.note else ""
    return "\n".join(part for part in (system, event.note) if part)
