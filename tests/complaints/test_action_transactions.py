"""A handler's action over the API is one transaction: the look-up, the verb's writes, the
re-read for the answer and the access log commit together (they were four commits per
action), with a fixed number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.choices import Status
from tests.complaints.test_workflow_helpers import complaint_in, handler_of

STEPS = (
    ("accept", {}, Status.VERIFYING),
    ("find_founded", {"note": "经核实，投诉事项属实。"}, Status.RECTIFYING),
    ("determine_breach", {"severity": "general", "facts": "逾期未整改"}, Status.BREACH),
)
# Statements inside the one transaction (SAVEPOINT / RELEASE of the service's own atomic
# block included): the look-up, the locked re-read, (accept only: the stage's start, for the
# deadline; the time-limit policy and the workday overrides are cached), the UPDATE, the
# chain's last hash, the event, the complainant's notice, the re-read for the answer, the
# access log.
STATEMENTS = {"accept": 10, "find_founded": 9, "determine_breach": 9}


def _walk(client, complaint, record=None):
    for action, body, to_status in STEPS:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                f"/api/v1/complaints/{complaint.reference}/{action}/", body, format="json"
            )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to_status
        if record is not None:
            record[action] = [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db(transaction=True)
def test_each_action_is_one_transaction_of_fixed_size(client_for):
    warm, measured = complaint_in(Status.ROUTED), complaint_in(Status.ROUTED)
    _walk(client_for(handler_of(warm)), warm)  # caches (policy, time limits) filled
    record: dict[str, list[str]] = {}
    _walk(client_for(handler_of(measured)), measured, record)
    for action, sql in record.items():
        upper = [text.strip().upper() for text in sql]
        # (SQLite in embedded mode begins IMMEDIATE: the writer takes its lock up front.)
        assert upper[0].startswith("BEGIN"), (action, "a statement before it", sql[0])
        commit = upper.index("COMMIT")
        inside = upper[1:commit]
        assert not [text for text in inside if text.startswith("BEGIN")]
        assert len(inside) == STATEMENTS[action], (action, "\n".join(s[:70] for s in sql))
        assert any(text.startswith('INSERT INTO "INTEGRITY_PORTAL_ACCESSLOG"') for text in inside)
        # What follows the commit is the work it hands over (run at once in embedded mode).
