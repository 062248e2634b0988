"""Two staff acting on one case at the same moment (PostgreSQL, two connections)."""

import threading

import pytest
from django.db import connection

from complaints.choices import Status
from complaints.models import Complaint
from complaints.services import workflow as wf
from integrity_portal.api import DomainError
from tests.complaints.test_workflow_helpers import complaint_in, handler_of, officer


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            call()
            results[i] = "ok"
        except DomainError as exc:
            results[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(5))
def test_two_findings_at_once_one_wins_the_other_gets_409_and_nothing_is_half_done(
    attempt, transactional_db
):
    c = complaint_in(Status.VERIFYING)
    h = handler_of(c)
    other = officer()
    events_before = c.events.count()
    results = _race(
        lambda: wf.complaint_find_founded(complaint=c, actor=h, note="属实"),
        lambda: wf.complaint_find_unfounded(complaint=c, actor=other, explanation="不属实"),
    )
    assert sorted(results) == ["invalid_transition", "ok"], results
    row = Complaint.objects.get(pk=c.pk)
    assert row.status in (Status.RECTIFYING, Status.UNFOUNDED)
    assert row.version == c.version + 1
    assert row.events.count() == events_before + 1
    assert row.events.order_by("-seq").first().to_status == row.status


@pytest.mark.postgres
def test_two_accepts_with_the_same_form_version_one_wins_the_other_is_refused(transactional_db):
    c = complaint_in(Status.ROUTED)
    h = handler_of(c)
    results = _race(
        lambda: wf.complaint_accept(complaint=c, actor=h, expected_version=c.version),
        lambda: wf.complaint_accept(complaint=c, actor=officer(), expected_version=c.version),
    )
    assert sorted(results) == ["ok", "stale"], results
    assert Complaint.objects.get(pk=c.pk).events.filter(action="accept").count() == 1
