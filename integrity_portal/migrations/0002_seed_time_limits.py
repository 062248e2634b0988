"""Seed the default time limits of DESIGN section 5 (editable afterwards in the admin)."""

from django.db import migrations


def seed(apps, schema_editor):
    from integrity_portal.seeding import seed_time_limits

    seed_time_limits(apps.get_model("integrity_portal", "TimeLimitPolicy"))


class Migration(migrations.Migration):
    dependencies = [("integrity_portal", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
