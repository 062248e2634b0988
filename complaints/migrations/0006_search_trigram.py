"""Trigram indexes for the staff search (``q``) on PostgreSQL.

Django's ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)``, so the indexes are on
exactly that expression. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner
may create it. SQLite (embedded mode) has no equivalent and scans, which is fine at its scale.
"""

from django.db import migrations

COLUMNS = ("title", "complainant_name")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS complaints_{column}_trgm ON complaints_complaint "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS complaints_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_queue_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
