"""The queue says what is due: counters that filter, remaining working days with a due-soon
marker, status chips, exports of what is filtered, the credit office's unrouted cases first,
and a fixed number of queries however many cases there are."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import complaint_in, handler_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_morning_on_a_working_day():
    """A case due in an hour is due "today" only if the hour does not cross midnight: the queue
    is read on a Wednesday at 10:00 local time, whenever the suite runs."""
    with time_machine.travel(dt.datetime(2026, 12, 2, 2, tzinfo=dt.UTC), tick=True):
        yield


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _due(complaint, **delta):
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() + dt.timedelta(**delta))


@pytest.fixture
def department_queue():
    overdue = complaint_in(Status.VERIFYING)
    department = overdue.handling_agency
    _due(overdue, days=-3)
    respondent = AgencyFactory(supervisor=department)
    soon = ComplaintFactory(respondent_agency=respondent)
    _due(soon, hours=1)
    later = ComplaintFactory(respondent_agency=respondent)
    _due(later, days=30)
    supervised = ComplaintFactory(respondent_agency=respondent)
    _due(supervised, days=30)
    Complaint.objects.filter(pk=supervised.pk).update(supervised_at=timezone.now())
    return {
        "handler": handler_of(overdue),
        "overdue": overdue,
        "soon": soon,
        "later": later,
        "supervised": supervised,
    }


def test_counters_count_and_filter_the_queue(department_queue):
    q = department_queue
    client = logged_in(q["handler"])
    page = client.get("/console/").content.decode()
    assert 'id="counter-overdue"' in page
    overdue = client.get("/console/?due=overdue").content.decode()
    assert q["overdue"].reference in overdue and q["later"].reference not in overdue
    today = client.get("/console/?due=today").content.decode()
    assert q["soon"].reference in today and q["later"].reference not in today
    supervised = client.get("/console/?due=supervised").content.decode()
    assert q["supervised"].reference in supervised and q["soon"].reference not in supervised
    counts = client.get("/console/").context["counters"]
    assert {c["key"]: c["count"] for c in counts} == {
        "today": 1,
        "soon": 1,
        "overdue": 1,
        "supervised": 1,
        "unassigned": 4,
    }


def test_rows_show_remaining_working_days_and_the_due_soon_marker(department_queue):
    page = logged_in(department_queue["handler"]).get("/console/").content.decode()
    assert "即将到期" in page and "剩 0 个工作日" in page


def test_queue_exports_the_filtered_rows_as_csv_and_xlsx(department_queue):
    q = department_queue
    client = logged_in(q["handler"])
    response = client.get("/console/?due=overdue&export=csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert q["overdue"].reference in body and q["later"].reference not in body
    assert "核实中" in body or "verifying" not in body  # labels, not codes
    xlsx = client.get("/console/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"


def test_credit_office_sees_unrouted_cases_first():
    routed = complaint_in(Status.VERIFYING)
    _due(routed, days=-10)  # the most urgent by due date, still after the unrouted one
    unrouted = ComplaintFactory(respondent_agency=AgencyFactory(supervisor=None))
    assert Complaint.objects.get(pk=unrouted.pk).status == Status.PENDING_ROUTING
    page = logged_in(StaffFactory(role=StaffRole.CREDIT_OFFICER)).get("/console/")
    rows = [c.reference for c in page.context["page"].object_list]
    assert rows.index(unrouted.reference) < rows.index(routed.reference)


def test_status_chips_toggle_a_status(department_queue):
    page = logged_in(department_queue["handler"]).get("/console/")
    chips = {c["value"]: c for c in page.context["status_chips"]}
    assert chips["verifying"]["on"] and not chips["breach"]["on"]
    assert "status=breach" in chips["breach"]["query"]


def test_queue_with_counters_costs_a_fixed_number_of_queries(
    department_queue, django_assert_max_num_queries
):
    client = logged_in(department_queue["handler"])
    client.get("/console/")  # warm the session and the calendar
    respondent = department_queue["soon"].respondent_agency
    for _ in range(30):
        ComplaintFactory(respondent_agency=respondent)
    # Session and user, the page and its count, five capped counters (due today, due soon,
    # overdue, supervised, unassigned), the department's handlers for bulk assignment and the
    # user's saved filters: 12, whatever the number of rows.
    with django_assert_max_num_queries(12):
        assert client.get("/console/").status_code == 200
