"""Webhooks (DESIGN sections 9 and 13): registered by the credit office, each change POSTed
signed and in order, retried through the receiver's outage, never redirected, parked after a
day, redelivered from the log; status notices back to the origin system."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.services.intake import complaint_submit
from complaints.services.workflow import complaint_accept
from sharing.choices import DeliveryStatus
from sharing.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from sharing.services.changes import changes_record
from sharing.services.webhooks import webhooks_deliver, webhooks_fan_out
from sharing.tasks import webhooks_run
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_intake_api import payload
from tests.sharing.receiver import Receiver

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks/"
SECRET = "s" * 16 + "e" * 16 + "cret"


@pytest.fixture
def credit_officer(make_staff):
    """The city-wide credit office (its agency has no region): its subscriptions receive every
    change, including these tests' bare changes without an agency. Region-scoped
    subscriptions are tested in test_levels_office.py."""
    return make_staff(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))


def subscribe(api, url, entities=("credit_record", "sanction", "repair", "objection"), **over):
    body = {"url": url, "secret": SECRET, "entities": list(entities), **over}
    return api.post(HOOKS, body, format="json")


def change(n, entity="credit_record"):
    changes_record([(entity, n, "created", {"id": n})])


def verify(headers, body):
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Portal-Signature"], expected)


@pytest.mark.parametrize(
    ("url", "secret", "field"),
    [
        ("ftp://receiver.example/hook", SECRET, "url"),
        ("javascript:alert(1)", SECRET, "url"),
        ("http://testserver/api/v1/changes/", SECRET, "url"),
        ("https://receiver.example/hook", "short", "secret"),
        ("https://receiver.example/hook", "x" * 31, "secret"),
    ],
)
def test_bad_url_or_short_secret_is_400_and_nothing_stored(
    client_for, credit_officer, url, secret, field
):
    answer = client_for(credit_officer).post(
        HOOKS, {"url": url, "secret": secret, "entities": ["sanction"]}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    assert not WebhookSubscription.objects.exists()


def test_allowed_hosts_limit_the_receivers(client_for, credit_officer, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.0.0.0/8", "credit.example.gov.cn"]
    api = client_for(credit_officer)
    assert subscribe(api, "http://10.20.30.40:8080/hook").status_code == 201
    assert subscribe(api, "https://credit.example.gov.cn/in").status_code == 201
    refused = subscribe(api, "http://192.168.1.5/hook")
    assert refused.status_code == 400 and "url" in refused.json()
    assert subscribe(api, "https://evil.example.com/in").status_code == 400
    assert WebhookSubscription.objects.count() == 2


def test_unknown_entities_are_400_and_the_secret_is_never_shown(client_for, credit_officer):
    api = client_for(credit_officer)
    assert subscribe(api, "https://r.example/h", entities=["complaint"]).status_code == 400
    assert subscribe(api, "https://r.example/h", entities=[]).status_code == 400
    made = subscribe(api, "https://r.example/h")
    assert made.status_code == 201
    assert "secret" not in made.json()
    assert SECRET not in json.dumps(api.get(HOOKS).json())


def test_only_the_credit_office_manages_webhooks(client_for, make_staff):
    for role in (StaffRole.AUDITOR, StaffRole.HANDLER, StaffRole.AGENCY_LIAISON):
        api = client_for(make_staff(role=role))
        assert subscribe(api, "https://r.example/h").status_code == 403
    assert not WebhookSubscription.objects.exists()


def test_every_change_is_posted_signed_and_in_order(client_for, credit_officer):
    with Receiver() as receiver:
        assert subscribe(client_for(credit_officer), receiver.url).status_code == 201
        for n in range(1, 8):
            change(n)
        change(99, entity="sanction")
        assert webhooks_run() == 8
    bodies = [json.loads(body) for _h, body in receiver.requests]
    assert [b["id"] for b in bodies] == [1, 2, 3, 4, 5, 6, 7, 99]
    assert all(verify(h, body) for h, body in receiver.requests)
    first_headers, _first = receiver.requests[0]
    assert first_headers["X-Portal-Delivery"] == bodies[0]["delivery_id"]
    assert abs(int(first_headers["X-Portal-Timestamp"]) - bodies[0]["timestamp"]) <= 1
    assert len({b["delivery_id"] for b in bodies}) == 8
    assert set(bodies[0]) >= {"cursor", "at", "entity", "id", "action", "data"}


def test_a_batch_is_claimed_and_marked_in_a_fixed_number_of_queries(client_for, credit_officer):
    """However many deliveries a subscription has due, sending them costs the same queries:
    the lease, the pending head, one statement marking them all, the attempts, the release."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    with Receiver(script=[200, 204, 200, 200, 200, 200, 200, 503]) as receiver:
        assert subscribe(client_for(credit_officer), receiver.url).status_code == 201
        for batch in (range(1, 3), range(3, 9)):
            for n in batch:
                change(n)
            webhooks_fan_out()
            with CaptureQueriesContext(connection) as queries:
                assert webhooks_deliver() == len(batch) - (1 if 8 in batch else 0)
            counts.append(len(queries))
    assert counts[0] == counts[1], counts
    rows = {d.payload["id"]: d for d in WebhookDelivery.objects.all()}
    assert rows[2].last_status_code == 204 and rows[2].status == DeliveryStatus.DELIVERED
    assert all(rows[n].delivered_at and rows[n].attempts == 1 for n in range(1, 8))
    failed = rows[8]
    assert (failed.status, failed.last_status_code, failed.last_error) == (
        DeliveryStatus.PENDING,
        503,
        "http_status",
    )
    assert failed.delivered_at is None and failed.next_attempt_at > failed.first_attempt_at


def test_a_subscription_gets_only_its_entities(client_for, credit_officer):
    with Receiver() as receiver:
        subscribe(client_for(credit_officer), receiver.url, entities=["sanction"])
        change(1)
        change(2, entity="sanction")
        webhooks_run()
    assert [json.loads(b)["entity"] for _h, b in receiver.requests] == ["sanction"]


def test_nothing_is_sent_from_the_request_that_made_the_change(client_for, credit_officer):
    api = client_for(credit_officer)
    agency = AgencyFactory()
    with Receiver() as receiver:
        subscribe(api, receiver.url)
        body = {
            "agency": agency.pk,
            "kind": "dishonest_debtor",
            "severity": "serious",
            "facts": "未履行",
            "decided_on": "2026-05-20",
            "source": "court",
            "source_ref": "R-1",
        }
        assert api.post("/api/v1/credit-records/", body, format="json").status_code == 201
        assert receiver.requests == []
        assert not WebhookAttempt.objects.exists()
        webhooks_run()
        assert receiver.requests


def test_an_outage_is_retried_with_backoff_and_order_is_kept(client_for, credit_officer):
    with Receiver(script=[500, 503]) as receiver:
        subscribe(client_for(credit_officer), receiver.url)
        for n in (1, 2, 3):
            change(n)
        start = timezone.now()
        with time_machine.travel(start, tick=True) as clock:
            webhooks_fan_out()
            assert webhooks_deliver() == 0  # 500: the head waits, nothing overtakes it
            assert len(receiver.requests) == 1
            head = WebhookDelivery.objects.order_by("id").first()
            assert (head.attempts, head.last_status_code) == (1, 500)
            first_wait = head.next_attempt_at - start
            assert webhooks_deliver() == 0  # not due yet: nothing sent
            assert len(receiver.requests) == 1
            clock.shift(first_wait + dt.timedelta(seconds=1))
            assert webhooks_deliver() == 0  # 503
            head.refresh_from_db()
            assert head.next_attempt_at - timezone.now() > first_wait  # the wait grew
            clock.shift(dt.timedelta(hours=3))
            assert webhooks_deliver() == 3
    ids = [json.loads(b)["id"] for _h, b in receiver.requests]
    assert ids == [1, 1, 1, 2, 3]
    assert list(head.attempt_log.values_list("status_code", flat=True)) == [500, 503, 200]


def test_a_redirect_is_never_followed_and_counts_as_a_failure(client_for, credit_officer):
    with Receiver(script=[302]) as receiver:
        subscribe(client_for(credit_officer), receiver.url)
        change(1)
        webhooks_fan_out()
        assert webhooks_deliver() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.last_status_code, delivery.last_error) == (302, "redirect")
    assert len(receiver.requests) == 1


def test_after_24_hours_of_failures_it_is_parked_and_redelivered_from_the_log(
    client_for, credit_officer, caplog
):
    api = client_for(credit_officer)
    with Receiver(script=[500] * 40) as receiver:
        sub_id = subscribe(api, receiver.url).json()["id"]
        change(1)
        change(2)
        start = timezone.now()
        with time_machine.travel(start, tick=True) as clock:
            webhooks_fan_out()
            for _ in range(30):
                webhooks_deliver()
                clock.shift(dt.timedelta(hours=2, seconds=1))
            head = WebhookDelivery.objects.order_by("id").first()
            assert head.status == DeliveryStatus.PARKED
            assert WebhookSubscription.objects.get(pk=sub_id).parked_at is not None
            assert "parked" in caplog.text
            sent = len(receiver.requests)
            webhooks_deliver()
            assert len(receiver.requests) == sent  # parked: nothing more goes out
            log = api.get(f"{HOOKS}{sub_id}/deliveries/").json()
            assert log["results"][-1]["status"] == "parked"
            assert log["results"][-1]["attempt_log"][0]["status_code"] == 500
            receiver.script.clear()
            again = api.post(f"{HOOKS}{sub_id}/redeliver/", {"delivery": head.pk}, format="json")
            assert again.status_code == 200
            assert webhooks_deliver() == 2
    assert [json.loads(b)["id"] for _h, b in receiver.requests][-2:] == [1, 2]


def test_a_12345_complaint_reports_its_status_back_with_the_origin_id(client_for, credit_officer):
    from credit_records.services.clients import integration_client_create

    respondent = AgencyFactory(supervisor=AgencyFactory())
    client, _token = integration_client_create(name="12345平台", source="hotline_12345")
    with Receiver() as receiver:
        made = subscribe(
            client_for(credit_officer),
            receiver.url,
            entities=[],
            kind="origin",
            origin_channel="hotline_12345",
        )
        assert made.status_code == 201, made.content
        complaint, _code = complaint_submit(
            data=payload(respondent), actor=client.user, external_ref="GD-42"
        )
        from complaints.services.assignment import complaint_assign
        from tests.complaints.test_workflow_helpers import handler_of

        handler = handler_of(complaint)
        complaint_accept(complaint=complaint, actor=handler)
        # An internal step (assigning the case to a named handler) stays inside the portal.
        complaint.refresh_from_db()
        complaint_assign(complaint=complaint, actor=handler, assignee=handler)
        assert complaint.events.filter(action="assign", is_public=False).exists()
        webhooks_run()
    bodies = [json.loads(b) for _h, b in receiver.requests]
    assert [b["status"] for b in bodies] == ["pending_routing", "routed", "verifying"]
    assert "assign" not in [b["action"] for b in bodies]
    assert [b["action"] for b in bodies][-1] == "accept"
    assert {b["external_ref"] for b in bodies} == {"GD-42"}
    assert bodies[0]["reference"] == complaint.reference
    # The console's delivery log names each status by its label, not its code.
    from django.test import Client

    console = Client()
    console.force_login(credit_officer)
    log = console.get(f"/console/sharing/webhooks/{made.json()['id']}/").content.decode()
    assert "GD-42 → 核实中" in log and "→ verifying" not in log


def test_the_console_page_adds_a_subscription_shows_the_log_and_redelivers(
    credit_officer, make_staff
):
    from django.test import Client

    console = Client()
    console.force_login(credit_officer)
    page = "/console/sharing/webhooks/"
    assert console.get(page).status_code == 200
    bad = console.post(
        page, {"url": "ftp://x.example/", "secret": "short", "entities": ["sanction"]}
    )
    assert bad.status_code == 400
    assert "http" in bad.content.decode()
    assert not WebhookSubscription.objects.exists()
    with Receiver(script=[500]) as receiver:
        made = console.post(
            page, {"url": receiver.url, "secret": SECRET, "entities": ["credit_record"]}
        )
        assert made.status_code == 302
        sub = WebhookSubscription.objects.get()
        change(1)
        webhooks_run()
        log = console.get(f"/console/sharing/webhooks/{sub.pk}/").content.decode()
        assert "HTTP 500" in log
        delivery = WebhookDelivery.objects.get()
        assert (
            console.post(f"/console/sharing/webhooks/{sub.pk}/redeliver/{delivery.pk}/").status_code
            == 302
        )
        assert webhooks_run() == 1
    auditor = Client()
    auditor.force_login(make_staff(role=StaffRole.AUDITOR))
    assert auditor.get(page).status_code == 403


def test_the_command_delivers_in_embedded_mode(client_for, credit_officer):
    from io import StringIO

    from django.core.management import call_command

    with Receiver() as receiver:
        subscribe(client_for(credit_officer), receiver.url)
        change(1)
        out = StringIO()
        call_command("deliver_webhooks", stdout=out)
    assert "delivered: 1" in out.getvalue()
    assert len(receiver.requests) == 1


def test_the_console_page_adds_an_origin_systems_status_push_back(credit_officer):
    from django.test import Client

    console = Client()
    console.force_login(credit_officer)
    page = "/console/sharing/webhooks/"
    body = {"url": "https://gd.example/notify", "secret": SECRET, "kind": "origin"}
    missing = console.post(page, body)
    assert missing.status_code == 400
    assert missing.context["errors"]["origin_channel"]
    unknown = console.post(page, {**body, "origin_channel": "fax"})
    assert unknown.status_code == 400
    assert not WebhookSubscription.objects.exists()
    made = console.post(page, {**body, "origin_channel": "hotline_12345", "entities": ["sanction"]})
    assert made.status_code == 302
    sub = WebhookSubscription.objects.get()
    assert (sub.kind, sub.origin_channel, sub.entities, sub.region) == (
        "origin",
        "hotline_12345",
        [],
        "",
    )
    # Labels, never codes: the channel by its name, a region by its name.
    WebhookSubscription.objects.create(
        url="https://city.example/hook", secret=SECRET, entities=["sanction"], region="3301"
    )
    listing = console.get(page).content.decode()
    assert "gd.example" in listing and "来源系统回传：12345热线" in listing
    assert "<td>杭州市</td>" in listing and "<td>3301</td>" not in listing
