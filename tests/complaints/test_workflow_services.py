import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from agencies.choices import StaffRole
from complaints.choices import CLOSED_STATUSES, Action, JudgmentOutcome, Severity, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services import workflow as wf
from complaints.services.conversation import complaint_note_add, complaint_reply
from complaints.timeline import public_text
from integrity_portal.api import InvalidTransition, StaleObject
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import complaint_in, future, handler_of, officer

pytestmark = pytest.mark.django_db


def _snapshot(c):
    c = Complaint.objects.get(pk=c.pk)
    return (c.status, c.version, c.due_at, ComplaintEvent.objects.filter(complaint=c).count())


def test_handler_accepts_a_routed_case_and_an_event_is_written():
    c = ComplaintFactory()
    h = handler_of(c)
    version = c.version
    c = wf.complaint_accept(complaint=c, actor=h)
    assert c.status == Status.VERIFYING
    assert c.version == version + 1
    assert c.due_at is not None
    event = c.events.order_by("-seq").first()
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        Action.ACCEPT,
        Status.ROUTED,
        Status.VERIFYING,
        h.pk,
    )
    assert event.is_public and public_text(event) == "承办单位已受理，正在核实。"


def test_full_founded_path_ends_rectified_with_closed_at_and_to_status():
    c = complaint_in(Status.RECTIFIED)
    assert c.status == Status.RECTIFIED and c.closed_at is not None and c.due_at is None
    last = c.events.order_by("-seq").first()
    assert last.to_status == Status.RECTIFIED


def test_settlement_event_carries_to_status_settled():
    c = complaint_in(Status.SETTLED)
    assert c.events.order_by("-seq").first().to_status == Status.SETTLED


def test_breach_event_carries_severity_and_facts_exactly():
    c = complaint_in(Status.RECTIFYING)
    c = wf.complaint_determine_breach(
        complaint=c, actor=handler_of(c), severity=Severity.SERIOUS, facts="拒不支付"
    )
    event = c.events.order_by("-seq").first()
    assert event.data == {"severity": "serious", "facts": "拒不支付"}
    assert c.status == Status.BREACH and c.severity == Severity.SERIOUS


@pytest.mark.parametrize("closed", sorted(CLOSED_STATUSES - {Status.WITHDRAWN}))
def test_credit_officer_reopens_any_closed_case_but_withdrawn(closed):
    c = complaint_in(closed)
    c = wf.complaint_reopen(complaint=c, actor=officer(), reason="复查发现新证据")
    assert c.status == Status.VERIFYING and c.closed_at is None
    event = c.events.order_by("-seq").first()
    assert (event.action, event.from_status) == (Action.REOPEN, closed)


def test_reopen_of_withdrawn_case_is_refused_and_changes_nothing():
    c = complaint_in(Status.WITHDRAWN)
    before = _snapshot(c)
    with pytest.raises(InvalidTransition):
        wf.complaint_reopen(complaint=c, actor=officer(), reason="x")
    assert _snapshot(c) == before


def test_judgment_for_complainant_returns_to_rectifying_and_for_agency_dismisses():
    c = complaint_in(Status.LITIGATION)
    h = handler_of(c)
    c = wf.complaint_record_judgment(
        complaint=c, actor=h, outcome=JudgmentOutcome.COMPLAINANT_PREVAILS, note="判决履行"
    )
    assert c.status == Status.RECTIFYING and c.rectification_due is not None
    d = complaint_in(Status.DISMISSED)
    assert d.status == Status.DISMISSED and d.closed_at is not None


BAD_INPUTS = [
    (Status.ROUTED, wf.complaint_reject, {"reason": "  "}),
    (Status.VERIFYING, wf.complaint_find_unfounded, {"explanation": ""}),
    (Status.VERIFYING, wf.complaint_find_unfounded, {"explanation": "因机构调整，原合同无人负责"}),
    (Status.VERIFYING, wf.complaint_find_founded, {"note": ""}),
    (
        Status.VERIFYING,
        wf.complaint_find_founded,
        {"note": "属实", "rectification_due": dt.date(2000, 1, 1)},
    ),
    (Status.VERIFYING, wf.complaint_find_disputed, {"note": ""}),
    (Status.RECTIFYING, wf.complaint_record_rectified, {"note": ""}),
    (Status.NEGOTIATING, wf.complaint_record_settlement, {"note": ""}),
    (Status.NEGOTIATING, wf.complaint_refer_to_litigation, {"note": ""}),
    (Status.LITIGATION, wf.complaint_record_judgment, {"outcome": "draw", "note": "x"}),
    (Status.LITIGATION, wf.complaint_record_judgment, {"outcome": "agency_prevails", "note": ""}),
    (Status.RECTIFYING, wf.complaint_determine_breach, {"severity": "huge", "facts": "x"}),
    (Status.RECTIFYING, wf.complaint_determine_breach, {"severity": "minor", "facts": ""}),
]


@pytest.mark.parametrize(("status", "service", "kwargs"), BAD_INPUTS)
def test_bad_input_is_refused_and_nothing_is_stored(status, service, kwargs):
    c = complaint_in(status)
    before = _snapshot(c)
    with pytest.raises(ValidationError):
        service(complaint=c, actor=handler_of(c), **kwargs)
    assert _snapshot(c) == before


def test_reroute_to_same_or_inactive_agency_is_refused_and_changes_nothing():
    c = complaint_in(Status.ROUTED)
    before = _snapshot(c)
    with pytest.raises(ValidationError):
        wf.complaint_reroute(
            complaint=c, actor=officer(), handling_agency=c.handling_agency, reason="x"
        )
    with pytest.raises(ValidationError):
        wf.complaint_reroute(
            complaint=c, actor=officer(), handling_agency=AgencyFactory(is_active=False), reason="x"
        )
    with pytest.raises(ValidationError):
        wf.complaint_reroute(
            complaint=c, actor=officer(), handling_agency=AgencyFactory(), reason=""
        )
    assert _snapshot(c) == before


def test_credit_officer_routes_a_pending_case_and_the_new_handler_gets_an_acceptance_deadline():
    c = complaint_in(Status.PENDING_ROUTING)
    target = AgencyFactory()
    c = wf.complaint_reroute(complaint=c, actor=officer(), handling_agency=target, reason="分办")
    assert c.status == Status.ROUTED and c.handling_agency == target and c.due_at is not None
    event = c.events.order_by("-seq").first()
    assert event.note == "分办" and "deadline" in event.data


def test_determine_breach_outside_rectifying_is_an_invalid_transition():
    for status in (Status.VERIFYING, Status.NEGOTIATING, Status.RECTIFIED):
        c = complaint_in(status)
        before = _snapshot(c)
        with pytest.raises(InvalidTransition):
            wf.complaint_determine_breach(complaint=c, actor=officer(), severity="minor", facts="x")
        assert _snapshot(c) == before


def test_handler_of_another_agency_gets_404_and_wrong_roles_get_403():
    c = complaint_in(Status.ROUTED)
    stranger = StaffFactory(role=StaffRole.HANDLER)
    with pytest.raises(Http404):
        wf.complaint_accept(complaint=c, actor=stranger)
    auditor = StaffFactory(role=StaffRole.AUDITOR)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=c.respondent_agency)
    for actor in (auditor, liaison):
        with pytest.raises(PermissionDenied):
            wf.complaint_accept(complaint=c, actor=actor)
    with pytest.raises(PermissionDenied):
        wf.complaint_reroute(
            complaint=c, actor=handler_of(c), handling_agency=AgencyFactory(), reason="x"
        )
    assert Complaint.objects.get(pk=c.pk).status == Status.ROUTED


def test_superuser_acts_as_credit_officer(superuser):
    c = complaint_in(Status.ROUTED)
    c = wf.complaint_accept(complaint=c, actor=superuser)
    assert c.status == Status.VERIFYING


def test_stale_version_is_refused_and_changes_nothing():
    c = complaint_in(Status.ROUTED)
    before = _snapshot(c)
    with pytest.raises(StaleObject):
        wf.complaint_accept(complaint=c, actor=handler_of(c), expected_version=c.version - 1 or 99)
    assert _snapshot(c) == before
    wf.complaint_accept(complaint=c, actor=handler_of(c), expected_version=c.version)


def test_default_rectification_due_is_thirty_days():
    c = complaint_in(Status.VERIFYING)
    c = wf.complaint_find_founded(complaint=c, actor=handler_of(c), note="属实")
    assert c.rectification_due == future(30)


def test_internal_note_is_not_public_and_reply_is_a_message():
    c = complaint_in(Status.VERIFYING)
    h = handler_of(c)
    event = complaint_note_add(complaint=c, actor=h, note="内部讨论")
    assert event.is_public is False
    msg = complaint_reply(complaint=c, actor=h, body="请补充合同扫描件")
    assert msg.sender == "handler"


def test_events_commit_signal_is_sent_on_commit(django_capture_on_commit_callbacks):
    from complaints.signals import complaint_event_committed

    seen = []

    def receiver(**kwargs):
        seen.append(kwargs["action"])

    complaint_event_committed.connect(receiver)
    try:
        c = complaint_in(Status.ROUTED)
        with django_capture_on_commit_callbacks(execute=True):
            wf.complaint_accept(complaint=c, actor=handler_of(c))
    finally:
        complaint_event_committed.disconnect(receiver)
    assert "accept" in seen
