"""PostgreSQL refuses UPDATE and DELETE on the repair event log, as on the complaint and
credit-record event logs (complaints migration 0012, whose trigger function this reuses).

Nothing in the code updates or deletes repair events (``services.repairs`` only inserts; the
repair they belong to is PROTECT); the ORM already refuses (``AppendOnly``). TRUNCATE (test
flushes, a restore) is a different statement and is not refused. Only on PostgreSQL: the
embedded SQLite database is a single-user development store.
"""

from django.db import migrations

TABLE = "sanctions_repairevent"

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
        ("sanctions", "0005_typical_case_ground_and_repair_files"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [migrations.RunPython(forward, backward)]
