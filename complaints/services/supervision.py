"""The deadline sweep (DESIGN section 5): reminders before the due date, a supervision notice
(督办函) once a case is overdue, and a leader-interview flag (约谈) when it is still overdue a
second period later. Run by beat every ten minutes; safe to run twice or in two workers at once
(each piece of work is claimed first), and each notice is an event through ``transitions``.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.choices import StaffRole
from agencies.models import User
from integrity_portal.models import SweepClaim, TimeLimitPolicy
from integrity_portal.workdays import Calendar

from ..choices import Action, ActorKind, NotificationChannel, Status
from ..models import Complaint, Notification
from .deadlines import TIMED_STATUSES, end_of_day, local_date, policy_for, stage_deadline
from .notifications import deliver_on_commit
from .transitions import move, write

SWEEP_BATCH = 500
# At most this many pieces of work per kind and run; the rest waits for the next run (every
# 10 minutes), so one run never holds a huge id list or runs for long after a backlog.
SWEEP_MAX_PER_RUN = 20_000
# The reminder lead is each domain's policy (``TimeLimitPolicy.reminder_workdays``, default 2
# working days: local practice, no statute fixes it).


def _open_timed() -> Q:
    return Q(status__in=TIMED_STATUSES, clock_paused_at__isnull=True, due_at__isnull=False)


def _notify_handlers(complaint: Complaint, *, subject: str, body: str) -> None:
    """E-mail outbox rows to the handling agency's handlers, delivered after commit."""
    if complaint.handling_agency_id is None:
        return
    recipients = (
        User.objects.filter(
            agency_id=complaint.handling_agency_id, role=StaffRole.HANDLER, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    rows = Notification.objects.bulk_create(
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
    deliver_on_commit([row.pk for row in rows])


def _system_event(locked: Complaint, *, action: str, data: dict, at) -> None:
    write(
        locked,
        [move(locked, action=action, actor_kind=ActorKind.SYSTEM, public=False, data=data, at=at)],
    )


def _claim(pk: int, stamp: str, now: dt.datetime, **still) -> Complaint | None:
    """Claim one case for a notice and lock it: the conditional UPDATE setting ``stamp`` (while
    it is empty, the case still open, timed and matching ``still``) is the claim, so a second
    run or a second worker updates no row and gets None."""
    claimed = Complaint.objects.filter(
        _open_timed(), pk=pk, **{f"{stamp}__isnull": True}, **still
    ).update(**{stamp: now})
    return Complaint.objects.select_for_update().get(pk=pk) if claimed == 1 else None


def _claim_row(kind: str, object_id: int, at: dt.datetime) -> bool:
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
    """Cases due within their domain's reminder window (``reminder_workdays`` of the policy):
    remind the handling agency once per due date (a moved due date earns a new reminder)."""
    now = now or timezone.now()
    calendar = Calendar()
    leads = {
        p.domain: p.reminder_workdays
        for p in TimeLimitPolicy.objects.only("domain", "reminder_workdays")
    }
    default_lead = policy_for("").reminder_workdays
    horizons = {
        lead: end_of_day(calendar.add_workdays(local_date(now), lead))
        for lead in {*leads.values(), default_lead}
    }
    horizon = max(horizons.values())
    claimed = SweepClaim.objects.filter(
        kind=Action.REMINDER, object_id=OuterRef("pk"), at=OuterRef("due_at")
    )
    candidates = Complaint.objects.filter(
        _open_timed(), due_at__gte=now, due_at__lte=horizon
    ).filter(~Exists(claimed))
    sent = 0
    for ids in _ids(candidates):
        for complaint in Complaint.objects.filter(pk__in=ids).only("pk", "due_at", "domain"):
            lead = leads.get(complaint.domain, leads.get("", default_lead))
            if complaint.due_at > horizons[lead]:
                continue  # inside the widest window, not yet inside its own domain's
            if not _claim_row(Action.REMINDER, complaint.pk, complaint.due_at):
                continue
            with transaction.atomic():
                locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
                due_text = local_date(locked.due_at).isoformat()
                _system_event(
                    locked,
                    action=Action.REMINDER,
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

    The claim is the conditional UPDATE ``supervised_at IS NULL`` → now (``_claim``).
    """
    now = now or timezone.now()
    candidates = Complaint.objects.filter(_open_timed(), due_at__lt=now, supervised_at__isnull=True)
    done = 0
    for ids in _ids(candidates):
        for pk in ids:
            with transaction.atomic():
                locked = _claim(pk, "supervised_at", now, due_at__lt=now)
                if locked is None:
                    continue
                _system_event(
                    locked,
                    action=Action.SUPERVISION_NOTICE,
                    data={"due_at": locked.due_at.isoformat(), "status": locked.status},
                    at=now,
                )
                _notify_handlers(
                    locked,
                    subject=_("督办函：%(ref)s") % {"ref": locked.reference},
                    body=_("投诉 %(ref)s 已于 %(due)s 超期，请立即办理并反馈信用办。")
                    % {"ref": locked.reference, "due": local_date(locked.due_at).isoformat()},
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
                locked = _claim(pk, "escalated_at", now, due_at=due_at)
                if locked is None:
                    continue
                _system_event(
                    locked,
                    action=Action.LEADER_INTERVIEW,
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
