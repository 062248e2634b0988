"""Due dates of the workflow stages and the supervision sweep (DESIGN section 5).

A stage's due date is computed when the stage starts (by the workflow services) and stored in
``Complaint.due_at`` together with its basis in the event's ``data["deadline"]``, so the case
page can explain how it was computed. Clock events (pause, resume, extension) move it and are
logged the same way.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrity_portal.models import SweepClaim, TimeLimitPolicy, policies_cache
from integrity_portal.workdays import Calendar

from ..choices import Action, ActorKind, NotificationChannel, Status
from ..models import Complaint, ComplaintEvent, Notification
from .events import event_append

logger = logging.getLogger(__name__)

# Stages with a time limit; every other status has ``due_at`` = None.
TIMED_STATUSES = (Status.ROUTED, Status.VERIFYING, Status.RECTIFYING)

# Event codes of the clock and of supervision (written next to the workflow actions).
EVENT_PAUSE = Action.PAUSE
EVENT_RESUME = Action.RESUME
EVENT_EXTEND = Action.EXTEND
EVENT_REMINDER = Action.REMINDER
EVENT_SUPERVISION = Action.SUPERVISION_NOTICE
EVENT_ESCALATION = Action.LEADER_INTERVIEW
EVENT_NOTE = Action.INTERNAL_NOTE
EVENT_REPLY = Action.REPLY

SWEEP_BATCH = 500
# At most this many pieces of work per kind and run; the rest waits for the next run (every
# 10 minutes), so one run never holds a huge id list or runs for long after a backlog.
SWEEP_MAX_PER_RUN = 20_000


def policy_for(domain: str) -> TimeLimitPolicy:
    """The domain's policy, else the default row, else the built-in defaults of section 5."""
    rows = policies_cache.get_or_load(
        "all", lambda: {p.domain: p for p in TimeLimitPolicy.objects.all()}
    )
    return rows.get(domain) or rows.get("") or TimeLimitPolicy(domain="")


def end_of_day(day: dt.date) -> dt.datetime:
    """Deadlines fall at the end of the local day (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def stage_deadline(
    *,
    complaint: Complaint,
    status: str,
    start: dt.datetime,
    routed_at: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> tuple[dt.datetime | None, dict | None]:
    """``(due_at, basis)`` of the stage ``status`` starting at ``start``.

    ``basis`` is a JSON-able explanation stored with the event and shown on the case page.
    """
    calendar = calendar or Calendar()
    policy = policy_for(complaint.domain)
    start_day = local_date(start)
    if status == Status.ROUTED:
        due = calendar.add_workdays(start_day, policy.acceptance_workdays)
        basis = {
            "rule": "acceptance",
            "start": str(start_day),
            "workdays": policy.acceptance_workdays,
        }
    elif status == Status.VERIFYING and policy.result_days:
        # 保障中小企业款项支付条例 第二十五条: written result within 30 days of routing.
        origin = local_date(routed_at or start)
        due = origin + dt.timedelta(days=policy.result_days)
        basis = {"rule": "result", "start": str(origin), "days": policy.result_days}
        if policy.result_max_days:
            basis["max_days"] = policy.result_max_days
    elif status == Status.VERIFYING:
        due = calendar.add_workdays(start_day, policy.verification_workdays)
        basis = {
            "rule": "verification",
            "start": str(start_day),
            "workdays": policy.verification_workdays,
        }
    elif status == Status.RECTIFYING and complaint.rectification_due:
        due = complaint.rectification_due
        basis = {"rule": "rectification", "start": str(start_day), "date": str(due)}
    else:
        return None, None
    basis["due"] = str(due)
    return end_of_day(due), basis


def basis_text(basis: dict) -> str:
    """A sentence explaining one deadline basis (shown on the case page)."""
    rule = basis.get("rule")
    if rule == "acceptance":
        text = _("转办日 %(start)s 起 %(n)s 个工作日内受理") % {
            "start": basis["start"],
            "n": basis["workdays"],
        }
    elif rule == "verification":
        text = _("受理日 %(start)s 起 %(n)s 个工作日内核实认定") % {
            "start": basis["start"],
            "n": basis["workdays"],
        }
    elif rule == "result":
        text = _(
            "拖欠中小企业账款投诉：自转办日 %(start)s 起 %(n)s 日内书面答复，经批准可延长至共 "
            "%(max)s 日（《保障中小企业款项支付条例》第二十五条）"
        ) % {"start": basis["start"], "n": basis["days"], "max": basis.get("max_days", "-")}
    elif rule == "rectification":
        text = _("承办单位确定的整改期限 %(date)s") % {"date": basis["date"]}
    elif rule == "pause":
        text = _("等待投诉人补充材料，自 %(start)s 起暂停计时") % {"start": basis["start"]}
    elif rule == "resume":
        text = _("恢复计时：暂停 %(n)s 个%(unit)s，期限顺延") % {
            "n": basis["paused"],
            "unit": _("工作日") if basis.get("unit") == "workdays" else _("自然日"),
        }
    elif rule == "extend":
        text = _("经 %(approver)s 批准延期 %(n)s 个%(unit)s：%(reason)s") % {
            "approver": basis["approver"],
            "n": basis["amount"],
            "unit": _("工作日") if basis.get("unit") == "workdays" else _("自然日"),
            "reason": basis["reason"],
        }
    else:
        text = rule or ""
    if basis.get("due"):
        text += _("，期限 %(due)s") % {"due": basis["due"]}
    return text


def deadline_history(events) -> list[dict]:
    """The deadline bases of a case's events, oldest first, each with its sentence."""
    rows = []
    for event in events:
        basis = (event.data or {}).get("deadline")
        if basis:
            rows.append({"at": event.created_at, "basis": basis, "text": basis_text(basis)})
    return rows


# --- supervision sweep -------------------------------------------------------------------------


def _open_timed() -> Q:
    return Q(status__in=TIMED_STATUSES, clock_paused_at__isnull=True, due_at__isnull=False)


def _notify_handlers(complaint: Complaint, *, subject: str, body: str) -> None:
    """Outbox rows to the handling agency's staff (delivered after commit by the mail task)."""
    from agencies.choices import StaffRole
    from agencies.models import User

    if complaint.handling_agency_id is None:
        return
    recipients = (
        User.objects.filter(
            agency_id=complaint.handling_agency_id, role=StaffRole.HANDLER, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    Notification.objects.bulk_create(
        [
            Notification(
                complaint=complaint,
                channel=NotificationChannel.EMAIL,
                recipient=email,
                subject=subject,
                body=body,
            )
            for email in recipients
        ]
    )


def _claim(kind: str, object_id: int, at: dt.datetime) -> bool:
    """Insert the claim row; False when another run already claimed this work."""
    try:
        with transaction.atomic():
            SweepClaim.objects.create(kind=kind, object_id=object_id, at=at)
    except IntegrityError:
        return False
    return True


def _ids(queryset, batch: int = SWEEP_BATCH):
    """Candidate primary keys in batches. The candidate query runs once, on the indexes of
    its filter columns (status, due_at); ordering by pk with a LIMIT would walk the whole
    table whenever there is no work."""
    ids = sorted(queryset.order_by().values_list("pk", flat=True)[:SWEEP_MAX_PER_RUN])
    for start in range(0, len(ids), batch):
        yield ids[start : start + batch]


def sweep_reminders(*, now: dt.datetime | None = None) -> int:
    """Cases due within the reminder window (2 working days): remind the handling agency once
    per due date (a moved due date earns a new reminder)."""
    now = now or timezone.now()
    calendar = Calendar()
    horizon = end_of_day(calendar.add_workdays(local_date(now), 2))
    claimed = SweepClaim.objects.filter(
        kind=EVENT_REMINDER, object_id=OuterRef("pk"), at=OuterRef("due_at")
    )
    candidates = Complaint.objects.filter(
        _open_timed(), due_at__gte=now, due_at__lte=horizon
    ).filter(~Exists(claimed))
    sent = 0
    for ids in _ids(candidates):
        for complaint in Complaint.objects.filter(pk__in=ids).only("pk", "due_at"):
            if not _claim(EVENT_REMINDER, complaint.pk, complaint.due_at):
                continue
            with transaction.atomic():
                locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
                due_text = timezone.localtime(locked.due_at).strftime("%Y-%m-%d")
                event_append(
                    complaint=locked,
                    action=EVENT_REMINDER,
                    actor_kind=ActorKind.SYSTEM,
                    is_public=False,
                    note=_("案件将于 %(due)s 到期，请按时办理。") % {"due": due_text},
                    data={"due_at": locked.due_at.isoformat()},
                    at=now,
                )
                _notify_handlers(
                    locked,
                    subject=_("到期提醒：%(ref)s") % {"ref": locked.reference},
                    body=_("投诉 %(ref)s 将于 %(due)s 到期，请及时办理。")
                    % {"ref": locked.reference, "due": due_text},
                )
            sent += 1
    return sent


def sweep_supervision(*, now: dt.datetime | None = None) -> int:
    """Overdue cases: a supervision notice (督办函) to the handling agency, once per case.

    The claim is the conditional UPDATE ``supervised_at IS NULL`` → now; a second run (or a
    second worker) updates 0 rows and does nothing.
    """
    now = now or timezone.now()
    candidates = Complaint.objects.filter(_open_timed(), due_at__lt=now, supervised_at__isnull=True)
    done = 0
    for ids in _ids(candidates):
        for pk in ids:
            with transaction.atomic():
                claimed = (
                    Complaint.objects.filter(
                        _open_timed(), pk=pk, due_at__lt=now, supervised_at__isnull=True
                    ).update(supervised_at=now)
                    == 1
                )
                if not claimed:
                    continue
                locked = Complaint.objects.select_for_update().get(pk=pk)
                due_text = timezone.localtime(locked.due_at).strftime("%Y-%m-%d")
                event_append(
                    complaint=locked,
                    action=EVENT_SUPERVISION,
                    actor_kind=ActorKind.SYSTEM,
                    is_public=False,
                    note=_("案件已超过办理时限（%(due)s），信用办发出督办函。") % {"due": due_text},
                    data={"due_at": locked.due_at.isoformat(), "status": locked.status},
                    at=now,
                )
                _notify_handlers(
                    locked,
                    subject=_("督办函：%(ref)s") % {"ref": locked.reference},
                    body=_("投诉 %(ref)s 已于 %(due)s 超期，请立即办理并反馈信用办。")
                    % {"ref": locked.reference, "due": due_text},
                )
            done += 1
    return done


def sweep_escalation(*, now: dt.datetime | None = None) -> int:
    """Still overdue a second period after the due date (due + the stage's own length):
    flag for a leader interview (约谈), once per case."""
    now = now or timezone.now()
    # Second period: now > due_at + (due_at - stage_started_at), evaluated in SQL.
    candidates = (
        Complaint.objects.filter(
            _open_timed(),
            due_at__lt=now,
            supervised_at__isnull=False,
            escalated_at__isnull=True,
            stage_started_at__isnull=False,
        )
        .annotate(
            second_period_ends=ExpressionWrapper(
                F("due_at") + (F("due_at") - F("stage_started_at")),
                output_field=DateTimeField(),
            )
        )
        .filter(second_period_ends__lt=now)
    )
    done = 0
    for ids in _ids(candidates):
        rows = Complaint.objects.filter(pk__in=ids).values_list("pk", "due_at")
        for pk, due_at in rows:
            with transaction.atomic():
                claimed = (
                    Complaint.objects.filter(
                        _open_timed(), pk=pk, due_at=due_at, escalated_at__isnull=True
                    ).update(escalated_at=now)
                    == 1
                )
                if not claimed:
                    continue
                locked = Complaint.objects.select_for_update().get(pk=pk)
                event_append(
                    complaint=locked,
                    action=EVENT_ESCALATION,
                    actor_kind=ActorKind.SYSTEM,
                    is_public=False,
                    note=_("督办后仍超期，提示约谈承办单位主要负责人。"),
                    data={"due_at": due_at.isoformat()},
                    at=now,
                )
            done += 1
    return done


def sweep_missing_due(*, now: dt.datetime | None = None) -> int:
    """Routed cases that arrived without a due date (e.g. registered before deadlines existed,
    or by a path that does not compute one): start the acceptance clock at submission."""
    calendar = Calendar()
    done = 0
    candidates = Complaint.objects.filter(status=Status.ROUTED, due_at__isnull=True)
    for ids in _ids(candidates):
        for complaint in Complaint.objects.filter(pk__in=ids).only("pk", "domain", "submitted_at"):
            due_at, _basis = stage_deadline(
                complaint=complaint,
                status=Status.ROUTED,
                start=complaint.submitted_at,
                calendar=calendar,
            )
            done += Complaint.objects.filter(
                pk=complaint.pk, status=Status.ROUTED, due_at__isnull=True
            ).update(due_at=due_at, stage_started_at=complaint.submitted_at)
    return done


def sweep_deadlines(*, now: dt.datetime | None = None) -> dict:
    """The beat job: missing due dates, reminders, supervision notices, escalations."""
    now = now or timezone.now()
    return {
        "due_dates_set": sweep_missing_due(now=now),
        "reminders": sweep_reminders(now=now),
        "supervision_notices": sweep_supervision(now=now),
        "escalations": sweep_escalation(now=now),
    }


def last_routed_at(complaint: Complaint) -> dt.datetime | None:
    """When the case was last routed (submission or reroute) — the origin of the 30-day rule."""
    return (
        ComplaintEvent.objects.filter(complaint=complaint, to_status=Status.ROUTED)
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
