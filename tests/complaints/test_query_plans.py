"""The queue and search queries must be answerable from their indexes on PostgreSQL.

With a handful of rows the planner would rightly choose a sequential scan, so sequential
scans are disabled for the EXPLAIN: what is checked is that the index *matches* the query
(same columns, order and expression), which is what keeps the 1M-row benchmark fast.
"""

import pytest
from django.db import connection, transaction
from django.http import QueryDict

from agencies.choices import StaffRole
from complaints.filtersets import ComplaintFilterSet
from complaints.selectors import complaint_list_visible_to, complaint_queue, overdue_condition
from tests.agencies.factories import AgencyFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan_of(queryset, *, ordered: bool = False) -> str:
    """EXPLAIN with sequential scans off; with ``ordered`` also sorts and bitmap scans off,
    so a Sort node remains only when no index can deliver the rows in the query's order."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def officer(make_staff):
    ComplaintFactory.create_batch(3)
    # An office without a region sees everything (DESIGN section 13): the plans below are the
    # city-wide ones, with no region join.
    return make_staff(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))


def test_overdue_queue_is_read_in_due_order_from_the_open_queue_index(officer):
    page = complaint_queue(officer).filter(overdue_condition())[:25]
    plan = plan_of(page, ordered=True)
    assert "complaints_open_queue_idx" in plan
    assert "Sort" not in plan


def test_handler_queue_uses_the_per_agency_open_queue_index(make_staff):
    complaint = ComplaintFactory()
    handler = make_staff(role=StaffRole.HANDLER, agency=complaint.handling_agency)
    plan = plan_of(complaint_queue(handler).filter(status__in=["routed", "verifying"])[:25])
    assert "complaints_open_handler_idx" in plan or "complaints_handler_queue_idx" in plan


def test_text_search_uses_the_trigram_indexes(officer):
    params = QueryDict(mutable=True)
    params["q"] = "学校维修工程款"
    rows = ComplaintFilterSet(params, queryset=complaint_list_visible_to(officer)).qs
    plan = plan_of(rows.order_by().values("id"))
    assert "complaints_title_trgm" in plan
    assert "complaints_complainant_name_trgm" in plan
