"""Typical cases (典型案例曝光, seed 004 三(三)) and credit-office tasks."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import require
from complaints.models import Complaint
from credit_records.choices import Polarity, RecordStatus, Severity
from credit_records.models import CreditRecord
from integrity_portal.api import InvalidTransition, NotEligible

from ..choices import TaskStatus
from ..models import OfficeTask, TypicalCase

REPEATED_COUNT = 2
# The third ground of seed 004 三(三), 人民群众反映强烈: at least this many complaints against the
# agency in the last 12 months (local practice: the seed fixes no number).
PUBLIC_CONCERN_COMPLAINTS = 5
PUBLIC_CONCERN_MONTHS = 12


def typical_case_eligibility(record: CreditRecord) -> str | None:
    """Seed 004 三(三): 失信情形严重 (serious), 多次反复失信 (repeated negative records of the same
    agency — a revoked record never counts, its basis having fallen), or 人民群众反映强烈 (many
    complaints against the agency in 12 months)."""
    if record.polarity != Polarity.NEGATIVE:
        return _("只有失信记录可以作为典型案例。")
    if record.severity == Severity.SERIOUS:
        return None
    count = (
        CreditRecord.objects.filter(agency_id=record.agency_id, polarity=Polarity.NEGATIVE)
        .exclude(status=RecordStatus.REVOKED)
        .count()
    )
    if count >= REPEATED_COUNT:
        return None
    since = timezone.now() - dt.timedelta(days=365 * PUBLIC_CONCERN_MONTHS // 12)
    complaints = Complaint.objects.filter(
        respondent_agency_id=record.agency_id, submitted_at__gte=since
    ).count()
    if complaints >= PUBLIC_CONCERN_COMPLAINTS:
        return None
    return _("只有严重失信、多次失信或群众反映强烈的案例可以作为典型案例曝光。")


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
    *, record_id: int, title: str, facts: str, outcome: str, actor
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
    problem = typical_case_eligibility(record)
    if problem:
        raise NotEligible(detail=problem, reason="not_serious_or_repeated")
    try:
        with transaction.atomic():
            return TypicalCase.objects.create(
                agency_id=record.agency_id,
                record=record,
                title=title.strip(),
                facts=facts.strip(),
                outcome=outcome.strip(),
                published_at=timezone.now(),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise NotEligible(detail=_("该记录已是典型案例。"), reason="already_typical") from exc


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
