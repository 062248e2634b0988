"""The event chain's length on the complaint row (``Complaint.last_event_seq``), filled in from
each complaint's events."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_from_events(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ComplaintEvent = apps.get_model("complaints", "ComplaintEvent")
    last = ComplaintEvent.objects.filter(complaint=OuterRef("pk")).order_by("-seq").values("seq")
    Complaint.objects.update(last_event_seq=Coalesce(Subquery(last[:1]), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_drop_unread_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="last_event_seq",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(fill_from_events, migrations.RunPython.noop),
    ]
