"""The change feed (DESIGN sections 9 and 13): every change of records, sanctions, repairs and
objections, exactly once, in commit order, nothing skipped while writers commit around it."""

import random
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from credit_records.services.clients import integration_client_create
from sharing.models import Change
from sharing.services import changes_read, changes_record, changes_sequence

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"


def push(api, agency, ref="(2026)执1号", **over):
    body = {
        "agency": agency.pk,
        "kind": "dishonest_debtor",
        "severity": "serious",
        "facts": "未履行生效判决",
        "decided_on": "2026-05-20",
        "source": "court",
        "source_ref": ref,
    }
    body.update(over)
    answer = api.post("/api/v1/credit-records/", body, format="json")
    assert answer.status_code in (200, 201), answer.content
    return answer.json()["id"]


def drain(api, *, limit=100, after=None):
    seen, params = [], {"limit": limit}
    if after is not None:
        params["after"] = after
    while True:
        page = api.get(FEED, params)
        assert page.status_code == 200, page.content
        body = page.json()
        seen += body["results"]
        if not body["results"]:
            return seen, body["next"]
        params["after"] = body["next"]


def test_a_pushed_record_its_sanctions_and_its_withdrawal_appear_in_order(
    client_for, credit_officer, agency
):
    api = client_for(credit_officer)
    record_id = push(api, agency)
    from sanctions.services import agency_sanctions_reconcile

    agency_sanctions_reconcile(agency.pk)
    api.post(f"/api/v1/credit-records/{record_id}/withdraw/", {"reason": "已履行"}, format="json")
    agency_sanctions_reconcile(agency.pk)

    changes, next_cursor = drain(api, limit=3)

    actions = [(c["entity"], c["action"]) for c in changes]
    assert actions[:2] == [("credit_record", "created"), ("credit_record", "published")]
    assert ("credit_record", "withdrawn") in actions
    imposed = [c for c in changes if c["action"] == "imposed"]
    lifted = [c for c in changes if c["action"] == "lifted"]
    assert imposed and len(imposed) == len(lifted)
    assert actions.index(("credit_record", "withdrawn")) < actions.index(("sanction", "lifted"))
    first = changes[0]
    assert set(first) == {"cursor", "at", "entity", "id", "action", "data"}
    assert first["id"] == record_id
    assert first["data"]["status"] == "active"
    assert first["data"]["source_ref"] == "(2026)执1号"
    assert set(imposed[0]["data"]) >= {
        "id",
        "agency",
        "measure",
        "rule",
        "status",
        "imposed_at",
        "lifted_at",
        "lift_reason",
        "basis_records",
    }
    assert lifted[0]["data"]["status"] == "lifted"
    cursors = [int(c["cursor"]) for c in changes]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    # Following next at the end answers nothing new and the same cursor.
    again = api.get(FEED, {"after": next_cursor}).json()
    assert again == {"results": [], "next": next_cursor}


def test_objections_and_repairs_are_in_the_feed(client_for, credit_officer, make_staff, agency):
    from credit_records.services.objections import objection_dismiss, objection_file

    api = client_for(credit_officer)
    record_id = push(api, agency)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    objection = objection_file(record_id=record_id, actor=liaison, reason="已履行")
    objection_dismiss(objection_id=objection.pk, actor=credit_officer)
    changes, _next = drain(api)
    entries = [(c["entity"], c["action"], c["data"].get("status")) for c in changes]
    assert ("objection", "created", "pending") in entries
    assert ("objection", "status_changed", "dismissed") in entries
    assert ("credit_record", "status_changed", "under_objection") in entries


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "99999999", "9" * 40, " "])
def test_a_malformed_or_never_issued_cursor_is_400(client_for, credit_officer, agency, after):
    api = client_for(credit_officer)
    push(api, agency)
    answer = api.get(FEED, {"after": after})
    assert answer.status_code == 400
    assert "after" in answer.json()


@pytest.mark.parametrize("limit", ["0", "x", "1001", "-5"])
def test_a_bad_limit_is_400(client_for, credit_officer, limit):
    assert client_for(credit_officer).get(FEED, {"limit": limit}).status_code == 400


def test_who_may_read_the_feed(client_for, make_staff, agency):
    assert APIClient().get(FEED).status_code == 401
    for role, expected in [
        (StaffRole.AUDITOR, 200),
        (StaffRole.CREDIT_OFFICER, 200),
        (StaffRole.AGENCY_LIAISON, 403),
        (StaffRole.HANDLER, 403),
    ]:
        assert client_for(make_staff(role=role)).get(FEED).status_code == expected, role
    _c, token = integration_client_create(name="市中级人民法院", source="court")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(FEED).status_code == 403
    _c, token = integration_client_create(
        name="市公共信用信息平台", source="credit_office", reads_changes=True
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(FEED).status_code == 200


def test_the_empty_feed_answers_a_cursor_to_start_from(client_for, credit_officer):
    body = client_for(credit_officer).get(FEED).json()
    assert body == {"results": [], "next": "0"}


def test_entity_filter(client_for, credit_officer, agency):
    api = client_for(credit_officer)
    push(api, agency)
    from sanctions.services import agency_sanctions_reconcile

    agency_sanctions_reconcile(agency.pk)
    only = api.get(FEED, {"entity": "sanction"}).json()["results"]
    assert only and {c["entity"] for c in only} == {"sanction"}
    assert api.get(FEED, {"entity": "complaint"}).status_code == 400


# --- the outbox gap, on PostgreSQL ----------------------------------------------------------


@pytest.mark.postgres
def test_a_change_that_commits_after_a_later_one_is_read_after_it_and_never_skipped(
    transactional_db,
):
    opened, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                changes_record([("credit_record", 1, "created", {"n": "slow"})])
                opened.set()
                release.wait(timeout=10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert opened.wait(timeout=10)
    with transaction.atomic():  # a later id that commits first
        changes_record([("credit_record", 2, "created", {"n": "fast"})])

    first = changes_read(after=0, limit=100)
    assert [c.data["n"] for c in first] == ["fast"]
    release.set()
    assert done.wait(timeout=10)
    thread.join()
    second = changes_read(after=first[-1].position, limit=100)

    assert [c.data["n"] for c in second] == ["slow"]
    slow, fast = Change.objects.get(data__n="slow"), Change.objects.get(data__n="fast")
    assert slow.id < fast.id and slow.position > fast.position  # commit order, not id order


@pytest.mark.postgres
def test_a_reader_draining_while_writers_commit_out_of_order_sees_each_change_once(
    transactional_db,
):
    writers, per_writer = 4, 25
    stop = threading.Event()
    seen: list[tuple] = []
    rng = random.Random(19)
    delays = [[rng.random() * 0.01 for _ in range(per_writer)] for _ in range(writers)]

    def writer(w):
        try:
            for i in range(per_writer):
                with transaction.atomic():
                    changes_record([("sanction", w * 1000 + i, "imposed", {"w": w, "i": i})])
                    time.sleep(delays[w][i])  # hold the transaction open: commits interleave
        finally:
            connection.close()

    def reader():
        after = 0
        try:
            while True:
                batch = changes_read(after=after, limit=7)
                seen.extend((c.position, c.object_id) for c in batch)
                if batch:
                    after = batch[-1].position
                elif stop.is_set():
                    batch = changes_read(after=after, limit=1000)
                    seen.extend((c.position, c.object_id) for c in batch)
                    return
                else:
                    time.sleep(0.002)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    read = threading.Thread(target=reader)
    read.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    stop.set()
    read.join(timeout=60)

    ids = [object_id for _p, object_id in seen]
    assert len(ids) == writers * per_writer
    assert len(set(ids)) == len(ids)  # exactly once
    assert [p for p, _o in seen] == list(range(1, len(seen) + 1))  # no hole, in order
    for w in range(writers):  # each writer's own commits keep their order
        mine = [o for o in ids if o // 1000 == w]
        assert mine == sorted(mine)


def test_the_sequencer_numbers_only_once_and_continues_after_the_last(db):
    changes_record([("repair", 1, "created", {}), ("repair", 2, "created", {})])
    assert changes_sequence() == 2
    assert changes_sequence() == 0
    changes_record([("repair", 3, "created", {})])
    assert changes_sequence(batch=1) == 1
    assert list(Change.objects.order_by("position").values_list("object_id", "position")) == [
        (1, 1),
        (2, 2),
        (3, 3),
    ]
