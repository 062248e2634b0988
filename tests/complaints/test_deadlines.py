import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import Domain
from complaints.models import Complaint, Notification
from complaints.services import clock, deadlines, supervision
from complaints.services import workflow as wf
from integrity_portal.api import NotEligible
from integrity_portal.models import TimeLimitPolicy
from integrity_portal.workdays import add_workdays
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
EVE_OF_NATIONAL_DAY = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)


def _local_day(moment):
    return timezone.localtime(moment).date()


def test_default_policies_are_seeded_by_migration():
    default = TimeLimitPolicy.objects.get(domain="")
    arrears = TimeLimitPolicy.objects.get(domain=Domain.PAYMENT_ARREARS)
    assert (default.acceptance_workdays, default.verification_workdays) == (2, 10)
    assert (arrears.result_days, arrears.result_max_days) == (30, 90)
    assert default.rectification_days == 30


@time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False)
def test_acceptance_deadline_set_at_submission_counts_working_days_across_golden_week():
    c = ComplaintFactory(domain=Domain.PROCUREMENT)
    c.refresh_from_db()
    assert _local_day(c.due_at) == dt.date(2026, 10, 9)
    route = c.events.get(action="route")
    assert route.data["deadline"]["workdays"] == 2
    assert supervision.sweep_missing_due() == 0


@time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False)
def test_sweep_gives_a_routed_case_without_due_date_its_acceptance_deadline():
    c = ComplaintFactory(domain=Domain.PROCUREMENT)
    Complaint.objects.filter(pk=c.pk).update(due_at=None)
    assert supervision.sweep_missing_due() == 1
    c.refresh_from_db()
    assert _local_day(c.due_at) == dt.date(2026, 10, 9)
    assert supervision.sweep_missing_due() == 0


@time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False)
def test_verification_deadline_is_ten_working_days_and_the_basis_is_explained():
    c = ComplaintFactory(domain=Domain.PROCUREMENT)
    c = wf.complaint_accept(complaint=c, actor=handler_of(c))
    assert _local_day(c.due_at) == add_workdays(dt.date(2026, 9, 30), 10) == dt.date(2026, 10, 20)
    history = deadlines.deadline_history(c.events.order_by("seq"))
    assert history[-1]["basis"]["rule"] == "verification"
    assert "10 个工作日" in history[-1]["text"]


@time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False)
def test_payment_arrears_result_is_due_30_days_after_routing_and_extends_to_90_at_most():
    c = ComplaintFactory(domain=Domain.PAYMENT_ARREARS)
    h = handler_of(c)
    c = wf.complaint_accept(complaint=c, actor=h)
    assert _local_day(c.due_at) == dt.date(2026, 10, 30)
    c = clock.complaint_clock_extend(
        complaint=c, actor=h, amount=60, reason="需第三方审计", approver="分管副局长"
    )
    assert _local_day(c.due_at) == dt.date(2026, 12, 29)
    version = c.version
    with pytest.raises(NotEligible):
        clock.complaint_clock_extend(complaint=c, actor=h, amount=1, reason="再延", approver="x")
    c.refresh_from_db()
    assert c.version == version and _local_day(c.due_at) == dt.date(2026, 12, 29)
    extend = c.events.filter(action="extend").get()
    assert extend.data["deadline"]["approver"] == "分管副局长"


def test_pause_and_resume_move_the_due_date_by_the_working_days_paused():
    with time_machine.travel(dt.datetime(2026, 9, 14, 9, 0, tzinfo=SH), tick=False):
        c = ComplaintFactory(domain=Domain.PROCUREMENT)
        h = handler_of(c)
        c = wf.complaint_accept(complaint=c, actor=h)
        due = _local_day(c.due_at)
        c = clock.complaint_clock_pause(complaint=c, actor=h, reason="等待投诉人补充合同")
        assert c.clock_paused_at is not None
    with time_machine.travel(dt.datetime(2026, 9, 21, 9, 0, tzinfo=SH), tick=False):
        c = clock.complaint_clock_resume(complaint=c, actor=h)
    # Paused Mon 14th → Mon 21st: 14-18 and Sunday 20th (调休) = 6 working days lost.
    assert c.clock_paused_at is None
    assert _local_day(c.due_at) == add_workdays(due, 6)
    actions = list(c.events.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["pause", "resume"]


def test_clock_events_outside_a_timed_stage_are_refused():
    from integrity_portal.api import InvalidTransition

    c = ComplaintFactory(routed=False)
    c = wf.complaint_reject(complaint=c, actor=_officer(), reason="非政务合同")
    with pytest.raises(InvalidTransition):
        clock.complaint_clock_pause(complaint=c, actor=_officer(), reason="x")


def _officer():
    from tests.complaints.test_workflow_helpers import officer

    return officer()


def _routed_with_due(due: dt.datetime, started: dt.datetime) -> Complaint:
    c = ComplaintFactory(domain=Domain.PROCUREMENT)
    h = handler_of(c)
    h.email = "handler@example.invalid"
    h.save()
    Complaint.objects.filter(pk=c.pk).update(due_at=due, stage_started_at=started)
    return Complaint.objects.get(pk=c.pk)


def test_reminder_is_sent_once_per_due_date_and_a_rerun_does_nothing():
    now = timezone.now()
    c = _routed_with_due(now + dt.timedelta(hours=20), now - dt.timedelta(days=1))
    assert supervision.sweep_reminders(now=now) == 1
    assert supervision.sweep_reminders(now=now) == 0
    assert c.events.filter(action="reminder", is_public=False).count() == 1
    assert (
        Notification.objects.filter(complaint=c, recipient="handler@example.invalid").count() == 1
    )


def test_overdue_case_gets_one_supervision_notice_then_escalation_after_a_second_period():
    now = timezone.now()
    c = _routed_with_due(now - dt.timedelta(days=1), now - dt.timedelta(days=4))
    first = supervision.sweep_deadlines(now=now)
    second = supervision.sweep_deadlines(now=now)
    assert first["supervision_notices"] == 1 and second["supervision_notices"] == 0
    c.refresh_from_db()
    assert c.supervised_at is not None and c.escalated_at is None
    assert c.events.filter(action="supervision_notice").count() == 1
    assert Notification.objects.filter(complaint=c, subject__startswith="督办函").count() == 1
    later = now + dt.timedelta(days=3)
    assert supervision.sweep_escalation(now=later) == 1
    assert supervision.sweep_escalation(now=later) == 0
    c.refresh_from_db()
    assert c.escalated_at is not None


def test_paused_and_closed_cases_are_not_supervised():
    now = timezone.now()
    paused = _routed_with_due(now - dt.timedelta(days=1), now - dt.timedelta(days=4))
    Complaint.objects.filter(pk=paused.pk).update(clock_paused_at=now - dt.timedelta(days=2))
    closed = _routed_with_due(now - dt.timedelta(days=1), now - dt.timedelta(days=4))
    wf.complaint_reject(complaint=closed, actor=handler_of(closed), reason="不属于受理范围")
    assert supervision.sweep_supervision(now=now) == 0


def test_the_beat_task_runs_the_sweep():
    from django.conf import settings

    from complaints.tasks import deadline_sweep

    names = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "complaints.tasks.deadline_sweep" in names
    assert set(deadline_sweep.apply().get()) == {
        "due_dates_set",
        "reminders",
        "supervision_notices",
        "escalations",
    }


def test_a_new_stage_resets_supervision_so_its_own_clock_is_supervised():
    now = timezone.now()
    c = _routed_with_due(now - dt.timedelta(days=1), now - dt.timedelta(days=4))
    supervision.sweep_supervision(now=now)
    c = wf.complaint_accept(complaint=Complaint.objects.get(pk=c.pk), actor=handler_of(c))
    assert c.supervised_at is None and c.due_at > now


@time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=SH), tick=False)
def test_a_case_waiting_for_routing_is_due_in_ten_working_days_and_supervised():
    # 保障中小企业款项支付条例 第二十五条: passed on within 10 working days.
    c = ComplaintFactory(routed=False)
    c.refresh_from_db()
    assert c.status == "pending_routing"
    assert _local_day(c.due_at) == add_workdays(dt.date(2026, 11, 16), 10)
    assert c.events.get(action="submit").data["deadline"]["rule"] == "routing"
    later = c.due_at + dt.timedelta(days=1)
    assert supervision.sweep_supervision(now=later) == 1
    c.refresh_from_db()
    assert c.supervised_at is not None


def test_pauses_never_take_an_arrears_case_past_90_days_from_routing():
    # 第二十五条: 30 days, extendable to 90 in total, pauses included (DESIGN section 12).
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH), tick=False):
        c = ComplaintFactory(domain=Domain.PAYMENT_ARREARS)
        h = handler_of(c)
        c = wf.complaint_accept(complaint=c, actor=h)
        assert _local_day(c.due_at) == dt.date(2026, 2, 4)
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=SH), tick=False):
        c = clock.complaint_clock_pause(complaint=c, actor=h, reason="等待补充材料")
    with time_machine.travel(dt.datetime(2026, 4, 30, 9, 0, tzinfo=SH), tick=False):
        c = clock.complaint_clock_resume(complaint=c, actor=h)
    # 110 days paused would give 25 May; the cap is 5 January + 90 days = 5 April.
    assert _local_day(c.due_at) == dt.date(2026, 4, 5)
    assert c.events.filter(action="resume").get().data["deadline"]["capped"] == 90
    with pytest.raises(NotEligible):
        clock.complaint_clock_extend(complaint=c, actor=h, amount=1, reason="再延", approver="x")


@time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=SH), tick=False)
def test_the_reminder_lead_is_read_from_the_policy():
    now = timezone.now()
    due = deadlines.end_of_day(dt.date(2026, 11, 19))  # 3 working days ahead
    c = _routed_with_due(due, now - dt.timedelta(days=1))
    assert supervision.sweep_reminders(now=now) == 0  # the default lead: 2 working days
    TimeLimitPolicy.objects.create(domain=Domain.PROCUREMENT, reminder_workdays=5)
    assert supervision.sweep_reminders(now=now) == 1
    assert c.events.filter(action="reminder").count() == 1
