import datetime as dt

import pytest
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import TRANSITIONS, Action, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services.supervision import sweep_supervision
from complaints.services.tracking import complaint_withdraw
from integrity_portal.models import AccessLog
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import complaint_in, future, handler_of

pytestmark = pytest.mark.django_db

API_ACTIONS = [a for a in TRANSITIONS if a != Action.WITHDRAW]


def body_for(action: str) -> dict:
    return {
        Action.ACCEPT: {},
        Action.REROUTE: {"handling_agency": AgencyFactory().pk, "reason": "改派"},
        Action.REJECT: {"reason": "非政务合同"},
        Action.FIND_UNFOUNDED: {"explanation": "已支付"},
        Action.FIND_FOUNDED: {"note": "属实", "rectification_due": str(future(20))},
        Action.FIND_DISPUTED: {"note": "有分歧"},
        Action.RECORD_RECTIFIED: {"note": "已整改"},
        Action.RECORD_SETTLEMENT: {"note": "已和解"},
        Action.REFER_TO_LITIGATION: {"note": "已起诉"},
        Action.RECORD_JUDGMENT: {"outcome": "agency_prevails", "note": "驳回"},
        Action.DETERMINE_BREACH: {"severity": "general", "facts": "拒不整改"},
        Action.REOPEN: {"reason": "复查"},
    }[action]


def url(c, action=None):
    base = f"/api/v1/complaints/{c.reference}/"
    return f"{base}{action}/" if action else base


def _state(c):
    row = Complaint.objects.get(pk=c.pk)
    return (row.status, row.version, row.handling_agency_id, row.due_at, row.events.count())


@pytest.mark.parametrize("status", Status.values)
def test_every_action_outside_the_table_is_409_and_writes_nothing(status, client_for, superuser):
    c = complaint_in(status)
    client = client_for(superuser)
    for action in API_ACTIONS:
        if status in TRANSITIONS[action][0]:
            continue
        before = _state(c)
        response = client.post(url(c, action), body_for(action), format="json")
        assert response.status_code == 409, (status, action, response.content)
        assert response.json()["code"] == "invalid_transition"
        assert _state(c) == before


@pytest.mark.parametrize("action", API_ACTIONS)
def test_every_allowed_action_returns_the_detail(action, client_for, credit_officer):
    allowed_from, _target = TRANSITIONS[action]
    c = complaint_in(sorted(allowed_from)[0])
    response = client_for(credit_officer).post(url(c, action), body_for(action), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["reference"] == c.reference
    assert data["status"] == Complaint.objects.get(pk=c.pk).status != sorted(allowed_from)[0]
    for field in ("status", "handling_agency", "respondent_agency", "due_at"):
        assert field in data


def test_anonymous_wrong_scope_wrong_role_and_allowed(client_for):
    c = complaint_in(Status.ROUTED)
    assert client_for(None).post(url(c, "accept"), {}, format="json").status_code in (401, 403)
    assert client_for(None).get(url(c)).status_code in (401, 403)
    stranger = StaffFactory(role=StaffRole.HANDLER)
    assert client_for(stranger).post(url(c, "accept"), {}, format="json").status_code == 404
    assert client_for(stranger).get(url(c)).status_code == 404
    auditor = StaffFactory(role=StaffRole.AUDITOR)
    assert client_for(auditor).get(url(c)).status_code == 200
    assert client_for(auditor).post(url(c, "accept"), {}, format="json").status_code == 403
    h = handler_of(c)
    reroute = client_for(h).post(url(c, "reroute"), body_for(Action.REROUTE), format="json")
    assert reroute.status_code == 403
    assert Complaint.objects.get(pk=c.pk).status == Status.ROUTED
    assert client_for(h).post(url(c, "accept"), {}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("status", "action", "body", "field"),
    [
        (Status.VERIFYING, "find_unfounded", {}, "explanation"),
        (Status.VERIFYING, "find_founded", {"note": ""}, "note"),
        (Status.VERIFYING, "find_founded", {"note": "x", "rectification_due": "2001-01-01"}, None),
        (Status.ROUTED, "reject", {}, "reason"),
        (Status.ROUTED, "reroute", {"reason": "x"}, "handling_agency"),
        (Status.LITIGATION, "record_judgment", {"outcome": "draw", "note": "x"}, "outcome"),
        (Status.RECTIFYING, "determine_breach", {"severity": "huge", "facts": "x"}, "severity"),
        (Status.RECTIFYING, "determine_breach", {"severity": "minor"}, "facts"),
        (Status.RECTIFIED, "reopen", {}, "reason"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(status, action, body, field, client_for, superuser):
    c = complaint_in(status)
    before = _state(c)
    response = client_for(superuser).post(url(c, action), body, format="json")
    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()
    assert _state(c) == before


def test_reroute_to_same_or_inactive_agency_is_400(client_for, credit_officer):
    c = complaint_in(Status.ROUTED)
    client = client_for(credit_officer)
    same = {"handling_agency": c.handling_agency_id, "reason": "x"}
    inactive = {"handling_agency": AgencyFactory(is_active=False).pk, "reason": "x"}
    for body in (same, inactive):
        assert client.post(url(c, "reroute"), body, format="json").status_code == 400
    assert _state(c)[0] == Status.ROUTED


def test_stale_version_in_body_is_409_stale(client_for):
    c = complaint_in(Status.ROUTED)
    response = client_for(handler_of(c)).post(
        url(c, "accept"), {"version": c.version + 5}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"


def test_contact_data_hidden_from_liaison_without_consent_and_views_are_logged(client_for):
    c = complaint_in(Status.ROUTED)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=c.respondent_agency)
    data = client_for(liaison).get(url(c)).json()
    assert data["contact_phone"] is None and data["contact_name"] is None
    assert not AccessLog.objects.exists()
    data = client_for(handler_of(c)).get(url(c)).json()
    assert data["contact_phone"] == c.contact_phone
    assert AccessLog.objects.filter(object_ref=c.reference, what="complainant_contact").count() == 1
    consented = ComplaintFactory(consent_to_share_contact=True)
    liaison2 = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=consented.respondent_agency)
    assert client_for(liaison2).get(url(consented)).json()["contact_phone"]


def test_list_is_scoped_per_role(client_for):
    mine = complaint_in(Status.ROUTED)
    other = complaint_in(Status.ROUTED)
    h = handler_of(mine)
    refs = {r["reference"] for r in client_for(h).get("/api/v1/complaints/").json()["results"]}
    assert refs == {mine.reference}
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=other.respondent_agency)
    refs = {
        r["reference"] for r in client_for(liaison).get("/api/v1/complaints/").json()["results"]
    }
    assert refs == {other.reference}
    clerk = StaffFactory(role=StaffRole.INTAKE_CLERK)
    assert client_for(clerk).get("/api/v1/complaints/").json()["count"] == 0
    auditor = StaffFactory(role=StaffRole.AUDITOR)
    assert client_for(auditor).get("/api/v1/complaints/").json()["count"] == 2


def test_list_filters(client_for, superuser):
    routed = complaint_in(Status.ROUTED, domain="procurement", title="采购款未付")
    verifying = complaint_in(Status.VERIFYING)
    client = client_for(superuser)

    def refs(**params):
        response = client.get("/api/v1/complaints/", params)
        assert response.status_code == 200, response.content
        return {r["reference"] for r in response.json()["results"]}

    assert refs(status=["routed", "verifying"]) == {routed.reference, verifying.reference}
    assert refs(status="verifying") == {verifying.reference}
    assert refs(domain="procurement") == {routed.reference}
    assert refs(respondent_agency=routed.respondent_agency_id) == {routed.reference}
    assert refs(handling_agency=verifying.handling_agency_id) == {verifying.reference}
    assert refs(q="采购款") == {routed.reference}
    assert refs(q=verifying.reference) == {verifying.reference}
    assert refs(submitted_after=str(future(1))) == set()
    assert refs(submitted_before=str(future(0))) == {routed.reference, verifying.reference}
    assert refs(overdue="true") == set()
    Complaint.objects.filter(pk=routed.pk).update(due_at="2020-01-01T00:00:00+08:00")
    assert refs(overdue="true") == {routed.reference}


def test_list_costs_a_fixed_number_of_queries(client_for, superuser, django_assert_max_num_queries):
    client = client_for(superuser)
    for _ in range(5):
        complaint_in(Status.ROUTED)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/complaints/").status_code == 200
    for _ in range(45):
        ComplaintFactory()
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/complaints/").json()["count"] == 50


def test_events_cannot_be_changed_through_querysets():
    from django.core.exceptions import ValidationError

    c = complaint_in(Status.VERIFYING)
    with pytest.raises(ValidationError):
        ComplaintEvent.objects.filter(complaint=c).update(note="x")
    with pytest.raises(ValidationError):
        ComplaintEvent.objects.filter(complaint=c).delete()
    event = ComplaintEvent.objects.filter(complaint=c).first()
    event.note = "x"
    with pytest.raises(ValidationError):
        event.save()


def test_a_handler_acting_in_english_writes_no_english_into_the_complainants_timeline(
    client_for,
):
    complaint = ComplaintFactory()
    handler = handler_of(complaint)
    response = client_for(handler).post(
        url(complaint, "reject"), {"reason": "非政务合同"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content
    event = ComplaintEvent.objects.filter(complaint=complaint).order_by("-seq").first()
    assert event.message == ""  # a code and its parameters are stored, not a sentence
    assert event.data == {"reason": "非政务合同"}
    track = f"/api/v1/track/{complaint.reference}/"
    chinese = client_for(None).get(track, HTTP_X_ACCESS_CODE=complaint.access_code).json()
    english = (
        client_for(None)
        .get(track, HTTP_X_ACCESS_CODE=complaint.access_code, HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert chinese["timeline"][-1]["message"] == "不予受理：非政务合同"
    assert english["timeline"][-1]["message"].startswith("Rejected")
    assert all("已转交" not in item["message"] for item in english["timeline"])


@pytest.mark.parametrize("action", ["pause", "resume", "extend"])
def test_the_clock_verbs_answer_through_the_api_without_a_server_error(client_for, action):
    complaint = complaint_in(Status.VERIFYING)
    client = client_for(handler_of(complaint))
    if action == "resume":
        client.post(url(complaint, "pause"), {"reason": "等待补充材料"}, format="json")
    body = {"reason": "等待补充材料", "amount": 5, "approver": "分管领导"}
    response = client.post(url(complaint, action), body, format="json")
    assert response.status_code == 200, response.content
    assert ComplaintEvent.objects.filter(complaint=complaint, action=action).count() == 1
    wrong_state = client.post(url(complaint_in(Status.RECTIFIED), action), body, format="json")
    assert wrong_state.status_code in (404, 409)


def test_a_withdrawal_clears_the_clock_and_the_supervision_of_the_stage():
    complaint = complaint_in(Status.VERIFYING)
    sweep_supervision(now=timezone.now() + dt.timedelta(days=60))
    complaint.refresh_from_db()
    assert complaint.supervised_at is not None
    complaint = complaint_withdraw(complaint=complaint, reason="已解决")
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.status == Status.WITHDRAWN
    assert (stored.due_at, stored.supervised_at, stored.clock_paused_at) == (None, None, None)
    assert stored.closed_at is not None
