"""The public statistics page (/stats/): counts only, a minimum for rankings, cached."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import tasks
from complaints.choices import Satisfaction, Status
from complaints.selectors import STATS_CACHE_KEY, public_statistics
from complaints.services.tracking import feedback_submit
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory
from tests.complaints.test_workflow_helpers import complaint_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def frequent():
    """An agency with three complaints (one a determined breach) and one with a single one."""
    supervisor = AgencyFactory(name="某市教育局")
    busy = AgencyFactory(name="某区第一小学", supervisor=supervisor)
    quiet = AgencyFactory(name="某区第二小学", supervisor=supervisor)
    ComplaintFactory(respondent_agency=busy, domain="procurement")
    ComplaintFactory(respondent_agency=busy, complainant_name="保密建设有限公司")
    breach = complaint_in(Status.BREACH, respondent_agency=busy)
    ComplaintFactory(respondent_agency=quiet)
    feedback_submit(complaint=breach, satisfaction=Satisfaction.DISSATISFIED)
    return busy, quiet


def test_counts_outcomes_domains_and_satisfaction(frequent, settings):
    settings.STATS_MIN_CASES = 3
    stats = public_statistics()
    assert stats["total"] == 4 and stats["this_year"] == 4
    assert stats["open"] == 3
    assert stats["by_status"][Status.BREACH] == 1
    assert stats["by_domain"]["procurement"] == 1
    assert stats["satisfaction"] == {Satisfaction.DISSATISFIED: 1}
    busy, _quiet = frequent
    assert stats["ranking"] == [
        {"agency_id": busy.pk, "agency": busy.name, "total": 3, "breaches": 1}
    ], "only agencies with at least the minimum number of complaints are ranked"


def test_page_is_public_in_chinese_and_english_and_never_shows_a_complainant(
    client, frequent, settings
):
    settings.STATS_MIN_CASES = 3
    page = client.get("/stats/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "政务诚信投诉统计" in text and "认定违约失信" in text
    assert "某区第一小学" in text and "某区第二小学" not in text
    assert "保密建设有限公司" not in text
    english = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Complaint statistics" in english and "Breach determined" in english


def test_the_minimum_comes_from_the_setting(frequent, settings):
    settings.STATS_MIN_CASES = 1
    names = [row["agency"] for row in public_statistics()["ranking"]]
    assert names == ["某区第一小学", "某区第二小学"]


def test_a_fixed_number_of_queries_then_none_from_the_cache(frequent):
    cache.delete(STATS_CACHE_KEY)
    with CaptureQueriesContext(connection) as first:
        public_statistics()
    assert len(first.captured_queries) == 6
    ComplaintFactory()  # more data: the same queries; served from the cache meanwhile
    cache.delete(STATS_CACHE_KEY)
    with CaptureQueriesContext(connection) as second:
        public_statistics()
    assert len(second.captured_queries) == 6
    with CaptureQueriesContext(connection) as cached:
        assert public_statistics()["total"] == 5
    assert cached.captured_queries == []


def test_the_beat_task_recomputes_the_figures_the_page_reads(frequent, client):
    assert public_statistics()["total"] == 4  # now cached
    ComplaintFactory()
    assert public_statistics()["total"] == 4, "the page reads the cached figures"
    assert tasks.stats_refresh() == 5
    assert public_statistics()["total"] == 5
    assert "complaints.tasks.stats_refresh" in {
        job["task"] for job in django_settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_the_page_only_reads(client):
    assert client.post("/stats/").status_code == 405
    assert client.head("/stats/").status_code == 200
