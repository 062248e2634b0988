import pytest

from complaints.choices import Action, ActorKind, Satisfaction, Status
from complaints.models import ComplaintMessage, Feedback
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_note_add
from tests.complaints import evidence
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db


def url(reference, tail=""):
    return f"/api/v1/track/{reference}/{tail}"


def get(client, complaint, code=None):
    return client.get(url(complaint.reference), HTTP_X_ACCESS_CODE=code or complaint.access_code)


def set_status(complaint, status, *, explanation="核实后情况不属实"):
    """Close a complaint as unfounded or rejected, through the workflow services."""
    handler = handler_of(complaint)
    if status == Status.REJECTED:
        return wf.complaint_reject(complaint=complaint, actor=handler, reason="不属于政务合同纠纷")
    complaint = wf.complaint_accept(complaint=complaint, actor=handler)
    return wf.complaint_find_unfounded(complaint=complaint, actor=handler, explanation=explanation)


def test_right_code_shows_status_in_plain_words_and_public_timeline(api_client):
    complaint = ComplaintFactory()
    complaint_note_add(complaint=complaint, actor=handler_of(complaint), note="内部意见：先查账")
    response = get(api_client, complaint)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == complaint.reference
    assert body["status"] == Status.ROUTED
    assert body["status_explanation"]
    assert [item["status"] for item in body["timeline"]] == [Status.PENDING_ROUTING, Status.ROUTED]
    assert set(body["timeline"][0]) == {"at", "status", "message"}
    assert "内部意见" not in response.content.decode()
    assert "contact_phone" not in body


def test_code_is_accepted_grouped_and_in_lower_case(api_client):
    complaint = ComplaintFactory()
    code = complaint.access_code
    grouped = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    assert get(api_client, complaint, grouped).status_code == 200


def test_unknown_reference_and_wrong_code_give_the_same_404(api_client):
    complaint = ComplaintFactory()
    wrong = api_client.get(url(complaint.reference), HTTP_X_ACCESS_CODE="2" * 12)
    unknown = api_client.get(url("2099-999999"), HTTP_X_ACCESS_CODE=complaint.access_code)
    no_code = api_client.get(url(complaint.reference))
    assert wrong.status_code == unknown.status_code == no_code.status_code == 404
    assert wrong.json() == unknown.json() == no_code.json()


def test_explanation_is_shown_when_unfounded(api_client):
    complaint = ComplaintFactory()
    set_status(complaint, Status.UNFOUNDED, explanation="款项已于3月支付，附银行回单。")
    body = get(api_client, complaint).json()
    assert body["status"] == Status.UNFOUNDED
    assert body["explanation"] == "款项已于3月支付，附银行回单。"


def test_wrong_codes_are_throttled_per_client(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"track": "3/min"},
    }
    complaints = [ComplaintFactory() for _ in range(4)]
    codes = [
        api_client.get(url(c.reference), HTTP_X_ACCESS_CODE="2" * 12).status_code
        for c in complaints
    ]
    assert codes == [404, 404, 404, 429]
    # Even the right code is refused while the client is over its limit.
    assert get(api_client, complaints[0]).status_code == 429


def test_wrong_codes_from_many_addresses_never_lock_the_complainant_out(settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"track": "2/min"},
    }
    complaint = ComplaintFactory()
    # A respondent sees the sequential references and tries codes from twenty addresses.
    statuses = {
        APIClient(REMOTE_ADDR=f"10.0.0.{i}")
        .get(url(complaint.reference), HTTP_X_ACCESS_CODE="2" * 12)
        .status_code
        for i in range(20)
    }
    assert statuses == {404}
    owner = APIClient(REMOTE_ADDR="192.0.2.7")
    assert (
        owner.get(url(complaint.reference), HTTP_X_ACCESS_CODE=complaint.access_code).status_code
        == 200
    )


def test_complainant_adds_a_message_with_evidence(api_client):
    complaint = ComplaintFactory()
    response = api_client.post(
        url(complaint.reference, "messages/"),
        {"body": "补充付款凭证", "files": [evidence.pdf("凭证.pdf")]},
        format="multipart",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert response.status_code == 201, response.content
    message = ComplaintMessage.objects.get(complaint=complaint)
    assert message.body == "补充付款凭证"
    assert complaint.attachments.count() == 1
    body = get(api_client, complaint).json()
    assert body["messages"][0]["body"] == "补充付款凭证"


def test_message_with_wrong_code_is_404_and_stores_nothing(api_client):
    complaint = ComplaintFactory()
    response = api_client.post(
        url(complaint.reference, "messages/"),
        {"body": "x"},
        format="json",
        HTTP_X_ACCESS_CODE="2" * 12,
    )
    assert response.status_code == 404
    assert not ComplaintMessage.objects.exists()


@pytest.mark.parametrize("routed", [True, False])
def test_withdraw_before_a_finding_closes_the_case_with_a_public_event(api_client, routed):
    complaint = ComplaintFactory(routed=routed)
    response = api_client.post(
        url(complaint.reference, "withdraw/"),
        {"reason": "已收到款项"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert response.status_code == 200, response.content
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.closed_at is not None
    event = complaint.events.order_by("-seq").first()
    assert (event.action, event.actor_kind, event.is_public) == (
        Action.WITHDRAW,
        ActorKind.COMPLAINANT,
        True,
    )
    assert response.json()["timeline"][-1]["status"] == Status.WITHDRAWN


def test_withdraw_after_a_finding_is_a_409_and_changes_nothing(api_client):
    complaint = ComplaintFactory()
    set_status(complaint, Status.UNFOUNDED)
    events = complaint.events.count()
    response = api_client.post(
        url(complaint.reference, "withdraw/"),
        {"reason": "x"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    complaint.refresh_from_db()
    assert complaint.status == Status.UNFOUNDED
    assert complaint.events.count() == events


def test_feedback_on_an_open_case_is_refused(api_client):
    complaint = ComplaintFactory()
    response = api_client.post(
        url(complaint.reference, "feedback/"),
        {"satisfaction": "satisfied"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert response.status_code == 409
    assert not Feedback.objects.exists()


def test_feedback_once_on_a_closed_case_and_dissatisfied_is_flagged(api_client):
    complaint = ComplaintFactory()
    set_status(complaint, Status.UNFOUNDED)
    post = lambda s: api_client.post(  # noqa: E731
        url(complaint.reference, "feedback/"),
        {"satisfaction": s, "comment": "没解决"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    first = post(Satisfaction.DISSATISFIED)
    assert first.status_code == 201, first.content
    feedback = Feedback.objects.get(complaint=complaint)
    assert feedback.flagged
    flag_event = complaint.events.get(action=Action.FEEDBACK)
    assert not flag_event.is_public
    assert post(Satisfaction.SATISFIED).status_code == 409
    assert Feedback.objects.get().satisfaction == Satisfaction.DISSATISFIED


def test_satisfied_feedback_is_not_flagged(api_client):
    complaint = ComplaintFactory()
    set_status(complaint, Status.REJECTED)
    api_client.post(
        url(complaint.reference, "feedback/"),
        {"satisfaction": "neutral"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert Feedback.objects.get().flagged is False


def test_feedback_on_a_withdrawn_case_is_refused(api_client):
    complaint = ComplaintFactory()
    api_client.post(
        url(complaint.reference, "withdraw/"),
        {"reason": "x"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    response = api_client.post(
        url(complaint.reference, "feedback/"),
        {"satisfaction": "satisfied"},
        format="json",
        HTTP_X_ACCESS_CODE=complaint.access_code,
    )
    assert response.status_code == 409
