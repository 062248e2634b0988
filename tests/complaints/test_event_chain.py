import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from complaints.choices import Status
from complaints.models import ComplaintEvent
from tests.complaints.test_workflow_helpers import complaint_in

pytestmark = pytest.mark.django_db


def tampering(cursor):
    """What an owner of the database could do: switch the append-only trigger off first
    (PostgreSQL; rolled back with the test's transaction)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(
            "ALTER TABLE complaints_complaintevent "
            "DISABLE TRIGGER complaints_complaintevent_append_only"
        )
    return cursor


def _run():
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_event_chain", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_an_untouched_chain_verifies():
    complaint_in(Status.RECTIFIED)
    complaint_in(Status.DISMISSED)
    ok, out = _run()
    assert ok, out
    assert "intact" in out


def test_an_event_altered_with_raw_sql_is_reported():
    c = complaint_in(Status.RECTIFIED)
    event = ComplaintEvent.objects.filter(complaint=c).order_by("seq")[2]
    with connection.cursor() as cursor:
        tampering(cursor).execute(
            "UPDATE complaints_complaintevent SET note = %s WHERE id = %s", ["篡改", event.pk]
        )
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} ({c.reference}) event {event.seq}: altered" in out


def test_a_deleted_event_is_reported_as_missing():
    c = complaint_in(Status.RECTIFIED)
    event = ComplaintEvent.objects.filter(complaint=c).order_by("seq")[1]
    with connection.cursor() as cursor:
        tampering(cursor).execute("DELETE FROM complaints_complaintevent WHERE id = %s", [event.pk])
    ok, out = _run()
    assert not ok
    assert "missing events" in out and "broken link" in out


@pytest.mark.parametrize("which", ["last", "all"])
def test_events_deleted_at_the_end_are_reported(which):
    c = complaint_in(Status.RECTIFIED)
    events = ComplaintEvent.objects.filter(complaint=c).order_by("seq")
    doomed = [events.last().pk] if which == "last" else list(events.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        tampering(cursor)
        for pk in doomed:
            cursor.execute("DELETE FROM complaints_complaintevent WHERE id = %s", [pk])
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} ({c.reference}) event" in out and "at the end" in out


def test_a_status_changed_behind_the_logs_back_is_reported():
    c = complaint_in(Status.RECTIFIED)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET status = %s WHERE id = %s", ["unfounded", c.pk]
        )
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} ({c.reference})" in out and "left by its last event" in out


def test_an_edit_with_the_chain_recomputed_forward_without_the_key_is_reported():
    import hashlib
    import json

    from complaints.services.events import event_payload

    c = complaint_in(Status.RECTIFIED)
    events = list(ComplaintEvent.objects.filter(complaint=c).order_by("seq"))
    events[1].note = "篡改"
    prev = events[0].hash
    with connection.cursor() as cursor:
        tampering(cursor)
        for event in events[1:]:
            canonical = json.dumps(
                {"prev": prev, "complaint": c.pk, "seq": event.seq, **event_payload(event)},
                sort_keys=True,
                ensure_ascii=False,
                separators=(",", ":"),
                default=str,
            )
            digest = hashlib.sha256(canonical.encode()).hexdigest()  # all a forger can do
            cursor.execute(
                "UPDATE complaints_complaintevent SET note = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [event.note, prev, digest, event.pk],
            )
            prev = digest
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} ({c.reference}) event 2: altered" in out


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE complaints_complaintevent SET note = 'x' WHERE complaint_id = %s",
        "DELETE FROM complaints_complaintevent WHERE complaint_id = %s",
    ],
)
def test_postgresql_refuses_to_change_or_delete_events(statement):
    from django.db import DatabaseError, transaction

    c = complaint_in(Status.VERIFYING)
    count = ComplaintEvent.objects.filter(complaint=c).count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [c.pk])
    assert ComplaintEvent.objects.filter(complaint=c).count() == count


def test_internal_notes_never_reach_the_public_timeline():
    c = complaint_in(Status.RECTIFIED)
    public = ComplaintEvent.objects.filter(complaint=c, is_public=True)
    assert public.exists()
    assert all("合同约定付款期已过" not in e.message for e in public)


def test_the_admin_offers_no_way_to_change_or_delete_events(superuser):
    from django.test import Client

    c = complaint_in(Status.VERIFYING)
    event = ComplaintEvent.objects.filter(complaint=c).first()
    client = Client()
    client.force_login(superuser)
    page = client.get(f"/admin/complaints/complaintevent/{event.pk}/change/")
    assert page.status_code == 200  # viewable
    assert b'name="_save"' not in page.content
    assert client.get(f"/admin/complaints/complaintevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/complaints/complaintevent/{event.pk}/change/", {"note": "篡改"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note != "篡改"


def test_the_last_event_deleted_and_the_head_wound_back_is_reported():
    """The forger deletes the last event and sets the head on the complaint to the event
    before it (whose hash is in the log): the head's seal, keyed, no longer matches."""
    c = complaint_in(Status.RECTIFIED)
    events = list(ComplaintEvent.objects.filter(complaint=c).order_by("seq"))
    last, before = events[-1], events[-2]
    with connection.cursor() as cursor:
        tampering(cursor).execute("DELETE FROM complaints_complaintevent WHERE id = %s", [last.pk])
        cursor.execute(
            "UPDATE complaints_complaint SET last_event_seq = %s, last_event_hash = %s, "
            "status = %s WHERE id = %s",
            [before.seq, before.hash, before.to_status, c.pk],
        )
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} ({c.reference}) event {before.seq}: chain head altered" in out


def test_a_head_hash_that_is_not_the_last_events_is_reported():
    c = complaint_in(Status.RECTIFIED)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET last_event_hash = %s WHERE id = %s", ["0" * 64, c.pk]
        )
    ok, out = _run()
    assert not ok
    assert "chain head altered" in out and "is not its last event's" in out


def test_the_head_is_kept_and_sealed_on_every_write():
    from complaints.models import Complaint
    from complaints.services.events import chain_seal

    c = Complaint.objects.get(pk=complaint_in(Status.RECTIFIED).pk)
    last = ComplaintEvent.objects.filter(complaint=c).order_by("seq").last()
    assert (c.last_event_seq, c.last_event_hash) == (last.seq, last.hash)
    assert c.chain_seal == chain_seal(complaint_id=c.pk, seq=last.seq, last_hash=last.hash)


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE {t} SET note = 'x'", "DELETE FROM {t}"])
def test_postgresql_refuses_to_change_or_delete_credit_record_events(statement):
    from django.db import DatabaseError, transaction

    from credit_records.models import CreditRecordEvent
    from tests.agencies.factories import AgencyFactory
    from tests.sanctions.helpers import record

    record(AgencyFactory())
    count = CreditRecordEvent.objects.count()
    assert count
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement.format(t="credit_records_creditrecordevent"))
    assert CreditRecordEvent.objects.count() == count


def _legacy(c):
    """Write ``c``'s chain as before the HMAC (plain SHA-256), its head as migration 0015
    filled it in."""
    from complaints.models import Complaint
    from complaints.services.events import chain_seal, event_payload, legacy_event_hash

    prev = ""
    with connection.cursor() as cursor:
        tampering(cursor)
        for event in ComplaintEvent.objects.filter(complaint=c).order_by("seq"):
            digest = legacy_event_hash(
                prev_hash=prev, complaint_id=c.pk, seq=event.seq, payload=event_payload(event)
            )
            cursor.execute(
                "UPDATE complaints_complaintevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev, digest, event.pk],
            )
            prev = digest
    seq = Complaint.objects.get(pk=c.pk).last_event_seq
    Complaint.objects.filter(pk=c.pk).update(
        last_event_hash=prev, chain_seal=chain_seal(complaint_id=c.pk, seq=seq, last_hash=prev)
    )


def _rehash(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("rehash_event_chain", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_a_chain_written_before_the_hmac_is_rehashed_and_logged():
    from integrity_portal.models import AccessLog

    legacy, keyed = complaint_in(Status.RECTIFIED), complaint_in(Status.VERIFYING)
    _legacy(legacy)
    keyed_hashes = list(ComplaintEvent.objects.filter(complaint=keyed).values_list("hash"))
    ok, out = _run()
    assert not ok and f"complaint {legacy.pk} ({legacy.reference}) event 1: altered" in out

    ok, out = _rehash("--dry-run")
    assert ok and f"would re-hash {legacy.reference}" in out
    assert not _run()[0]  # a dry run changes nothing

    ok, out = _rehash()
    assert ok, out
    assert f"re-hashed {legacy.reference}" in out and "already keyed 1" in out
    ok, out = _run()
    assert ok, out
    assert list(ComplaintEvent.objects.filter(complaint=keyed).values_list("hash")) == keyed_hashes
    log = AccessLog.objects.get(what="event_chain_rehash")
    assert (log.object_ref, log.via) == (legacy.reference, "command")


def test_a_legacy_chain_tampered_with_is_not_rehashed():
    c = complaint_in(Status.RECTIFIED)
    _legacy(c)
    event = ComplaintEvent.objects.filter(complaint=c).order_by("seq")[1]
    with connection.cursor() as cursor:
        tampering(cursor).execute(
            "UPDATE complaints_complaintevent SET note = %s WHERE id = %s", ["篡改", event.pk]
        )
    ok, out = _rehash()
    assert not ok
    assert f"NOT re-hashed {c.reference}: event {event.seq}: altered" in out
    ok, out = _run()
    assert not ok and f"event {event.seq}: altered" in out


def test_rehashing_refuses_in_production_unless_confirmed(settings):
    c = complaint_in(Status.VERIFYING)
    _legacy(c)
    settings.PRODUCTION = True
    ok, out = _rehash()
    assert not ok and "--confirm" in out
    assert not _run()[0]
    ok, out = _rehash("--confirm")
    assert ok, out
    assert _run()[0]


def test_the_migration_fills_in_the_sealed_head_of_existing_complaints():
    import importlib

    from django.apps import apps

    from complaints.models import Complaint

    migration = importlib.import_module("complaints.migrations.0018_event_chain_head")
    c = complaint_in(Status.RECTIFIED)
    Complaint.objects.filter(pk=c.pk).update(last_event_hash="", chain_seal="")
    assert not _run()[0]
    migration.fill_heads(apps, None)
    ok, out = _run()
    assert ok, out
