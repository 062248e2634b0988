import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("integrity_portal", "0002_seed_time_limits")]

    operations = [
        migrations.RemoveConstraint(model_name="sweepclaim", name="integrity_portal_sweepclaim_unique"),
        migrations.RemoveField(model_name="sweepclaim", name="key"),
        migrations.AddField(
            model_name="sweepclaim",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="sweepclaim",
            constraint=models.UniqueConstraint(
                fields=("kind", "object_id", "at"), name="integrity_portal_sweepclaim_unique_at"
            ),
        ),
    ]
