"""Queue filters: the respondent by name or USCC prefix (the agency autocomplete's text), and
filters saved per user under a name (save, list, apply, delete; nobody else's)."""

import pytest
from django.test import Client

from complaints.models import SavedFilter
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import handler_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> set[str]:
    return {c.reference for c in response.context["page"].object_list}


@pytest.fixture
def two_respondents():
    department = AgencyFactory(name="市教育局")
    school = ComplaintFactory(
        respondent_agency=AgencyFactory(name="市第一中学", supervisor=department)
    )
    hospital = ComplaintFactory(
        respondent_agency=AgencyFactory(name="市人民医院", supervisor=department)
    )
    return {"school": school, "hospital": hospital, "handler": handler_of(school)}


def test_respondent_filter_by_name_or_uscc_prefix(two_respondents):
    t = two_respondents
    client = logged_in(t["handler"])
    assert rows(client.get("/console/?respondent_q=第一中学")) == {t["school"].reference}
    uscc = t["hospital"].respondent_agency.uscc
    assert rows(client.get(f"/console/?respondent_q={uscc[:-1]}")) == {t["hospital"].reference}
    page = client.get("/console/").content.decode()
    assert 'name="respondent_q"' in page and 'type="number"' not in page


def test_save_list_apply_and_delete_a_filter(two_respondents):
    t = two_respondents
    client = logged_in(t["handler"])
    response = client.post(
        "/console/filters/",
        {"name": "一中筛选", "query": "respondent_q=第一中学&page=3", "path": "/console/"},
    )
    saved = SavedFilter.objects.get(user=t["handler"])
    assert saved.query.startswith("/console/?") and "page" not in saved.query
    assert response.url == saved.query
    page = client.get("/console/").content.decode()
    assert "一中筛选" in page
    assert rows(client.get(saved.query)) == {t["school"].reference}
    # A colleague neither sees it nor deletes it.
    stranger = logged_in(StaffFactory(agency=t["handler"].agency))
    assert "一中筛选" not in stranger.get("/console/").content.decode()
    assert stranger.post(f"/console/filters/{saved.pk}/delete/").status_code == 404
    client.post(f"/console/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_a_filter_needs_a_name_and_stays_on_the_console(two_respondents):
    client = logged_in(two_respondents["handler"])
    response = client.post("/console/filters/", {"name": "", "query": "q=x"}, follow=True)
    assert "请填写筛选名称" in response.content.decode()
    client.post("/console/filters/", {"name": "外站", "query": "", "path": "https://evil.example/"})
    assert SavedFilter.objects.get().query.startswith("/console/?")
