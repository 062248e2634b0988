"""Objections (异议, seed 002 item 15): an agency disputes a record; the credit office decides
within 10 working days — upheld: record ``revoked``; dismissed: record back to ``active``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import require
from integrity_portal.api import InvalidTransition
from integrity_portal.db import retry_on_conflict
from integrity_portal.workdays import add_workdays
from sharing.choices import ChangeAction, Entity
from sharing.services import changes_record

from ..choices import ObjectionStatus, RecordAction
from ..models import Objection, ObjectionFile
from .evidence import evidence_checked, evidence_store
from .records import credit_record_transition

DECISION_WORKDAYS = 10


@retry_on_conflict
def objection_file(
    *, record_id: int, actor, reason: str, evidence_note: str = "", files=None
) -> Objection:
    """The liaison files an objection, with evidence files if any; the record shows
    ``under_objection``. 400 naming ``files`` for a bad file (nothing written); 409 unless the
    record is ``active`` (the transition check also refuses a second pending objection)."""
    require(actor, "objection.file")
    checked = evidence_checked(files)
    now = timezone.now()
    with transaction.atomic():
        record = credit_record_transition(
            record_id=record_id,
            action=RecordAction.FILE_OBJECTION,
            actor=actor,
            note=reason,
            data={"evidence_note": evidence_note} if evidence_note else None,
        )
        objection = Objection.objects.create(
            record=record,
            agency_id=record.agency_id,
            reason=reason,
            evidence_note=evidence_note,
            filed_by=actor,
            filed_at=now,
            due_on=add_workdays(timezone.localdate(now), DECISION_WORKDAYS),
        )
        changes_record([objection_feed_entry(objection, ChangeAction.CREATED)])
        evidence_store(ObjectionFile, checked, uploaded_by=actor, objection=objection)
    return objection


def objection_feed_entry(objection: Objection, action: str) -> tuple:
    """An objection's change-feed row (its fields, without who filed or decided it)."""
    data = {
        "id": objection.pk,
        "record": objection.record_id,
        "agency": objection.agency_id,
        "status": objection.status,
        "reason": objection.reason,
        "filed_at": objection.filed_at,
        "due_on": objection.due_on,
        "decided_at": objection.decided_at,
        "decision_note": objection.decision_note,
    }
    return (Entity.OBJECTION, objection.pk, action, data)


@retry_on_conflict
def _decide(*, objection_id: int, actor, note: str, status: str, action: str) -> Objection:
    require(actor, "objection.decide")
    with transaction.atomic():
        # Locked so two officers deciding at once cannot both succeed.
        objection = Objection.objects.select_for_update().get(pk=objection_id)
        if objection.status != ObjectionStatus.PENDING:
            raise InvalidTransition(
                detail=_("该异议已处理（%(status)s）。")
                % {"status": ObjectionStatus(objection.status).label},
                status=objection.status,
            )
        credit_record_transition(
            record_id=objection.record_id,
            action=action,
            actor=actor,
            note=note,
            data={"objection": objection.pk},
        )
        objection.status = status
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.decision_note = note
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        changes_record([objection_feed_entry(objection, ChangeAction.STATUS_CHANGED)])
    return objection


def objection_uphold(*, objection_id: int, actor, note: str = "") -> Objection:
    """The objection is founded: the record is revoked."""
    return _decide(
        objection_id=objection_id,
        actor=actor,
        note=note,
        status=ObjectionStatus.UPHELD,
        action=RecordAction.UPHOLD_OBJECTION,
    )


def objection_dismiss(*, objection_id: int, actor, note: str = "") -> Objection:
    """The objection is unfounded: the record is back to active."""
    return _decide(
        objection_id=objection_id,
        actor=actor,
        note=note,
        status=ObjectionStatus.DISMISSED,
        action=RecordAction.DISMISS_OBJECTION,
    )
