"""Seed the measure catalogue and the default rules of DESIGN section 7 (editable afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from sanctions.catalogue import seed_catalogue

    seed_catalogue(
        apps.get_model("sanctions", "Measure"), apps.get_model("sanctions", "SanctionRule")
    )


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
