"""Console queues stop counting at a cap instead of counting every matching case."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.choices import StaffRole
from complaints.console import pagination
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, make_staff):
    client.force_login(make_staff(role=StaffRole.CREDIT_OFFICER))
    return client


def test_queue_over_the_cap_says_more_than_and_counts_with_a_limit(officer_client, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    ComplaintFactory.create_batch(5)

    with CaptureQueriesContext(connection) as ctx:
        response = officer_client.get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert "超过 3 件，请用筛选条件缩小范围" in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT 4" in sql for sql in counts)


def test_queue_under_the_cap_shows_the_exact_count(officer_client, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    ComplaintFactory.create_batch(4)

    response = officer_client.get("/console/", HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert "More than" not in html
    assert '<p class="help">4 cases ·' in html
