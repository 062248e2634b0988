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
