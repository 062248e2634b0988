"""PostgreSQL refuses UPDATE and DELETE on the credit-record event log, as on the complaint
event log (complaints migration 0012, whose trigger function this reuses).

The ORM already refuses (``AppendOnly``); this holds against raw SQL and other clients too.
TRUNCATE (test flushes, a restore) is a different statement and is not refused. Only on
PostgreSQL: the embedded SQLite database is a single-user development store.
"""

from django.db import migrations

TABLE = "credit_records_creditrecordevent"

CREATE = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION integrity_portal_refuse_change();
"""

DROP = f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0005_record_terms_and_perform_deadline"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [migrations.RunPython(forward, backward)]
