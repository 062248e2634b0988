import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from complaints.choices import Status
from complaints.models import ComplaintEvent
from tests.complaints.test_workflow_helpers import complaint_in

pytestmark = pytest.mark.django_db


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
        cursor.execute(
            "UPDATE complaints_complaintevent SET note = %s WHERE id = %s", ["篡改", event.pk]
        )
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} event {event.seq}: altered" in out


def test_a_deleted_event_is_reported_as_missing():
    c = complaint_in(Status.RECTIFIED)
    event = ComplaintEvent.objects.filter(complaint=c).order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_complaintevent WHERE id = %s", [event.pk])
    ok, out = _run()
    assert not ok
    assert "missing events" in out and "broken link" in out


@pytest.mark.parametrize("which", ["last", "all"])
def test_events_deleted_at_the_end_are_reported(which):
    c = complaint_in(Status.RECTIFIED)
    events = ComplaintEvent.objects.filter(complaint=c).order_by("seq")
    doomed = [events.last().pk] if which == "last" else list(events.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for pk in doomed:
            cursor.execute("DELETE FROM complaints_complaintevent WHERE id = %s", [pk])
    ok, out = _run()
    assert not ok
    assert f"complaint {c.pk} event" in out and "at the end" in out


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
