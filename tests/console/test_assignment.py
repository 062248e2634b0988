"""Assignment within a department (deliverable 3): a handler gives a case to a named colleague
of the same department, the event says who gave it to whom, the queue and the case page show
it, "my cases" lists one's own, bulk assignment is all-or-none, and the unassigned counter
filters."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from agencies.choices import StaffRole
from complaints.choices import Action, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.services import workflow
from complaints.services.assignment import complaint_assign, complaints_assign_bulk
from complaints.timeline import internal_text
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of, officer

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def department():
    case = complaint_in(Status.VERIFYING)
    lead = handler_of(case)
    colleague = StaffFactory(role=StaffRole.HANDLER, agency=case.handling_agency)
    other = ComplaintFactory(respondent_agency=case.respondent_agency)
    return {"case": case, "other": other, "lead": lead, "colleague": colleague}


def events_of(case, action=Action.ASSIGN):
    return list(ComplaintEvent.objects.filter(complaint=case, action=action).order_by("seq"))


def test_assign_reassign_and_release_each_write_an_internal_event(department):
    d = department
    complaint_assign(complaint=d["case"], actor=d["lead"], assignee=d["colleague"])
    complaint_assign(complaint=d["case"], actor=d["colleague"], assignee=d["lead"])
    complaint_assign(complaint=d["case"], actor=d["lead"], assignee=None)
    first, second, third = events_of(d["case"])
    assert (first.data["assignee"], first.data["previous"]) == (d["colleague"].pk, None)
    assert (second.data["assignee"], second.data["previous"]) == (d["lead"].pk, d["colleague"].pk)
    assert third.data["assignee"] is None and not any(e.is_public for e in (first, second, third))
    assert d["colleague"].username in internal_text(first)
    assert d["colleague"].username in internal_text(second)  # "from … to …"
    case = Complaint.objects.get(pk=d["case"].pk)
    assert case.assignee_id is None and case.status == Status.VERIFYING
    # The deadline stays the department's: assignment does not touch the clock.
    assert case.due_at == d["case"].due_at


def test_assignee_must_be_a_handler_of_the_department_and_nothing_changes(department):
    d = department
    outsider = StaffFactory(role=StaffRole.HANDLER)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=d["case"].handling_agency)
    for wrong in (outsider, liaison):
        with pytest.raises(ValidationError) as exc:
            complaint_assign(complaint=d["case"], actor=d["lead"], assignee=wrong)
        assert "assignee" in exc.value.message_dict
    assert events_of(d["case"]) == []
    assert Complaint.objects.get(pk=d["case"].pk).assignee_id is None


def test_policy_and_scope_decide_who_may_assign(department):
    d = department
    with pytest.raises(PermissionDenied):  # the credit office routes, it does not assign
        complaint_assign(complaint=d["case"], actor=officer(), assignee=d["colleague"])
    with pytest.raises(Http404):  # a handler of another department does not see the case
        complaint_assign(
            complaint=d["case"], actor=StaffFactory(role=StaffRole.HANDLER), assignee=None
        )


def test_reroute_to_another_department_clears_the_assignee(department):
    d = department
    complaint_assign(complaint=d["case"], actor=d["lead"], assignee=d["colleague"])
    workflow.complaint_reroute(
        complaint=d["case"], actor=officer(), handling_agency=AgencyFactory(), reason="职责调整"
    )
    assert Complaint.objects.get(pk=d["case"].pk).assignee_id is None


def test_case_page_assigns_and_shows_the_handler(department):
    d = department
    client = logged_in(d["lead"])
    page = client.get(f"/console/c/{d['case'].reference}/").content.decode()
    assert 'id="assign"' in page and "未指派" in page
    response = client.post(
        f"/console/c/{d['case'].reference}/assign/",
        {"assignee": d["colleague"].pk, "version": d["case"].version},
    )
    assert response.status_code == 302
    page = client.get(f"/console/c/{d['case'].reference}/").content.decode()
    assert d["colleague"].username in page.split('id="case-assignee"')[1][:200]
    assert "指派承办人" in page  # the timeline's label, not the code
    # A stale form is refused and changes nothing.
    client.post(
        f"/console/c/{d['case'].reference}/assign/",
        {"assignee": d["lead"].pk, "version": d["case"].version},
    )
    assert Complaint.objects.get(pk=d["case"].pk).assignee_id == d["colleague"].pk


def test_bulk_assign_from_the_queue_is_all_or_none_and_needs_csrf(department):
    d = department
    refs = [d["case"].reference, d["other"].reference]
    client = Client(enforce_csrf_checks=True)
    client.force_login(d["lead"])
    refused = client.post("/console/assign/", {"references": refs, "assignee": d["colleague"].pk})
    assert refused.status_code == 403
    assert not Complaint.objects.filter(assignee__isnull=False).exists()

    client = logged_in(d["lead"])
    outside = ComplaintFactory().reference  # another department's case: nothing changes
    response = client.post(
        "/console/assign/",
        {"references": [*refs, outside], "assignee": d["colleague"].pk, "next": "/console/"},
        follow=True,
    )
    assert "不在您的范围内" in response.content.decode()
    assert not Complaint.objects.filter(assignee__isnull=False).exists()

    client.post("/console/assign/", {"references": refs, "assignee": d["colleague"].pk})
    assert set(
        Complaint.objects.filter(assignee=d["colleague"]).values_list("reference", flat=True)
    ) == set(refs)
    assert len(events_of(d["case"])) == len(events_of(d["other"])) == 1


def test_bulk_refuses_no_rows_and_no_handler(department):
    d = department
    with pytest.raises(ValidationError):
        complaints_assign_bulk(references=[], actor=d["lead"], assignee=d["colleague"])
    with pytest.raises(ValidationError):
        complaints_assign_bulk(references=[d["case"].reference], actor=d["lead"], assignee=None)
    with pytest.raises(PermissionDenied):
        complaints_assign_bulk(
            references=[d["case"].reference], actor=officer(), assignee=d["colleague"]
        )
    # A closed case among the rows: the message names it, and no row changes.
    closed = complaint_in(Status.REJECTED, respondent_agency=d["case"].respondent_agency)
    refs = [d["case"].reference, closed.reference]
    with pytest.raises(ValidationError) as exc:
        complaints_assign_bulk(references=refs, actor=d["lead"], assignee=d["colleague"])
    assert closed.reference in " ".join(exc.value.messages)
    assert not Complaint.objects.filter(assignee__isnull=False).exists()


def test_unassigned_counter_and_my_cases(department):
    d = department
    complaint_assign(complaint=d["case"], actor=d["lead"], assignee=d["colleague"])
    client = logged_in(d["colleague"])
    counters = {c["key"]: c["count"] for c in client.get("/console/").context["counters"]}
    assert counters["unassigned"] == 1
    unassigned = client.get("/console/?due=unassigned").content.decode()
    assert d["other"].reference in unassigned and d["case"].reference not in unassigned
    mine = client.get("/console/mine/")
    assert [c.reference for c in mine.context["page"].object_list] == [d["case"].reference]
    assert "/console/mine/" in client.get("/console/").content.decode()  # in the navigation
    # Only handlers have a "my cases" page, and only they are offered it.
    office = logged_in(officer())
    assert office.get("/console/mine/").status_code == 403
    assert "/console/mine/" not in office.get("/console/").content.decode()
