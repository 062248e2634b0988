"""Notices of repair decisions through the complaints outbox (``complaints.Notification``):
written in the decision's transaction, delivered by the complaints task after commit and
retried by its sweep. The original complainant hears the outcome of the record their complaint
produced (in the complaint's language, ``complaints.notices``); the agency's liaisons hear it
by email, in the product's language."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.choices import StaffRole
from agencies.models import User
from complaints.choices import NotificationChannel
from complaints.models import Notification
from complaints.notices import RECORD_REPAIRED
from complaints.services.notifications import complainant_notice_rows
from integrity_portal.tasking import enqueue_on_commit

from .choices import RepairStatus


def notify_repair_decided(*, repair) -> list[int]:
    record = repair.record
    approved = repair.status == RepairStatus.APPROVED
    rows: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        outcome = _("已批准，相关失信记录停止公示，惩戒措施依规解除") if approved else _("不予修复")
        subject = _("信用修复申请结果：%(outcome)s") % {"outcome": outcome}
        body = _(
            "%(agency)s 于 %(applied)s 提出的信用修复申请（记录认定日期 %(decided)s）"
            "结果：%(outcome)s。\n%(note)s"
        ) % {
            "agency": repair.agency.name,
            "applied": f"{repair.applied_at:%Y-%m-%d}",
            "decided": record.decided_on.isoformat(),
            "outcome": outcome,
            "note": repair.decision_note,
        }
        for email in (
            User.objects.filter(
                agency_id=repair.agency_id, role=StaffRole.AGENCY_LIAISON, is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        ):
            rows.append(
                Notification(
                    channel=NotificationChannel.EMAIL, recipient=email, subject=subject, body=body
                )
            )
    complaint = record.complaint if record.complaint_id else None
    if complaint is not None and approved:
        # To the complainant in the complaint's language, rendered when sent.
        rows += complainant_notice_rows(complaint, RECORD_REPAIRED, {})
    if not rows:
        return []
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    from complaints.tasks import notification_deliver

    enqueue_on_commit(notification_deliver, ids)
    return ids
