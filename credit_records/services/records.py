"""Creating records and moving them between statuses."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.api import InvalidTransition, NotEligible
from integrity_portal.tasking import enqueue_on_commit
from sharing.choices import ChangeAction, Entity
from sharing.services import changes_record

from ..choices import (
    NEGATIVE_KINDS,
    POLARITY_OF_KIND,
    RECORD_TRANSITIONS,
    Kind,
    RecordAction,
    RecordStatus,
    Severity,
    Source,
)
from ..models import AgencyRecordChange, CreditRecord, CreditRecordEvent
from ..publicity import publicity_dates
from ..signals import agency_records_batch_changed, agency_records_changed

# Sources that only the platform itself writes (ingestion of complaint outcomes, CSV import).
INTERNAL_SOURCES = frozenset({Source.COMPLAINT})


# Record actions as the change feed names them (DESIGN section 13).
FEED_ACTION = {
    RecordAction.CREATE: ChangeAction.CREATED,
    RecordAction.FILE_OBJECTION: ChangeAction.STATUS_CHANGED,
    RecordAction.UPHOLD_OBJECTION: ChangeAction.REVOKED,
    RecordAction.DISMISS_OBJECTION: ChangeAction.STATUS_CHANGED,
    RecordAction.EXPIRE: ChangeAction.EXPIRED,
    RecordAction.REVOKE: ChangeAction.REVOKED,
    RecordAction.REPAIR: ChangeAction.REPAIRED,
    RecordAction.WITHDRAW: ChangeAction.WITHDRAWN,
    RecordAction.MINOR_TERM_END: ChangeAction.EXPIRED,
}
RECORD_FEED_FIELDS = (
    "id",
    "agency",
    "kind",
    "polarity",
    "severity",
    "status",
    "facts",
    "amount",
    "decided_on",
    "publicity_ends",
    "repair_eligible_on",
    "complaint",
    "source",
    "source_ref",
)


def record_feed_entries(changes: list[tuple[int, str]]) -> list[tuple]:
    """Change-feed rows for ``(record_id, record action)`` pairs, each with the record's
    contract fields as they are now (one query). A new record inside its publicity window
    is also ``published``."""
    if not changes:
        return []
    rows = {
        row["id"]: row
        for row in CreditRecord.objects.filter(pk__in={r for r, _a in changes}).values(
            *(f for f in RECORD_FEED_FIELDS if f not in ("agency", "complaint")),
            "agency_id",
            "complaint__reference",
        )
    }
    today = timezone.localdate()
    entries = []
    for record_id, action in changes:
        row = dict(rows[record_id])
        row["agency"] = row.pop("agency_id")
        row["complaint"] = row.pop("complaint__reference")
        data = {name: row[name] for name in RECORD_FEED_FIELDS}
        entries.append((Entity.CREDIT_RECORD, record_id, FEED_ACTION[action], data))
        published = row["publicity_ends"] is not None and row["decided_on"] <= today
        if action == RecordAction.CREATE and published and row["publicity_ends"] > today:
            entries.append((Entity.CREDIT_RECORD, record_id, ChangeAction.PUBLISHED, data))
    return entries


def announce_changes(changes: Iterable[tuple[int, int | None, str]]) -> None:
    """Write the outbox rows for ``(agency_id, record_id, reason)`` changes; after commit send
    ``agency_records_changed`` for each and enqueue one score recompute for the agencies."""
    changes = list(changes)
    if not changes:
        return
    AgencyRecordChange.objects.bulk_create(
        [AgencyRecordChange(agency_id=a, record_id=r, reason=reason) for a, r, reason in changes]
    )
    changes_record(record_feed_entries([(r, reason) for _a, r, reason in changes if r]))
    agency_ids = sorted({a for a, _r, _reason in changes})

    def send():
        for agency_id, record_id, reason in changes:
            agency_records_changed.send(
                sender=CreditRecord, agency_id=agency_id, record_id=record_id, reason=reason
            )
        agency_records_batch_changed.send(
            sender=CreditRecord, agency_ids=agency_ids, changes=changes
        )

    transaction.on_commit(send)
    from ..tasks import recompute_agency_scores

    enqueue_on_commit(recompute_agency_scores, agency_ids)


def record_input_errors(
    *,
    kind: str,
    severity: str,
    decided_on: datetime.date | None,
    source: str,
    amount=None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Field errors of a record's input (empty when valid); shared by the API and the import."""
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("未知的记录类别：%(value)s") % {"value": kind}
    elif kind in NEGATIVE_KINDS and severity not in Severity.values:
        errors["severity"] = _("失信记录必须注明失信程度（minor、general 或 serious）。")
    elif kind not in NEGATIVE_KINDS and severity:
        errors["severity"] = _("守信记录不设失信程度。")
    if source not in Source.values:
        errors["source"] = _("未知的来源：%(value)s") % {"value": source}
    elif source in INTERNAL_SOURCES:
        errors["source"] = _("来自投诉的记录由平台根据办理结果自动生成，不能推送。")
    if decided_on is None:
        errors["decided_on"] = _("请填写认定日期。")
    elif decided_on > (today or timezone.localdate()):
        errors["decided_on"] = _("认定日期不能晚于今天。")
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            errors["amount"] = _("金额格式不正确。")
        else:
            if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
                errors["amount"] = _("金额格式不正确。")
    return errors


def build_record(
    *,
    agency_id: int,
    kind: str,
    severity: str,
    facts: str,
    decided_on: datetime.date,
    source: str,
    source_ref: str,
    amount=None,
    complaint_id: int | None = None,
    created_by=None,
) -> CreditRecord:
    """An unsaved record with polarity and publicity dates derived (for create and bulk)."""
    from .performance import perform_due_on

    repair_eligible_on, publicity_ends = publicity_dates(severity=severity, decided_on=decided_on)
    return CreditRecord(
        agency_id=agency_id,
        kind=kind,
        polarity=POLARITY_OF_KIND[kind],
        severity=severity,
        facts=facts,
        amount=amount,
        decided_on=decided_on,
        source=source,
        source_ref=source_ref,
        complaint_id=complaint_id,
        status=RecordStatus.ACTIVE,
        repair_eligible_on=repair_eligible_on,
        publicity_ends=publicity_ends,
        perform_due_on=perform_due_on(kind=kind, source=source, pushed_on=timezone.localdate()),
        created_by=created_by,
    )


def credit_record_create(
    *,
    agency_id: int,
    kind: str,
    severity: str,
    facts: str,
    decided_on: datetime.date,
    source: str,
    source_ref: str,
    amount=None,
    complaint_id: int | None = None,
    actor=None,
) -> tuple[CreditRecord, bool]:
    """Store a record, or return the one already stored for ``(source, source_ref)``.

    Returns ``(record, created)``. Input must have passed ``record_input_errors``.
    """
    existing = CreditRecord.objects.filter(source=source, source_ref=source_ref).first()
    if existing is not None:
        return existing, False
    record = build_record(
        agency_id=agency_id,
        kind=kind,
        severity=severity,
        facts=facts,
        decided_on=decided_on,
        source=source,
        source_ref=source_ref,
        amount=amount,
        complaint_id=complaint_id,
        created_by=actor if (actor is not None and actor.is_authenticated) else None,
    )
    try:
        with transaction.atomic():
            record.save()
            CreditRecordEvent.objects.create(
                record=record,
                action=RecordAction.CREATE,
                to_status=RecordStatus.ACTIVE,
                actor=record.created_by,
                data={"source": source, "source_ref": source_ref},
            )
            announce_changes([(agency_id, record.pk, RecordAction.CREATE)])
    except IntegrityError:
        # Two pushes of the same (source, source_ref) raced: the other one stored it first.
        existing = CreditRecord.objects.filter(source=source, source_ref=source_ref).first()
        if existing is None:
            raise
        return existing, False
    return record, True


def credit_record_transition(
    *, record_id: int, action: str, actor=None, note: str = "", data: dict | None = None
) -> CreditRecord:
    """Apply ``action`` to a record (locked), log it and announce it; 409 when not allowed."""
    allowed_from, target = RECORD_TRANSITIONS[RecordAction(action)]
    with transaction.atomic():
        # Locked so a concurrent objection decision, expiry or revocation cannot interleave.
        record = CreditRecord.objects.select_for_update(no_key=True).get(pk=record_id)
        if record.status not in allowed_from:
            raise InvalidTransition(
                detail=_("信用记录当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {
                    "status": RecordStatus(record.status).label,
                    "action": RecordAction(action).label,
                },
                status=record.status,
                action=str(action),
            )
        from_status = record.status
        record.status = target
        record.save(update_fields=["status", "updated_at"])
        CreditRecordEvent.objects.create(
            record=record,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=actor if (actor is not None and actor.is_authenticated) else None,
            note=note,
            data=data or {},
        )
        announce_changes([(record.agency_id, record.pk, action)])
    return record


def credit_record_revoke(*, record_id: int, reason: str, actor=None) -> CreditRecord:
    """Revoke a record (its basis was withdrawn). Revoking a revoked record changes nothing."""
    record = CreditRecord.objects.get(pk=record_id)
    if record.status == RecordStatus.REVOKED:
        return record
    return credit_record_transition(
        record_id=record_id, action=RecordAction.REVOKE, actor=actor, note=reason
    )


def credit_record_repair(*, record_id: int, actor=None, note: str = "") -> CreditRecord:
    """Mark a record ``repaired`` (信用修复 approved): ends publication; sanctions reconcile.

    Called by the repair workflow once the credit office approves; 409 unless ``active``.
    """
    return credit_record_transition(
        record_id=record_id, action=RecordAction.REPAIR, actor=actor, note=note
    )


def credit_record_withdraw(*, record_id: int, actor, reason: str) -> CreditRecord:
    """The pusher takes a pushed record back (DESIGN sections 9 and 13): the record becomes
    ``revoked`` with the reason kept on its event, and the reconcile lifts its sanctions.

    Allowed to a credit officer, or to the integration client that pushed it (403 for any
    other); a record made from a complaint is withdrawn by reopening the complaint (409).
    """
    from django.core.exceptions import PermissionDenied

    from agencies.policy import CREDIT_OFFICER, require, roles_of

    require(actor, "credit_record.withdraw")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤回理由。")}, code="required")
    record = CreditRecord.objects.get(pk=record_id)
    if CREDIT_OFFICER not in roles_of(actor) and record.created_by_id != actor.pk:
        raise PermissionDenied(_("只有推送该记录的对接系统或信用办可以撤回。"))
    if record.source in INTERNAL_SOURCES:
        raise NotEligible(detail=_("来自投诉的记录须由信用办重新核查投诉后撤销，不能撤回。"))
    return credit_record_transition(
        record_id=record_id,
        action=RecordAction.WITHDRAW,
        actor=actor,
        note=reason,
        data={"reason": reason},
    )


def credit_record_note(
    *, record_id: int, action: str, actor=None, note: str = "", data: dict | None = None
) -> CreditRecordEvent:
    """An event on a record that changes nothing of it (e.g. it was made a typical case): the
    record's history keeps who did what and why."""
    record = CreditRecord.objects.only("pk", "status").get(pk=record_id)
    return CreditRecordEvent.objects.create(
        record=record,
        action=action,
        from_status=record.status,
        to_status=record.status,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        note=note,
        data=data or {},
    )
