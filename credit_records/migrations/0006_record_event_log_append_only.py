"""PostgreSQL refuses UPDATE and DELETE on the credit-record event log, as on the complaint
event log (complaints migration 0012, whose trigger function this reuses through
``integrity_portal.append_only``).

The ORM already refuses (``AppendOnly``); this holds against raw SQL and other clients too.
"""

from django.db import migrations

from integrity_portal.append_only import refuse_update_and_delete


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0005_record_terms_and_perform_deadline"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [refuse_update_and_delete("credit_records_creditrecordevent")]
