"""PostgreSQL refuses UPDATE and DELETE on the two other append-only tables of the app, as on
the record event log (0006; ``integrity_portal.append_only``):

- ``credit_records_agencyrecordchange``, the outbox of record changes: the sanctions sweep
  reads it by id past its cursor, so a row changed or removed is a change never reconciled;
- ``credit_records_agencycreditscorehistory``, the score trend: only ever inserted
  (``services.scoring``).

Nothing in the code updates or deletes either (no retention job, no command, every foreign
key to them or from them is PROTECT); the ORM already refuses (``AppendOnly``).
"""

from django.db import migrations

from integrity_portal.append_only import refuse_update_and_delete


class Migration(migrations.Migration):
    dependencies = [
        ("credit_records", "0008_complaint_event_watermark"),
        ("complaints", "0012_event_log_append_only"),  # the trigger function
    ]

    operations = [refuse_update_and_delete("credit_records_agencyrecordchange", "credit_records_agencycreditscorehistory")]
