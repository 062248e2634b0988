"""PostgreSQL refuses UPDATE and DELETE on the complaint event log.

The ORM already refuses (the model and the admin); this holds against raw SQL and other
clients too. TRUNCATE (test flushes, a restore) is a different statement and is not refused.
Only on PostgreSQL: the embedded SQLite database is a single-user development store.
"""

from django.db import migrations

TABLE = "complaints_complaintevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION integrity_portal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on %: the event log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION integrity_portal_refuse_change();
"""

DROP = f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL holds literal % signs


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_origin_ids_and_updated_index")]

    operations = [migrations.RunPython(forward, backward)]
