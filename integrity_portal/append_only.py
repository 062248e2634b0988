"""The migration operation that makes a table append-only on PostgreSQL.

``refuse_update_and_delete(*tables)`` adds to each table a row trigger that calls
``integrity_portal_refuse_change()`` (created by complaints migration 0012, on which a
migration using this must depend) and so refuses UPDATE and DELETE, from the ORM, raw SQL and
other clients alike. TRUNCATE (test flushes, a restore) is a different statement and is not
refused. Only on PostgreSQL: the embedded SQLite database is a single-user development store.
Migrations call this, so the SQL it sends must never change.
"""

from django.db import migrations


def refuse_update_and_delete(*tables: str) -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION integrity_portal_refuse_change();"
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")

    return migrations.RunPython(forward, backward)
