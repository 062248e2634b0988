"""PostgreSQL: one reference SEQUENCE per year, created ahead so intake never has to.

Years outside this range are still created on first use (complaints.services.references).
"""

from django.db import migrations

YEARS = range(2020, 2101)


def create_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for year in YEARS:
        schema_editor.execute(
            f'CREATE SEQUENCE IF NOT EXISTS "complaints_reference_{year:04d}_seq"'
        )


def drop_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for year in YEARS:
        schema_editor.execute(f'DROP SEQUENCE IF EXISTS "complaints_reference_{year:04d}_seq"')


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_intake_reference_counter_and_outbox_claim")]

    operations = [migrations.RunPython(create_sequences, drop_sequences, elidable=False)]
