"""The deadline to perform on pushed records (seed 002 item 10: 法院推送失信被执行人信息，由政务
诚信牵头部门督导，敦促限期履行义务或将债务纳入本级财政预算).

A pushed ``dishonest_debtor`` or ``arrears`` record is due to be performed within
``RecordPolicy.perform_workdays`` working days of the push (``perform_due_on``). Performing
ends the deadline: the pusher or the credit office records it (``credit_record_perform``), or
the record leaves force (withdrawn by the pusher after payment or delisting, revoked,
repaired). The beat sweep sends one supervision notice (督办) per overdue record to the
agency's supervising department, as the complaint sweep does for overdue cases.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integrity_portal.api import NotEligible
from integrity_portal.workdays import add_workdays

from ..choices import PERFORM_KINDS, RecordAction, RecordStatus, Source
from ..models import CreditRecord, CreditRecordEvent, RecordPolicy

# Only records still in force are supervised; a withdrawn, revoked, repaired or expired record
# owes nothing more.
SUPERVISED_STATUSES = (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)
SWEEP_BATCH = 500


def perform_due_on(*, kind: str, source: str, pushed_on: dt.date) -> dt.date | None:
    """The deadline of a new record, or None: only pushed records of ``PERFORM_KINDS`` have
    one (a complaint's outcome has its own rectification deadline)."""
    if kind not in PERFORM_KINDS or source == Source.COMPLAINT:
        return None
    return add_workdays(pushed_on, RecordPolicy.current().perform_workdays)


def credit_record_perform(
    *, record_id: int, actor, performed_on: dt.date | None, note: str = ""
) -> CreditRecord:
    """The agency performed (paid, or put the debt in its budget): the pusher or the credit
    office says so; the deadline ends and the record stays as it is (repair or withdrawal
    follows its own path). 400 for a date in the future or before the decision; 409 for a
    record without a deadline, performed already, or no longer in force."""
    from agencies.policy import CREDIT_OFFICER, require, roles_of

    require(actor, "credit_record.perform")
    today = timezone.localdate()
    performed_on = performed_on or today
    with transaction.atomic():
        record = CreditRecord.objects.select_for_update(no_key=True).get(pk=record_id)
        if CREDIT_OFFICER not in roles_of(actor) and record.created_by_id != actor.pk:
            raise PermissionDenied(_("只有推送该记录的对接系统或信用办可以登记履行。"))
        if record.perform_due_on is None:
            raise NotEligible(detail=_("该记录没有履行期限。"))
        if record.performed_on is not None:
            raise NotEligible(detail=_("该记录已登记履行。"))
        if record.status not in SUPERVISED_STATUSES:
            raise NotEligible(detail=_("该记录已不在有效期内，无需登记履行。"))
        if performed_on > today:
            raise ValidationError({"performed_on": _("履行日期不能晚于今天。")})
        if performed_on < record.decided_on:
            raise ValidationError({"performed_on": _("履行日期不能早于认定日期。")})
        record.performed_on = performed_on
        record.save(update_fields=["performed_on", "updated_at"])
        CreditRecordEvent.objects.create(
            record=record,
            action=RecordAction.PERFORM,
            from_status=record.status,
            to_status=record.status,
            actor=actor if actor.is_authenticated else None,
            note=(note or "").strip()[:5000],
            data={"performed_on": performed_on.isoformat()},
        )
    return record


def _notify_supervisor(record: CreditRecord) -> list[int]:
    """E-mail outbox rows to the handlers of the agency's supervising department (the
    department that follows the agency up, as for a complaint against it). An agency without
    a supervising department, or one with no handler to write to, is followed up by the
    credit office itself (seed 002 item 10: 由政务诚信牵头部门督导), so the notice is never
    recorded as sent to nobody."""
    with translation.override(settings.LANGUAGE_CODE):
        return _supervisor_rows(record, record.agency.supervisor_id)


def _supervision_recipients(supervisor_id: int | None, region_code: str | None) -> list[str]:
    from agencies.choices import StaffRole
    from agencies.models import User
    from agencies.selectors import credit_officer_emails

    active = User.objects.filter(is_active=True).exclude(email="")
    emails = []
    if supervisor_id is not None:
        emails = list(
            active.filter(agency_id=supervisor_id, role=StaffRole.HANDLER).values_list(
                "email", flat=True
            )
        )
    if not emails:
        # The credit office whose scope holds the agency (levels, DESIGN section 13): the
        # county's office for a county body, and every office without a region.
        emails = credit_officer_emails(holding_region=region_code)
    return emails


def _supervisor_rows(record: CreditRecord, supervisor_id: int | None) -> list[int]:
    from complaints.choices import NotificationChannel
    from complaints.models import Notification

    subject = _("限期履行督办：%(agency)s") % {"agency": record.agency.name}
    body = _(
        "%(agency)s 的%(kind)s记录（认定日期 %(decided)s，来源编号 %(ref)s）应于 %(due)s 前履行，"
        "至今未见履行。请督促其限期履行义务或将债务纳入本级财政预算，并反馈信用办。"
    ) % {
        "agency": record.agency.name,
        "kind": record.get_kind_display(),
        "decided": record.decided_on.isoformat(),
        "ref": record.source_ref,
        "due": record.perform_due_on.isoformat(),
    }
    rows = Notification.objects.bulk_create(
        [
            Notification(
                channel=NotificationChannel.EMAIL, recipient=email, subject=subject, body=body
            )
            for email in _supervision_recipients(supervisor_id, record.agency.region_id)
        ]
    )
    return [row.pk for row in rows]


def perform_deadlines_sweep(*, today: dt.date | None = None) -> int:
    """Records past their deadline, not performed, still in force and not yet supervised: one
    supervision notice each (an event on the record and an e-mail to the supervising
    department). The claim is a conditional UPDATE of ``perform_supervised_at``, so a second
    run or a second worker sends nothing twice."""
    from complaints.services.notifications import deliver_on_commit

    today = today or timezone.localdate()
    now = timezone.now()
    candidates = CreditRecord.objects.filter(
        perform_due_on__lt=today,
        perform_supervised_at__isnull=True,
        performed_on__isnull=True,
        status__in=SUPERVISED_STATUSES,
    )
    ids = sorted(candidates.order_by().values_list("pk", flat=True)[:20_000])
    done = 0
    for start in range(0, len(ids), SWEEP_BATCH):
        for pk in ids[start : start + SWEEP_BATCH]:
            with transaction.atomic():
                claimed = CreditRecord.objects.filter(
                    pk=pk,
                    perform_supervised_at__isnull=True,
                    performed_on__isnull=True,
                    status__in=SUPERVISED_STATUSES,
                ).update(perform_supervised_at=now)
                if claimed != 1:
                    continue
                record = CreditRecord.objects.select_related("agency").get(pk=pk)
                CreditRecordEvent.objects.create(
                    record=record,
                    action=RecordAction.SUPERVISION_NOTICE,
                    from_status=record.status,
                    to_status=record.status,
                    data={
                        "perform_due_on": record.perform_due_on.isoformat(),
                        "supervisor": record.agency.supervisor_id,
                    },
                )
                deliver_on_commit(_notify_supervisor(record))
            done += 1
    return done
