"""复核: the complainant asks for a review of an unfounded finding within 15 working days; the
credit office decides (upheld → verifying again; refused → the reason on the timeline)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from complaints.choices import Status
from complaints.models import Complaint
from complaints.services import workflow as wf
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of, officer

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
FOUND_UNFOUNDED = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SH)  # a Monday


def _unfounded():
    with time_machine.travel(FOUND_UNFOUNDED, tick=False):
        c = ComplaintFactory()
        handler = handler_of(c)
        wf.complaint_accept(complaint=c, actor=handler)
        wf.complaint_find_unfounded(complaint=c, actor=handler, explanation="款项已支付")
    code = c.access_code
    c = Complaint.objects.get(pk=c.pk)
    c.access_code = code
    return c


def _ask(api_client, c, reason="核实时未联系我方，付款凭证有误"):
    return api_client.post(
        f"/api/v1/track/{c.reference}/review/",
        {"reason": reason},
        format="json",
        HTTP_X_ACCESS_CODE=c.access_code,
    )


def test_a_review_asked_in_time_and_upheld_sends_the_case_back_to_verification(
    api_client, client_for
):
    c = _unfounded()
    # 15 working days after Mon 16 Nov 2026 is Mon 7 Dec.
    with time_machine.travel(dt.datetime(2026, 12, 7, 16, 0, tzinfo=SH), tick=False):
        response = _ask(api_client, c)
        assert response.status_code == 200, response.content
        assert response.json()["can_request_review"] is False
        decided = client_for(officer()).post(
            f"/api/v1/complaints/{c.reference}/decide_review/",
            {"upheld": True, "reason": "核实程序不完整"},
            format="json",
        )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == Status.VERIFYING
    c.refresh_from_db()
    assert c.review_requested_at is None
    assert list(c.events.order_by("-seq").values_list("action", flat=True)[:2]) == [
        "decide_review",
        "request_review",
    ]


def test_a_refused_review_keeps_the_finding_and_puts_the_reason_on_the_timeline(
    api_client, client_for
):
    c = _unfounded()
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH), tick=False):
        assert _ask(api_client, c).status_code == 200
        decided = client_for(officer()).post(
            f"/api/v1/complaints/{c.reference}/decide_review/",
            {"upheld": False, "reason": "款项已于合同约定日支付"},
            format="json",
        )
        assert decided.status_code == 200
        assert decided.json()["status"] == Status.UNFOUNDED
        track = api_client.get(
            f"/api/v1/track/{c.reference}/", HTTP_X_ACCESS_CODE=c.access_code
        ).json()
    assert any("款项已于合同约定日支付" in item["message"] for item in track["timeline"])


def test_a_review_after_15_working_days_is_409_and_changes_nothing(api_client):
    c = _unfounded()
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 0, tzinfo=SH), tick=False):
        events = c.events.count()
        response = _ask(api_client, c)
    assert response.status_code == 409
    assert c.events.count() == events


def test_a_review_of_a_case_not_unfounded_is_409(api_client):
    c = ComplaintFactory()
    assert _ask(api_client, c).status_code == 409  # routed
    wf.complaint_accept(complaint=c, actor=handler_of(c))
    assert _ask(api_client, c).status_code == 409  # verifying


def test_asking_twice_is_409_and_deciding_without_a_request_is_409(api_client, client_for):
    c = _unfounded()
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH), tick=False):
        assert _ask(api_client, c).status_code == 200
        assert _ask(api_client, c).status_code == 409
    other = _unfounded()
    response = client_for(officer()).post(
        f"/api/v1/complaints/{other.reference}/decide_review/",
        {"upheld": True, "reason": "x"},
        format="json",
    )
    assert response.status_code == 409


def test_a_review_needs_a_reason(api_client):
    c = _unfounded()
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH), tick=False):
        response = _ask(api_client, c, reason="")
    assert response.status_code == 400
    assert "reason" in response.json()
