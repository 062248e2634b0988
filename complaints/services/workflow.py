"""The verification workflow (DESIGN section 4): one service per action.

Each runs ``begin`` → (validate its input) → ``move`` → ``write`` (``transitions``) in one
transaction: 404 outside the actor's scope, 403 outside its role, 409 for a stale form or a
wrong state, 400 for bad input — in that order — and one event per action. The event stores
the action and its parameters; the complainant's timeline is rendered from them when read.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency

from ..choices import Action, JudgmentOutcome, Severity, Status
from ..models import Complaint
from . import deadlines
from .transitions import begin, move, write

# Seed 004 二(二): 以机构调整、人员变动等理由不履约的，均属于违约失信情形 — never a defence.
INVALID_DEFENCE_WORDS = ("机构调整", "机构改革", "人员变动", "领导变动", "领导更换", "换届")
INVALID_DEFENCE_MESSAGE = gettext_lazy(
    "以机构调整、人员变动等理由不履约的，均属于违约失信情形，不能作为不属实或不予受理的理由。"
)


def required(value: str, field: str) -> str:
    """The stripped value, or a 400 on ``field`` when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("此项为必填项。")}, code="required")
    return value


def _no_invalid_defence(value: str, field: str) -> None:
    if any(word in value for word in INVALID_DEFENCE_WORDS):
        raise ValidationError({field: str(INVALID_DEFENCE_MESSAGE)}, code="invalid_defence")


def _step(locked: Complaint, **move_kwargs) -> Complaint:
    """``move`` and ``write`` one event; the verbs below call it after their checks."""
    write(locked, [move(locked, **move_kwargs)])
    return locked


@transaction.atomic
def complaint_accept(*, complaint: Complaint, actor, expected_version: int | None = None):
    locked, target = begin(
        complaint=complaint, actor=actor, action=Action.ACCEPT, expected_version=expected_version
    )
    return _step(
        locked,
        action=Action.ACCEPT,
        to_status=target,
        actor=actor,
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
    locked, target = begin(
        complaint=complaint, actor=actor, action=Action.REROUTE, expected_version=expected_version
    )
    reason = required(reason, "reason")
    if handling_agency is None:
        raise ValidationError({"handling_agency": _("此项为必填项。")}, code="required")
    if not handling_agency.is_active:
        raise ValidationError({"handling_agency": _("该机构已停用，不能改派。")}, code="inactive")
    if handling_agency.pk == locked.handling_agency_id:
        raise ValidationError(
            {"handling_agency": _("改派单位与当前承办单位相同。")}, code="same_agency"
        )
    return _step(
        locked,
        action=Action.REROUTE,
        to_status=target,
        actor=actor,
        note=reason,
        data={
            "from_agency": locked.handling_agency_id,
            "to_agency": handling_agency.pk,
            "agency_name": handling_agency.name,
        },
        # The case leaves the department: its named handler there no longer holds it.
        fields={"handling_agency": handling_agency, "assignee": None},
    )


@transaction.atomic
def complaint_reject(
    *, complaint: Complaint, actor, reason: str, expected_version: int | None = None
):
    locked, target = begin(
        complaint=complaint, actor=actor, action=Action.REJECT, expected_version=expected_version
    )
    reason = required(reason, "reason")
    _no_invalid_defence(reason, "reason")
    return _step(
        locked,
        action=Action.REJECT,
        to_status=target,
        actor=actor,
        data={"reason": reason},
        fields={"explanation": reason},
    )


@transaction.atomic
def complaint_find_unfounded(
    *, complaint: Complaint, actor, explanation: str, expected_version: int | None = None
):
    """不属实: the complainant gets the explanation (seed 004 二(二): 做好解释说明)."""
    locked, target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.FIND_UNFOUNDED,
        expected_version=expected_version,
    )
    explanation = required(explanation, "explanation")
    _no_invalid_defence(explanation, "explanation")
    return _step(
        locked,
        action=Action.FIND_UNFOUNDED,
        to_status=target,
        actor=actor,
        data={"explanation": explanation},
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
    locked, target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.FIND_FOUNDED,
        expected_version=expected_version,
    )
    note = required(note, "note")
    due = _rectification_due(rectification_due, locked.domain)
    return _step(
        locked,
        action=Action.FIND_FOUNDED,
        to_status=target,
        actor=actor,
        note=note,
        data={"rectification_due": str(due)},
        fields={"rectification_due": due},
    )


def _note_action(*, complaint, actor, note, expected_version, action: str):
    """The verbs whose only input is the handler's note: begin, check, one event."""
    locked, target = begin(
        complaint=complaint, actor=actor, action=action, expected_version=expected_version
    )
    note = required(note, "note")
    return _step(locked, action=action, to_status=target, actor=actor, note=note)


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
    locked, _target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.RECORD_JUDGMENT,
        expected_version=expected_version,
    )
    if outcome not in JudgmentOutcome.values:
        raise ValidationError({"outcome": _("裁判结果无效。")}, code="invalid_choice")
    note = required(note, "note")
    if outcome == JudgmentOutcome.AGENCY_PREVAILS:
        return _step(
            locked,
            action=Action.RECORD_JUDGMENT,
            to_status=Status.DISMISSED,
            actor=actor,
            note=note,
            data={"outcome": outcome},
        )
    due = _rectification_due(rectification_due, locked.domain)
    return _step(
        locked,
        action=Action.RECORD_JUDGMENT,
        to_status=Status.RECTIFYING,
        actor=actor,
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
    """拒不整改的，认定为违约失信 (seed 004 二(二)). The event's ``data`` holds ``severity`` and
    ``facts``: the credit-records consumer builds the record from them."""
    locked, target = begin(
        complaint=complaint,
        actor=actor,
        action=Action.DETERMINE_BREACH,
        expected_version=expected_version,
    )
    if severity not in Severity.values:
        raise ValidationError({"severity": _("失信程度无效。")}, code="invalid_choice")
    facts = required(facts, "facts")
    return _step(
        locked,
        action=Action.DETERMINE_BREACH,
        to_status=target,
        actor=actor,
        note=facts,
        data={"severity": severity, "facts": facts},
        fields={"severity": severity},
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor, reason: str, expected_version=None):
    """The credit office re-opens a closed case (not a withdrawn one) for verification."""
    locked, target = begin(
        complaint=complaint, actor=actor, action=Action.REOPEN, expected_version=expected_version
    )
    reason = required(reason, "reason")
    return _step(
        locked,
        action=Action.REOPEN,
        to_status=target,
        actor=actor,
        note=reason,
        data={"reason": reason},
        fields={"severity": ""},
    )
