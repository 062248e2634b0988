"""PostgreSQL refuses UPDATE and DELETE on the two other append-only tables of the app, as on
the record event log (0006, with the same trigger function of complaints migration 0012):

- ``credit_records_agencyrecordchange``, the outbox of record changes: the sanctions sweep
  reads it by id past its cursor, so a row changed or removed is a change never reconciled;
- ``credit_records_agencycreditscorehistory``, the score trend: only ever inserted
  (``services.scoring``).

Nothing in the code updates or deletes either (no retention job, no command, every foreign
key to them or from them is PROTECT); the ORM already refuses (``AppendOnly``). TRUNCATE
(test flushes, a restore) is a different statement and is not refused. Only on PostgreSQL:
the embedded SQLite database is a single-user development store.
"""

from django.db import migrations

TABLES = ("credit_records_agencyrecordchange", "credit_records_agencycreditscorehistory")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION integrity_portal_refuse_change();"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0008_complaint_event_watermark"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [migrations.RunPython(forward, backward)]
