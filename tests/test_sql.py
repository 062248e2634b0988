"""The hot-path INSERT helpers write exactly the rows the ORM would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint, Notification
from integrity_portal import sql as sql_module
from integrity_portal.sql import execute_prepared, insert_instance, insert_rows
from tests.agencies.factories import AgencyFactory, make_uscc

pytestmark = pytest.mark.django_db


def _complaint(reference: str, respondent) -> Complaint:
    return Complaint(
        reference=reference,
        access_code_hash="h" * 64,
        status="routed",
        complainant_type="enterprise",
        complainant_name="杭州测试建设有限公司",
        complainant_uscc=make_uscc(7, prefix="91330106"),
        contact_name="张三",
        contact_phone="13800000001",
        respondent_agency=respondent,
        handling_agency=respondent.supervisor,
        domain="payment_arrears",
        title="工程款拖欠",
        description="<script>alert(1)</script> 保存原文",
        contract_signed_on=dt.date(2024, 3, 1),
        amount_involved=Decimal("385000.50"),
        submitted_at=timezone.now(),
    )


def test_insert_instance_writes_the_row_save_writes():
    respondent = AgencyFactory(supervisor=AgencyFactory())
    by_orm = _complaint("2026-900001", respondent)
    by_orm.save()
    fast = _complaint("2026-900002", respondent)
    insert_instance(fast)

    assert fast.pk and fast.pk != by_orm.pk
    assert not fast._state.adding
    stored = {c.reference: c for c in Complaint.objects.filter(pk__in=[by_orm.pk, fast.pk])}
    ignore = {"id", "reference", "submitted_at", "updated_at"}
    orm_row = {k: v for k, v in model_to_dict(stored["2026-900001"]).items() if k not in ignore}
    fast_row = {k: v for k, v in model_to_dict(stored["2026-900002"]).items() if k not in ignore}
    assert fast_row == orm_row
    assert stored["2026-900002"].amount_involved == Decimal("385000.50")
    assert stored["2026-900002"].channel == "web", "model defaults are written"
    assert stored["2026-900002"].updated_at is not None, "auto_now stamps are set"


def test_insert_rows_returns_ids_in_row_order():
    respondent = AgencyFactory(supervisor=AgencyFactory())
    complaint = _complaint("2026-900003", respondent)
    insert_instance(complaint)
    now = timezone.now()
    fields = ["complaint", "channel", "recipient", "subject", "body", "created_at"]
    fields += ["attempts", "last_error"]
    rows = [(complaint.pk, "sms", f"1380000000{i}", "", f"正文{i}", now, 0, "") for i in range(3)]
    ids = insert_rows(Notification, fields, rows, returning="id")
    assert [Notification.objects.get(pk=pk).recipient for pk in ids] == [r[2] for r in rows]


@pytest.mark.postgres
class TestPreparedStatements:
    """``execute_prepared``: parsed and planned once per connection, then only executed."""

    SQL = "SELECT %s::int + %s::int"

    def _run(self, *params):
        with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
            execute_prepared(cursor, self.SQL, list(params))
            (value,) = cursor.fetchone()
        return value, [q["sql"].split()[0] for q in queries.captured_queries]

    def test_prepares_once_then_executes(self):
        assert self._run(2, 3) in [(5, ["PREPARE", "EXECUTE"]), (5, ["EXECUTE"])]
        assert self._run(40, 2) == (42, ["EXECUTE"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE name = %s",
                [sql_module._prepared_name(self.SQL)],
            )
            assert cursor.fetchone() == (
                "PREPARE " + sql_module._prepared_name(self.SQL) + " AS SELECT $1::int + $2::int",
            )

    def test_a_new_connection_prepares_again(self):
        self._run(1, 1)
        # As after a reconnect: the server session holds no statements, and what this
        # connection wrapper remembers belongs to the connection it had before.
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        connection._prepared_statements = (object(), {sql_module._prepared_name(self.SQL)})
        assert self._run(1, 2) == (3, ["PREPARE", "EXECUTE"])

    def test_off_runs_the_plain_statement(self, settings):
        settings.DATABASE_PREPARED_STATEMENTS = False
        assert self._run(2, 2) == (4, ["SELECT"])

    def test_a_forgotten_statement_fails_its_transaction_once(self):
        self._run(1, 1)
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does
        with pytest.raises(DatabaseError), transaction.atomic():
            self._run(1, 1)
        assert self._run(3, 4) == (7, ["PREPARE", "EXECUTE"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_forgotten_statement_is_prepared_again_outside_a_transaction():
    run = TestPreparedStatements()._run
    run(1, 1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert run(5, 6) == (11, ["EXECUTE", "PREPARE", "EXECUTE"])


def test_placeholders_become_numbered_parameters():
    assert sql_module._numbered("SELECT %s, %s FROM t WHERE a = %s") == (
        "SELECT $1, $2 FROM t WHERE a = $3"
    )
