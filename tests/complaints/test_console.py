import pytest
from django.test import Client

from agencies.choices import StaffRole
from complaints.choices import Status
from complaints.models import Complaint
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints import evidence
from tests.complaints.factories import ComplaintFactory, complaint_submit_for_test
from tests.complaints.test_workflow_helpers import complaint_in, handler_of, officer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_login_page_logs_staff_in_and_locks_out_after_five_failures():
    user = StaffFactory(role=StaffRole.HANDLER)
    client = Client()
    assert client.get("/console/login/").status_code == 200
    for _ in range(5):
        response = client.post("/console/login/", {"username": user.username, "password": "bad"})
        assert response.status_code == 200
    response = client.post("/console/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_password_logs_in_and_resets_the_counter():
    user = StaffFactory(role=StaffRole.HANDLER)
    client = Client()
    for _ in range(3):
        client.post("/console/login/", {"username": user.username, "password": "bad"})
    response = client.post("/console/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200


def test_anonymous_is_sent_to_login_and_non_staff_are_refused():
    assert Client().get("/console/").status_code == 302
    from agencies.models import User

    plain = User.objects.create_user("plain", password=PASSWORD)
    assert logged_in(plain).get("/console/").status_code == 403


def test_handler_queue_shows_own_cases_sorted_by_due_date_with_overdue_highlighted():
    a = complaint_in(Status.VERIFYING)
    h = handler_of(a)
    b = ComplaintFactory(respondent_agency=AgencyFactory(supervisor=a.handling_agency))
    Complaint.objects.filter(pk=b.pk).update(due_at="2020-01-01T00:00:00+08:00")
    other = complaint_in(Status.ROUTED)
    page = logged_in(h).get("/console/").content.decode()
    assert a.reference in page and b.reference in page and other.reference not in page
    assert page.index(b.reference) < page.index(a.reference)
    assert f'<tr class="overdue" data-reference="{b.reference}">' in page


def test_queue_filters_by_status_search_and_overdue():
    a = complaint_in(Status.VERIFYING)
    h = handler_of(a)
    b = ComplaintFactory(
        respondent_agency=AgencyFactory(supervisor=a.handling_agency), title="土地出让金返还"
    )
    client = logged_in(h)
    page = client.get("/console/", {"status": "routed"}).content.decode()
    assert b.reference in page and a.reference not in page
    page = client.get("/console/", {"q": "土地出让"}).content.decode()
    assert b.reference in page and a.reference not in page
    page = client.get("/console/", {"overdue": "true"}).content.decode()
    assert b.reference not in page and a.reference not in page


def test_queue_page_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    first = complaint_in(Status.ROUTED)
    agency = first.handling_agency
    h = handler_of(first)
    client = logged_in(h)
    for _ in range(4):
        ComplaintFactory(respondent_agency=AgencyFactory(supervisor=agency))
    # 8 for the page and its list, plus one capped count per counter (four).
    with django_assert_max_num_queries(12):
        assert client.get("/console/").status_code == 200
    respondent = AgencyFactory(supervisor=agency)
    for _ in range(45):
        ComplaintFactory(respondent_agency=respondent)
    with django_assert_max_num_queries(12):
        response = client.get("/console/")
    assert response.content.decode().count("data-reference=") == 25


def test_case_page_offers_exactly_the_allowed_actions_and_the_form_acts():
    c = complaint_in(Status.ROUTED, domain="procurement")
    h = handler_of(c)
    client = logged_in(h)
    page = client.get(f"/console/c/{c.reference}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="reject"' in page
    assert 'data-action="reroute"' not in page and 'data-action="find_founded"' not in page
    response = client.post(f"/console/c/{c.reference}/act/accept/", {"accept-version": c.version})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=c.pk).status == Status.VERIFYING
    page = client.get(f"/console/c/{c.reference}/").content.decode()
    assert 'data-action="find_founded"' in page and "机构调整、人员变动" in page
    assert "时限计算依据" in page and "10 个工作日" in page


def test_a_stale_form_is_refused_with_a_clear_message_and_changes_nothing():
    c = complaint_in(Status.ROUTED)
    h = handler_of(c)
    client = logged_in(h)
    old_version = c.version
    client.post(f"/console/c/{c.reference}/act/accept/", {"accept-version": old_version})
    c.refresh_from_db()
    response = client.post(
        f"/console/c/{c.reference}/act/reject/",
        {"reject-version": old_version, "reject-reason": "重复"},
        follow=True,
    )
    assert "已被他人处理或修改" in response.content.decode()
    assert Complaint.objects.get(pk=c.pk).status == Status.VERIFYING
    assert Complaint.objects.get(pk=c.pk).version == c.version


def test_invalid_defence_is_refused_in_the_console():
    c = complaint_in(Status.VERIFYING)
    client = logged_in(handler_of(c))
    response = client.post(
        f"/console/c/{c.reference}/act/find_unfounded/",
        {"find_unfounded-version": c.version, "find_unfounded-explanation": "因人员变动无法履约"},
        follow=True,
    )
    assert "均属于违约失信情形" in response.content.decode()
    assert Complaint.objects.get(pk=c.pk).status == Status.VERIFYING


def test_liaison_sees_no_contact_without_consent_no_internal_notes_and_can_reply():
    c = complaint_in(Status.RECTIFYING)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=c.respondent_agency)
    client = logged_in(liaison)
    page = client.get(f"/console/c/{c.reference}/").content.decode()
    assert c.contact_phone not in page and 'id="contact-hidden"' in page
    assert "合同约定付款期已过" not in page  # the handler's internal note
    assert "data-action=" not in page
    client.post(f"/console/c/{c.reference}/reply/", {"body": "我单位已安排付款"})
    assert c.messages.get().sender == "agency"
    assert c.reference in client.get("/console/").content.decode()


def test_handler_sees_contact_and_out_of_scope_case_is_404():
    c = complaint_in(Status.ROUTED)
    page = logged_in(handler_of(c)).get(f"/console/c/{c.reference}/").content.decode()
    assert c.contact_phone in page
    stranger = StaffFactory(role=StaffRole.HANDLER)
    assert logged_in(stranger).get(f"/console/c/{c.reference}/").status_code == 404


def test_attachments_download_as_attachment_only_within_scope():
    from integrity_portal.models import AccessLog

    c, _code = complaint_submit_for_test(files=[evidence.pdf("合同.pdf")])
    item = c.attachments.get()
    url = f"/console/c/{c.reference}/files/{item.pk}/"
    handler = handler_of(c)
    response = logged_in(handler).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == evidence.PDF_BYTES
    # Every download is logged: who, which file (DESIGN section 11).
    log = AccessLog.objects.get(what="evidence_download")
    assert (log.user, log.object_ref, log.via) == (
        handler,
        f"{c.reference}-{item.pk}.pdf",
        "console",
    )
    assert log.get_what_display() == "下载证据文件"
    stranger = StaffFactory(role=StaffRole.HANDLER)
    assert logged_in(stranger).get(url).status_code == 404
    assert AccessLog.objects.filter(what="evidence_download").count() == 1  # a 404 logs nothing


def test_credit_office_routes_a_pending_case_from_the_routing_queue():
    c = complaint_in(Status.PENDING_ROUTING)
    target = AgencyFactory(name="市住建局")
    client = logged_in(officer())
    assert c.reference in client.get("/console/routing/").content.decode()
    client.post(
        f"/console/c/{c.reference}/act/reroute/",
        {
            "reroute-version": c.version,
            "reroute-handling_agency": target.pk,
            "reroute-reason": "分办",
        },
    )
    c.refresh_from_db()
    assert (c.status, c.handling_agency_id) == (Status.ROUTED, target.pk)
    handler = StaffFactory(role=StaffRole.HANDLER)
    assert logged_in(handler).get("/console/routing/").status_code == 403


def test_supervision_page_lists_overdue_cases_for_the_credit_office():
    c = complaint_in(Status.ROUTED)
    Complaint.objects.filter(pk=c.pk).update(due_at="2020-01-01T00:00:00+08:00")
    fresh = complaint_in(Status.ROUTED)
    page = logged_in(officer()).get("/console/supervision/").content.decode()
    assert c.reference in page and fresh.reference not in page


def test_internal_note_and_clock_pause_from_the_case_page():
    c = complaint_in(Status.VERIFYING)
    client = logged_in(handler_of(c))
    client.post(f"/console/c/{c.reference}/note/", {"note": "需调取财政支付记录"})
    client.post(
        f"/console/c/{c.reference}/act/pause/",
        {"pause-version": c.version, "pause-reason": "等待补充材料"},
    )
    c.refresh_from_db()
    assert c.clock_paused_at is not None
    page = client.get(f"/console/c/{c.reference}/").content.decode()
    assert "需调取财政支付记录" in page and 'data-action="resume"' in page
