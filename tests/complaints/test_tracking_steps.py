"""Tracking shows where the case stands: the steps with their dates, the current due date,
who holds the case, who wrote each message, and an SMS/e-mail when staff reply."""

import pytest

from complaints.choices import NotificationChannel, Satisfaction, Status
from complaints.models import Notification
from complaints.notices import notice_text
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_reply
from complaints.services.tracking import complaint_public_view, feedback_submit
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db


def states(view) -> dict:
    return {step["key"]: step["state"] for step in view["steps"]}


def test_a_routed_case_waits_for_acceptance_by_its_handler_with_a_due_date():
    complaint = ComplaintFactory()
    view = complaint_public_view(complaint)
    assert states(view) == {
        "submitted": "done",
        "routed": "done",
        "verifying": "current",
        "result": "upcoming",
        "feedback": "upcoming",
    }
    assert view["steps"][0]["at"] == complaint.submitted_at
    assert view["holder"] == complaint.handling_agency.name
    assert view["due_at"] == complaint.due_at is not None


def test_an_unrouted_case_is_with_the_credit_office():
    view = complaint_public_view(ComplaintFactory(routed=False))
    assert states(view)["routed"] == "current"
    assert view["holder"] == "信用办（确定承办单位）"


def test_a_founded_case_shows_the_branch_and_stays_current_until_rectified():
    complaint = ComplaintFactory()
    handler = handler_of(complaint)
    complaint = wf.complaint_accept(complaint=complaint, actor=handler)
    complaint = wf.complaint_find_founded(complaint=complaint, actor=handler, note="属实")
    view = complaint_public_view(complaint)
    result = view["steps"][3]
    assert (result["state"], result["detail"]) == ("current", "整改中")
    assert result["at"] is not None
    assert states(view)["verifying"] == "done"


def test_a_closed_case_asks_for_the_rating_then_every_step_is_done():
    complaint = ComplaintFactory()
    handler = handler_of(complaint)
    complaint = wf.complaint_accept(complaint=complaint, actor=handler)
    complaint = wf.complaint_find_unfounded(
        complaint=complaint, actor=handler, explanation="款项已支付"
    )
    view = complaint_public_view(complaint)
    assert states(view)["feedback"] == "current"
    assert view["due_at"] is None
    assert view["holder"] == "已办结"
    feedback_submit(complaint=complaint, satisfaction=Satisfaction.SATISFIED, comment="及时")
    view = complaint_public_view(complaint)
    assert set(states(view).values()) == {"done"}
    assert view["steps"][3]["detail"] == "不属实"


def test_a_rejected_case_skips_the_steps_it_never_reached():
    complaint = ComplaintFactory()
    complaint = wf.complaint_reject(
        complaint=complaint, actor=handler_of(complaint), reason="不属于政务合同"
    )
    view = complaint_public_view(complaint)
    assert states(view) == {
        "submitted": "done",
        "routed": "done",
        "verifying": "skipped",
        "result": "done",
        "feedback": "skipped",
    }
    assert view["steps"][3]["detail"] == str(Status.REJECTED.label)


def test_a_staff_reply_is_labelled_with_its_role_and_the_complainant_is_told(client):
    complaint = ComplaintFactory()
    before = Notification.objects.filter(complaint=complaint).count()
    complaint_reply(complaint=complaint, actor=handler_of(complaint), body="请补充验收单。")
    notices = Notification.objects.filter(complaint=complaint).order_by("id")[before:]
    assert {n.channel for n in notices} == {NotificationChannel.SMS, NotificationChannel.EMAIL}
    for notice in notices:
        text = notice_text(notice)[1]
        assert "承办单位" in text and f"/track/{complaint.reference}/" in text
        assert "请补充验收单" not in text  # the message stays behind the access code
    client.post("/track/", {"reference": complaint.reference, "access_code": complaint.access_code})
    page = client.get(f"/track/{complaint.reference}/").content.decode()
    assert 'data-sender="handler"><strong class="sender">承办单位</strong>' in page
    assert 'id="stepper"' in page and 'aria-current="step"' in page
    assert 'id="track-due"' in page
