"""The console's reroute form: the new handling agency is found by a search, not a full list."""

import re

import pytest
from django.test import Client

from complaints.choices import Status
from complaints.forms import AGENCY_SEARCH_LIMIT
from complaints.models import Complaint, ComplaintEvent
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_workflow_helpers import complaint_in, officer

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def radio_values(html: str) -> list[str]:
    return re.findall(r'name="reroute-handling_agency" value="(\d+)"', html)


def reroute(client, complaint, agency_id, *, reason="按主管关系分办", agency_q=""):
    return client.post(
        f"/console/c/{complaint.reference}/act/reroute/",
        {
            "reroute-version": complaint.version,
            "reroute-handling_agency": agency_id,
            "reroute-reason": reason,
            "agency_q": agency_q,
        },
    )


def test_case_page_without_a_search_lists_no_agency_and_no_dropdown():
    c = complaint_in(Status.PENDING_ROUTING)
    AgencyFactory.create_batch(3, name="市住房和城乡建设局")
    html = logged_in(officer()).get(f"/console/c/{c.reference}/").content.decode()
    assert 'data-action="reroute"' in html
    assert radio_values(html) == []
    assert 'name="reroute-handling_agency"' not in html  # no <select> with every agency either
    assert 'name="agency_q"' in html  # the search box


def test_search_lists_matching_active_agencies_as_radio_buttons():
    c = complaint_in(Status.PENDING_ROUTING)
    wanted = AgencyFactory(name="市住房和城乡建设局")
    inactive = AgencyFactory(name="市住房和城乡建设委员会（已撤销）", is_active=False)
    other = AgencyFactory(name="市财政局")
    html = (
        logged_in(officer())
        .get(f"/console/c/{c.reference}/", {"agency_q": "住房和城乡"})
        .content.decode()
    )
    values = radio_values(html)
    assert str(wanted.pk) in values
    assert str(inactive.pk) not in values and str(other.pk) not in values
    assert 'value="住房和城乡"' in html  # the query stays in the box
    assert re.search(r'<details class="action" id="action-reroute"\s+open', html)


def test_search_by_uscc_prefix_finds_the_agency():
    c = complaint_in(Status.PENDING_ROUTING)
    wanted = AgencyFactory(name="市审计局")
    html = (
        logged_in(officer())
        .get(f"/console/c/{c.reference}/", {"agency_q": wanted.uscc[:10]})
        .content.decode()
    )
    assert str(wanted.pk) in radio_values(html)


def test_search_without_matches_says_so():
    c = complaint_in(Status.PENDING_ROUTING)
    html = (
        logged_in(officer())
        .get(f"/console/c/{c.reference}/", {"agency_q": "不存在的机构名称"})
        .content.decode()
    )
    assert radio_values(html) == []
    assert "没有找到匹配的在用机构" in html


def test_search_shows_at_most_the_limit_and_says_the_list_is_cut():
    c = complaint_in(Status.PENDING_ROUTING)
    AgencyFactory.create_batch(AGENCY_SEARCH_LIMIT + 5, name="区街道办事处")
    html = (
        logged_in(officer())
        .get(f"/console/c/{c.reference}/", {"agency_q": "街道办"})
        .content.decode()
    )
    assert len(radio_values(html)) == AGENCY_SEARCH_LIMIT
    assert f"只显示前 {AGENCY_SEARCH_LIMIT} 个结果" in html


def test_case_page_query_count_does_not_grow_with_the_number_of_agencies(
    django_assert_max_num_queries,
):
    c = complaint_in(Status.PENDING_ROUTING)
    client = logged_in(officer())
    url = f"/console/c/{c.reference}/"
    AgencyFactory.create_batch(2, name="区街道办事处", supervisor=AgencyFactory())

    def count(params):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    few_plain, few_search = count({}), count({"agency_q": "街道办"})
    AgencyFactory.create_batch(60, name="区街道办事处", supervisor=AgencyFactory())
    AgencyFactory.create_batch(60, name="县人民政府")
    many_plain, many_search = count({}), count({"agency_q": "街道办"})

    assert many_plain == few_plain
    assert many_search == few_search == few_plain + 1  # the search is a single query
    with django_assert_max_num_queries(few_search):
        client.get(url, {"agency_q": "街道办"})


def test_credit_office_reroutes_to_a_searched_agency():
    c = complaint_in(Status.PENDING_ROUTING)
    target = AgencyFactory(name="市住房和城乡建设局")
    response = reroute(logged_in(officer()), c, target.pk, agency_q="住房")
    assert response.status_code == 302
    assert response["Location"] == f"/console/c/{c.reference}/"
    c.refresh_from_db()
    assert (c.status, c.handling_agency_id) == (Status.ROUTED, target.pk)


@pytest.mark.parametrize(
    "case",
    ["inactive", "same", "unknown", "missing", "not_a_number", "no_reason"],
)
def test_bad_reroutes_are_refused_with_a_message_and_nothing_changes(case):
    c = complaint_in(Status.ROUTED)
    inactive = AgencyFactory(name="市城乡建设委员会", is_active=False)
    active = AgencyFactory(name="市财政局")
    agency_id, reason = {
        "inactive": (inactive.pk, "分办"),
        "same": (c.handling_agency_id, "分办"),
        "unknown": (999_999_999, "分办"),
        "missing": ("", "分办"),
        "not_a_number": ("abc", "分办"),
        "no_reason": (active.pk, ""),
    }[case]
    expected = {
        "inactive": "市城乡建设委员会 已停用，不能改派",
        "same": "改派单位与当前承办单位相同",
        "unknown": "所选机构不存在",
        "missing": "请先搜索并选择改派的承办单位",
        "not_a_number": "所选机构不存在",
        "no_reason": "理由",
    }[case]
    before = (c.status, c.handling_agency_id, c.version)
    events = ComplaintEvent.objects.filter(complaint=c).count()
    client = logged_in(officer())

    response = reroute(client, c, agency_id, reason=reason, agency_q="城乡")

    assert response.status_code == 302
    # Back to the case with the search still made, so another agency can be picked.
    assert (
        response["Location"]
        == f"/console/c/{c.reference}/?agency_q=%E5%9F%8E%E4%B9%A1#action-reroute"
    )
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert expected in page
    c = Complaint.objects.get(pk=c.pk)
    assert (c.status, c.handling_agency_id, c.version) == before
    assert ComplaintEvent.objects.filter(complaint=c).count() == events


def test_current_handling_agency_is_listed_but_cannot_be_picked():
    c = complaint_in(Status.ROUTED)
    html = (
        logged_in(officer())
        .get(f"/console/c/{c.reference}/", {"agency_q": c.handling_agency.name})
        .content.decode()
    )
    assert re.search(rf'value="{c.handling_agency_id}" required disabled', html)
    assert "当前承办单位" in html


def test_a_handler_gets_no_reroute_form_and_cannot_post_one():
    from tests.complaints.test_workflow_helpers import handler_of

    c = complaint_in(Status.ROUTED)
    handler = handler_of(c)
    target = AgencyFactory(name="市财政局")
    client = logged_in(handler)
    html = client.get(f"/console/c/{c.reference}/", {"agency_q": "财政"}).content.decode()
    assert 'data-action="reroute"' not in html and radio_values(html) == []
    reroute(client, c, target.pk)
    c = Complaint.objects.get(pk=c.pk)
    assert c.handling_agency_id != target.pk
