"""Typical cases (典型案例曝光, seed 004 三(三)) and credit-office tasks."""

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import require
from complaints.models import Complaint
from credit_records.choices import Polarity, RecordAction, RecordStatus, Severity
from credit_records.models import CreditRecord, RecordPolicy
from credit_records.services.records import credit_record_note
from integrity_portal.api import InvalidTransition, NotEligible

from ..choices import TaskStatus, TypicalGround
from ..models import OfficeTask, TypicalCase

REPEATED_COUNT = 2
# The window of the complaint count of 人民群众反映强烈 (seed 004 三(三)); the count itself is
# data (``RecordPolicy.public_concern_complaints``).
PUBLIC_CONCERN_MONTHS = 12


def typical_case_ground(record: CreditRecord, *, concern_reason: str = "") -> str | None:
    """The ground of seed 004 三(三) a record stands on, or None: 失信情形严重 (serious),
    多次反复失信 (two or more negative records of the agency — a revoked record never counts,
    its basis having fallen), 人民群众反映强烈 (at least N complaints against the agency in 12
    months, N the office's data; or a credit officer's written reason)."""
    if record.severity == Severity.SERIOUS:
        return TypicalGround.SERIOUS
    count = (
        CreditRecord.objects.filter(agency_id=record.agency_id, polarity=Polarity.NEGATIVE)
        .exclude(status=RecordStatus.REVOKED)
        .count()
    )
    if count >= REPEATED_COUNT:
        return TypicalGround.REPEATED
    since = timezone.now() - relativedelta(months=PUBLIC_CONCERN_MONTHS)
    complaints = Complaint.objects.filter(
        respondent_agency_id=record.agency_id, submitted_at__gte=since
    ).count()
    if complaints >= RecordPolicy.current().public_concern_complaints:
        return TypicalGround.PUBLIC_CONCERN_COMPLAINTS
    if concern_reason.strip():
        return TypicalGround.PUBLIC_CONCERN_REASON
    return None


def typical_case_eligibility(record: CreditRecord, *, concern_reason: str = "") -> str | None:
    """Why ``record`` may not be a typical case, or None when it may."""
    if record.polarity != Polarity.NEGATIVE:
        return _("只有失信记录可以作为典型案例。")
    if record.status == RecordStatus.REVOKED:
        return _("已撤销的记录不能作为典型案例。")
    if typical_case_ground(record, concern_reason=concern_reason) is None:
        return _(
            "只有严重失信、多次失信或群众反映强烈的案例可以作为典型案例曝光；"
            "群众反映强烈的，请写明理由。"
        )
    return None


def _identity_leaks(record: CreditRecord, texts: list[str]) -> bool:
    """Whether the public text names the complainant (anti-retaliation, DESIGN section 11)."""
    complaint = record.complaint if record.complaint_id else None
    if complaint is None:
        return False
    markers = [
        complaint.complainant_name,
        complaint.complainant_uscc,
        complaint.contact_name,
        complaint.contact_phone,
        complaint.contact_email,
    ]
    return any(m and len(m) >= 2 and m in text for m in markers for text in texts)


@transaction.atomic
def typical_case_mark(
    *, record_id: int, title: str, facts: str, outcome: str, actor, concern_reason: str = ""
) -> TypicalCase:
    require(actor, "typical_case.mark")
    record = CreditRecord.objects.select_related("complaint").get(pk=record_id)
    errors = {}
    for name, value in (("title", title), ("facts", facts), ("outcome", outcome)):
        if not (value or "").strip():
            errors[name] = [_("此项为必填项。")]
    if errors:
        raise ValidationError(errors)
    if _identity_leaks(record, [title, facts, outcome]):
        raise ValidationError({"facts": [_("公开内容不得包含投诉人的名称、联系人或联系方式。")]})
    concern_reason = (concern_reason or "").strip()
    problem = typical_case_eligibility(record, concern_reason=concern_reason)
    if problem:
        raise NotEligible(detail=problem, reason="not_serious_or_repeated")
    ground = typical_case_ground(record, concern_reason=concern_reason)
    try:
        with transaction.atomic():
            case = TypicalCase.objects.create(
                agency_id=record.agency_id,
                record=record,
                title=title.strip(),
                facts=facts.strip(),
                outcome=outcome.strip(),
                ground=ground,
                concern_reason=concern_reason,
                published_at=timezone.now(),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise NotEligible(detail=_("该记录已是典型案例。"), reason="already_typical") from exc
    # The record's history says who exposed it, on which ground and why.
    credit_record_note(
        record_id=record.pk,
        action=RecordAction.TYPICAL_CASE,
        actor=actor,
        note=concern_reason,
        data={"typical_case": case.pk, "ground": ground},
    )
    return case


@transaction.atomic
def office_task_done(*, task_id: int, actor) -> OfficeTask:
    require(actor, "office_task.done")
    task = OfficeTask.objects.select_for_update().get(pk=task_id)
    if task.status == TaskStatus.DONE:
        raise InvalidTransition(detail=_("该事项已办结。"), status=task.status)
    task.status = TaskStatus.DONE
    task.done_by = actor
    task.done_at = timezone.now()
    task.save(update_fields=["status", "done_by", "done_at"])
    return task
