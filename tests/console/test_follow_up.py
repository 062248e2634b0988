"""回访 (deliverable 4): the credit office's list of closed cases to call back — dissatisfied
ones with the comment, unrated ones after N working days — a call recorded as an event that
takes the case off the list, and reopening from there where the transition table allows."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import Action, FollowUpResult, Satisfaction, Status
from complaints.models import Complaint, ComplaintEvent, Feedback
from complaints.services.follow_up import complaint_follow_up
from complaints.services.tracking import feedback_submit
from tests.agencies.factories import StaffFactory
from tests.complaints.test_workflow_helpers import complaint_in, officer

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _closed_days_ago(case, days):
    Complaint.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def closed_cases(settings):
    """A dissatisfied case and one closed long ago without a rating: both to be called."""
    settings.FOLLOW_UP_UNRATED_WORKDAYS = 3
    dissatisfied = complaint_in(Status.UNFOUNDED)
    feedback_submit(
        complaint=dissatisfied, satisfaction=Satisfaction.DISSATISFIED, comment="理由没有依据"
    )
    silent_old = complaint_in(Status.REJECTED)
    _closed_days_ago(silent_old, 20)
    return {"dissatisfied": dissatisfied, "silent_old": silent_old}


def listed(client) -> list[str]:
    return [c.reference for c in client.get("/console/follow-up/").context["page"].object_list]


def test_list_holds_dissatisfied_first_then_unrated_after_n_working_days(closed_cases):
    c = closed_cases
    satisfied = complaint_in(Status.REJECTED)
    feedback_submit(complaint=satisfied, satisfaction=Satisfaction.SATISFIED)
    _closed_days_ago(satisfied, 20)
    complaint_in(Status.REJECTED)  # closed just now: not yet due for a call
    withdrawn = complaint_in(Status.WITHDRAWN)  # nobody rates a withdrawn complaint
    _closed_days_ago(withdrawn, 20)
    client = logged_in(officer())
    assert listed(client) == [c["dissatisfied"].reference, c["silent_old"].reference]
    page = client.get("/console/follow-up/").content.decode()
    assert "理由没有依据" in page and "不满意" in page and "未评价" in page
    english = client.get("/console/follow-up/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not rated" in english and "Record follow-up" in english


def test_a_call_is_an_event_and_takes_the_case_off_the_list(closed_cases):
    c = closed_cases
    client = logged_in(officer())
    ref = c["dissatisfied"].reference
    response = client.post(
        f"/console/follow-up/{ref}/",
        {f"{ref}-result": FollowUpResult.UNRESOLVED, f"{ref}-note": "已电话说明认定依据"},
    )
    assert response.status_code == 302
    (event,) = ComplaintEvent.objects.filter(complaint=c["dissatisfied"], action=Action.FOLLOW_UP)
    assert event.data["result"] == FollowUpResult.UNRESOLVED and not event.is_public
    assert not Feedback.objects.get(complaint=c["dissatisfied"]).flagged
    assert ref not in listed(client)
    case_page = client.get(f"/console/c/{ref}/").content.decode()
    assert "回访记录" in case_page and "已联系，投诉人仍不满意" in case_page
    # The unrated one leaves the list once called, too.
    complaint_follow_up(
        complaint=c["silent_old"],
        actor=officer(),
        result=FollowUpResult.NOT_REACHED,
        note="电话无人接听",
    )
    assert listed(client) == []


def test_reopening_from_the_follow_up_list(closed_cases):
    c = closed_cases
    ref = c["dissatisfied"].reference
    response = logged_in(officer()).post(
        f"/console/follow-up/{ref}/",
        {
            f"{ref}-result": FollowUpResult.UNRESOLVED,
            f"{ref}-note": "补充了申报材料",
            f"{ref}-reopen": "on",
        },
    )
    assert response.url == f"/console/c/{ref}/"
    case = Complaint.objects.get(pk=c["dissatisfied"].pk)
    assert case.status == Status.VERIFYING
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == [Action.FOLLOW_UP, Action.REOPEN]


def test_bad_input_changes_nothing_and_only_the_credit_officer_records(closed_cases):
    c = closed_cases
    ref = c["dissatisfied"].reference
    client = logged_in(officer())
    response = client.post(
        f"/console/follow-up/{ref}/", {f"{ref}-result": "called", f"{ref}-note": ""}, follow=True
    )
    assert "回访结果" in response.content.decode()  # the field is named
    with pytest.raises(ValidationError) as exc:  # an open case is not followed up
        complaint_follow_up(
            complaint=complaint_in(Status.VERIFYING),
            actor=officer(),
            result=FollowUpResult.RESOLVED,
            note="x",
        )
    assert "result" in exc.value.message_dict
    assert not ComplaintEvent.objects.filter(action=Action.FOLLOW_UP).exists()
    assert Feedback.objects.get(complaint=c["dissatisfied"]).flagged
    # Only the office is offered the list, and only the credit officer records a call.
    handler = logged_in(StaffFactory(role=StaffRole.HANDLER))
    assert handler.get("/console/follow-up/").status_code == 403
    assert "/console/follow-up/" not in handler.get("/console/").content.decode()
    auditor = logged_in(StaffFactory(role=StaffRole.AUDITOR))
    page = auditor.get("/console/follow-up/").content.decode()
    assert ref in page and "记录回访" not in page
    refused = auditor.post(f"/console/follow-up/{ref}/", {f"{ref}-result": "resolved"})
    assert refused.status_code == 403


def test_follow_up_list_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    client = logged_in(officer())
    client.get("/console/follow-up/")  # warm the session and the calendar
    for _ in range(2):
        case = complaint_in(Status.UNFOUNDED)
        feedback_submit(complaint=case, satisfaction=Satisfaction.DISSATISFIED, comment="不满意")
    # Session, user, the office's region, the page and its count.
    with django_assert_max_num_queries(6):
        assert client.get("/console/follow-up/").status_code == 200
