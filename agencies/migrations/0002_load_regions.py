from django.db import migrations


def forwards(apps, schema_editor):
    from agencies.regions import load_regions

    load_regions(apps.get_model("agencies", "Region"))


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
