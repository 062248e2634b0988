"""PostgreSQL refuses UPDATE and DELETE on the repair event log, as on the complaint and
credit-record event logs (complaints migration 0012, whose trigger function this reuses
through ``integrity_portal.append_only``).

Nothing in the code updates or deletes repair events (``services.repairs`` only inserts; the
repair they belong to is PROTECT); the ORM already refuses (``AppendOnly``).
"""

from django.db import migrations

from integrity_portal.append_only import refuse_update_and_delete


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0005_typical_case_ground_and_repair_files"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [refuse_update_and_delete("sanctions_repairevent")]
