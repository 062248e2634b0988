"""信用修复 (credit repair), seed 004 二(五) and 信用修复管理办法.

apply (agency liaison or credit office) → [confirm (the department that determined the breach,
complaint-derived records only)] → approve / reject (credit office). Approval marks the record
``repaired`` through ``credit_records.services``; the record change triggers the reconcile,
which lifts the sanctions. The decision is due 10 working days after the application.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import CREDIT_OFFICER, HANDLER, may, require, roles_of
from credit_records.choices import Polarity, RecordStatus
from credit_records.models import CreditRecord
from credit_records.selectors import credit_record_scope
from credit_records.services import credit_record_repair
from credit_records.services.evidence import evidence_checked, evidence_store
from integrity_portal.api import InvalidTransition, NotEligible
from integrity_portal.workdays import add_workdays
from sharing.choices import ChangeAction, Entity
from sharing.services import changes_record

from ..choices import (
    OPEN_REPAIR_STATUSES,
    REPAIR_TRANSITIONS,
    RepairAction,
    RepairStatus,
    TaskKind,
)
from ..models import OfficeTask, Repair, RepairEvent, RepairFile
from ..notifications import notify_repair_decided
from ..selectors import repair_scope

DECISION_WORKDAYS = 10


def repair_eligibility(*, record: CreditRecord, today=None) -> tuple[str, str] | None:
    """``(reason code, explanation)`` when the record may not be repaired now, else None."""
    today = today or timezone.localdate()
    if record.polarity != Polarity.NEGATIVE:
        return "not_negative", _("守信记录无需修复。")
    if record.status != RecordStatus.ACTIVE:
        return "record_not_active", _(
            "该记录当前状态为“%(status)s”，只有有效的失信记录可以申请修复。"
        ) % {"status": RecordStatus(record.status).label}
    if record.repair_eligible_on and record.repair_eligible_on > today:
        return "minimum_publicity_not_reached", _(
            "未满最短公示期，%(date)s 起方可申请信用修复。"
        ) % {"date": record.repair_eligible_on.isoformat()}
    return None


def repair_apply(
    *,
    record_id: int,
    actor,
    statement: str,
    commitment: bool,
    evidence_note: str = "",
    files=None,
) -> Repair:
    """File a repair application with its evidence files (履约证明材料) if any; 404 for a
    record outside the actor's scope, 403 for a role that may not apply, 400 without statement
    or commitment or for a bad file (nothing written), 409 ``not_eligible`` otherwise."""
    statement = (statement or "").strip()
    errors = {}
    try:
        checked = evidence_checked(files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not statement:
        errors["statement"] = [_("请填写修复申请说明。")]
    if commitment is not True:
        errors["commitment"] = [_("申请信用修复须作出信用承诺。")]
    with transaction.atomic():
        # Locked so an approval of another application, an objection or the expiry sweep
        # cannot change the record between the eligibility check and the insert.
        record = CreditRecord.objects.select_for_update(no_key=True).filter(pk=record_id).first()
        if record is None:
            raise Http404
        require(actor, "repair.apply")
        if not credit_record_scope(actor).admits(record):
            raise Http404
        if errors:
            raise ValidationError(errors)
        problem = repair_eligibility(record=record)
        if problem is not None:
            code, detail = problem
            raise NotEligible(detail=detail, reason=code)
        if Repair.objects.filter(record=record, status__in=OPEN_REPAIR_STATUSES).exists():
            raise NotEligible(detail=_("该记录已有办理中的修复申请。"), reason="repair_pending")
        complaint = record.complaint if record.complaint_id else None
        now = timezone.now()
        try:
            with transaction.atomic():
                repair = Repair.objects.create(
                    record=record,
                    agency_id=record.agency_id,
                    # The department that determined the breach confirms performance.
                    confirming_agency_id=complaint.handling_agency_id if complaint else None,
                    statement=statement,
                    commitment=True,
                    evidence_note=(evidence_note or "").strip(),
                    applied_by=actor,
                    applied_at=now,
                    due_on=add_workdays(timezone.localdate(now), DECISION_WORKDAYS),
                )
        except IntegrityError as exc:  # a concurrent application won the unique constraint
            raise NotEligible(
                detail=_("该记录已有办理中的修复申请。"), reason="repair_pending"
            ) from exc
        RepairEvent.objects.create(
            repair=repair,
            action=RepairAction.APPLY,
            to_status=RepairStatus.PENDING,
            actor=actor,
            note=statement,
        )
        changes_record([repair_feed_entry(repair, ChangeAction.CREATED)])
        evidence_store(RepairFile, checked, uploaded_by=actor, repair=repair)
    return repair


def _begin(*, repair_id: int, action: str, actor=None) -> Repair:
    """Lock the repair and check the transition; with ``actor``, a repair outside the actor's
    scope (another region's body for a region's credit office) is a 404."""
    repair = Repair.objects.select_for_update().select_related("record").get(pk=repair_id)
    if actor is not None and not repair_scope(actor).admits(repair):
        raise Http404
    allowed_from, _target = REPAIR_TRANSITIONS[RepairAction(action)]
    if repair.status not in allowed_from:
        raise InvalidTransition(
            detail=_("修复申请当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": RepairStatus(repair.status).label, "action": RepairAction(action).label},
            status=repair.status,
            action=str(action),
        )
    return repair


def _finish(repair: Repair, *, action: str, actor, note: str, fields: list[str]) -> Repair:
    from_status = repair.status
    repair.status = REPAIR_TRANSITIONS[RepairAction(action)][1]
    repair.save(update_fields=["status", *fields])
    RepairEvent.objects.create(
        repair=repair,
        action=action,
        from_status=from_status,
        to_status=repair.status,
        actor=actor,
        note=note,
    )
    changes_record([repair_feed_entry(repair, ChangeAction.STATUS_CHANGED)])
    return repair


def repair_feed_entry(repair: Repair, action: str) -> tuple:
    """A repair's change-feed row (its fields, without the people who acted)."""
    data = {
        "id": repair.pk,
        "record": repair.record_id,
        "agency": repair.agency_id,
        "status": repair.status,
        "commitment": repair.commitment,
        "applied_at": repair.applied_at,
        "due_on": repair.due_on,
        "confirmed_at": repair.confirmed_at,
        "decided_at": repair.decided_at,
        "decision_note": repair.decision_note,
    }
    return (Entity.REPAIR, repair.pk, action, data)


def may_confirm(*, actor, repair: Repair) -> bool:
    """A handler of the department that determined the breach, or the credit office of the
    body's region: a county office confirms its county's bodies, a city office those of its
    city (seed 004 二(五)); only for a repair that needs confirming."""
    if repair.confirming_agency_id is None or not may(actor, "repair.confirm"):
        return False
    roles = roles_of(actor)
    if HANDLER in roles and actor.agency_id == repair.confirming_agency_id:
        return True
    return CREDIT_OFFICER in roles and repair_scope(actor).admits(repair)


@transaction.atomic
def repair_confirm(*, repair_id: int, actor, note: str = "") -> Repair:
    """The department that determined the breach, or the credit office of the body's region,
    confirms the agency has performed; outside the actor's region or department: 404."""
    repair = Repair.objects.select_for_update().get(pk=repair_id)
    if not may_confirm(actor=actor, repair=repair):
        if not may(actor, "repair.confirm"):
            raise PermissionDenied(_("只有认定失信行为的部门或信用办可以确认履约。"))
        if repair.confirming_agency_id is None and repair_scope(actor).admits(repair):
            raise InvalidTransition(
                detail=_("该修复申请无需确认履约，可直接审批。"),
                status=repair.status,
                action=str(RepairAction.CONFIRM),
                reason="no_confirmation_needed",
            )
        raise Http404  # not this department's case, or outside this office's region
    repair = _begin(repair_id=repair_id, action=RepairAction.CONFIRM)
    repair.confirmed_by = actor
    repair.confirmed_at = timezone.now()
    repair.confirm_note = (note or "").strip()
    return _finish(
        repair,
        action=RepairAction.CONFIRM,
        actor=actor,
        note=repair.confirm_note,
        fields=["confirmed_by", "confirmed_at", "confirm_note"],
    )


@transaction.atomic
def repair_approve(*, repair_id: int, actor, note: str = "") -> Repair:
    """Approve: the record becomes ``repaired`` (publication ends) and the reconcile, run on
    the record change, lifts its sanctions; agency and complainant are notified."""
    require(actor, "repair.decide")
    repair = _begin(repair_id=repair_id, action=RepairAction.APPROVE, actor=actor)
    if repair.needs_confirmation and repair.status != RepairStatus.CONFIRMED:
        raise InvalidTransition(
            detail=_("该记录来自投诉，须先由认定失信行为的部门确认已履约。"),
            status=repair.status,
            action=str(RepairAction.APPROVE),
            reason="confirmation_required",
        )
    # 409 from the record service when the record left ``active`` meanwhile (e.g. expired).
    credit_record_repair(record_id=repair.record_id, actor=actor, note=_("信用修复申请已批准。"))
    repair.decided_by = actor
    repair.decided_at = timezone.now()
    repair.decision_note = (note or "").strip()
    repair = _finish(
        repair,
        action=RepairAction.APPROVE,
        actor=actor,
        note=repair.decision_note,
        fields=["decided_by", "decided_at", "decision_note"],
    )
    notify_repair_decided(repair=repair)
    return repair


@transaction.atomic
def repair_reject(*, repair_id: int, actor, reason: str) -> Repair:
    require(actor, "repair.decide")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写不予修复的理由。")]})
    repair = _begin(repair_id=repair_id, action=RepairAction.REJECT, actor=actor)
    repair.decided_by = actor
    repair.decided_at = timezone.now()
    repair.decision_note = reason
    repair = _finish(
        repair,
        action=RepairAction.REJECT,
        actor=actor,
        note=reason,
        fields=["decided_by", "decided_at", "decision_note"],
    )
    notify_repair_decided(repair=repair)
    return repair


def repair_deadline_sweep() -> int:
    """Open repairs past their decision deadline → one overdue task each for the credit office
    (the unique constraint makes a rerun a no-op). Returns how many tasks were opened."""
    overdue = list(
        Repair.objects.filter(
            status__in=OPEN_REPAIR_STATUSES, due_on__lt=timezone.localdate()
        ).values_list("pk", "agency_id")
    )
    before = OfficeTask.objects.filter(kind=TaskKind.REPAIR_OVERDUE).count()
    OfficeTask.objects.bulk_create(
        [
            OfficeTask(kind=TaskKind.REPAIR_OVERDUE, agency_id=agency_id, repair_id=pk)
            for pk, agency_id in overdue
        ],
        ignore_conflicts=True,
    )
    return OfficeTask.objects.filter(kind=TaskKind.REPAIR_OVERDUE).count() - before
