"""docs/schemas/v2 (docs/EXCHANGE.md): real feed pages and webhook bodies validate against the
published JSON Schemas, and a payload that breaks the contract does not; a v1 reader's feed
leaves out what v1 does not know."""

import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from agencies.choices import StaffRole
from credit_records.services.clients import integration_client_create
from credit_records.services.objections import objection_file
from sanctions.services import agency_sanctions_reconcile
from sharing.services.webhooks import webhooks_run_once
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_intake_api import payload
from tests.sharing.receiver import Receiver

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "docs" / "schemas"
SCHEMAS = ROOT / "v2"  # the version the feed and the webhooks send


def _registry(directory):
    resources = []
    for path in directory.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name, directory=SCHEMAS):
    schema = json.loads((directory / f"{name}.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, registry=_registry(directory), format_checker=jsonschema.FormatChecker()
    )


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_schema_is_a_valid_json_schema(version):
    directory = ROOT / version
    names = sorted(p.stem for p in directory.glob("*.json"))
    assert names == [
        "change",
        "changes-page",
        "credit_record",
        "objection",
        "origin-status",
        "repair",
        "sanction",
        "webhook-change",
    ]
    for name in names:
        schema = json.loads((directory / f"{name}.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert f"/schemas/{version}/" in schema["$id"]


@pytest.fixture
def world(client_for, credit_officer, make_staff):
    """A record pushed, its sanctions imposed, an objection filed and dismissed, a second
    record repaired, one withdrawn: every entity and most actions."""
    from credit_records.services.objections import objection_dismiss
    from sanctions.services import repair_apply, repair_approve

    agency = AgencyFactory()
    api = client_for(credit_officer)

    def push(ref, severity="serious", decided_on="2026-05-20"):
        body = {
            "agency": agency.pk,
            "kind": "dishonest_debtor",
            "severity": severity,
            "facts": "未履行",
            "amount": "1250000.00",
            "decided_on": decided_on,
            "source": "court",
            "source_ref": ref,
        }
        return api.post("/api/v1/credit-records/", body, format="json").json()["id"]

    first = push("R-1")
    agency_sanctions_reconcile(agency.pk)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=agency)
    objection = objection_file(record_id=first, actor=liaison, reason="已履行")
    objection_dismiss(objection_id=objection.pk, actor=credit_officer)
    minor = push("R-2", severity="minor", decided_on="2025-01-02")
    repair = repair_apply(record_id=minor, actor=liaison, statement="已付清", commitment=True)
    repair_approve(repair_id=repair.pk, actor=credit_officer)
    api.post(f"/api/v1/credit-records/{first}/withdraw/", {"reason": "已撤回"}, format="json")
    agency_sanctions_reconcile(agency.pk)
    return api


def test_real_feed_pages_validate(world):
    page = world.get("/api/v1/changes/", {"limit": 1000}).json()
    entities = {c["entity"] for c in page["results"]}
    assert entities == {"credit_record", "sanction", "objection", "repair"}
    errors = list(validator("changes-page").iter_errors(page))
    assert not errors, [e.message for e in errors[:5]]


def test_a_change_that_breaks_the_contract_does_not_validate(world):
    change = world.get("/api/v1/changes/", {"limit": 1}).json()["results"][0]
    check = validator("change")
    check.validate(change)
    broken = {**change, "data": {**change["data"], "status": "deleted"}}
    assert list(check.iter_errors(broken))
    assert list(check.iter_errors({k: v for k, v in change.items() if k != "cursor"}))


def test_real_webhook_bodies_validate(world, credit_officer, client_for):
    with Receiver() as receiver:
        client_for(credit_officer).post(
            "/api/v1/webhooks/",
            {
                "url": receiver.url,
                "secret": "x" * 40,
                "entities": ["credit_record", "sanction", "repair", "objection"],
            },
            format="json",
        )
        agency = AgencyFactory()  # in the officer's region: its subscription receives it
        from sharing.services.changes import changes_record

        # A later change: not valid data.
        changes_record([("repair", 1, "created", {"agency": agency.pk})])
        webhooks_run_once()
    check = validator("webhook-change")
    bodies = [json.loads(b) for _h, b in receiver.requests]
    assert len(bodies) == 1
    assert list(check.iter_errors(bodies[0]))  # the synthetic repair above lacks its fields
    body = {
        **bodies[0],
        "data": world.get("/api/v1/changes/", {"entity": "repair"}).json()["results"][0]["data"],
    }
    assert not list(check.iter_errors(body))


def test_origin_status_bodies_validate(client_for, credit_officer):
    respondent = AgencyFactory(supervisor=AgencyFactory())
    client, _token = integration_client_create(name="12345平台", source="hotline_12345")
    from complaints.services.intake import complaint_submit

    with Receiver() as receiver:
        client_for(credit_officer).post(
            "/api/v1/webhooks/",
            {
                "url": receiver.url,
                "secret": "x" * 40,
                "kind": "origin",
                "origin_channel": "hotline_12345",
            },
            format="json",
        )
        complaint_submit(data=payload(respondent), actor=client.user, external_ref="GD-7")
        webhooks_run_once()
    check = validator("origin-status")
    bodies = [json.loads(b) for _h, b in receiver.requests]
    assert bodies
    for body in bodies:
        assert not list(check.iter_errors(body)), body


def test_a_sanctions_new_basis_is_a_change_that_validates_and_a_v1_reader_skips_it(
    client_for, credit_officer
):
    """A record added to the set behind a sanction in force: the sanction is not imposed
    again, its basis changes — one ``basis_changed`` change with the sanction's fields."""
    from sanctions.models import Sanction
    from tests.sanctions.helpers import record

    agency = AgencyFactory()
    first = record(agency, kind="dishonest_debtor", severity="serious")
    agency_sanctions_reconcile(agency.pk)
    held = set(Sanction.objects.filter(agency=agency, status="active").values_list("pk", flat=True))
    assert held
    second = record(agency, kind="dishonest_debtor", severity="serious")
    api = client_for(credit_officer)
    start = api.get("/api/v1/changes/", {"limit": 1000}).json()["next"]
    with Receiver() as receiver:
        api.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "secret": "x" * 40, "entities": ["sanction"]},
            format="json",
        )
        agency_sanctions_reconcile(agency.pk)
        webhooks_run_once()
    # Still in force (a rule needing two records may add new ones, imposed apart).
    assert held <= set(Sanction.objects.filter(status="active").values_list("pk", flat=True))
    page = api.get("/api/v1/changes/", {"after": start}).json()
    rebased = [c for c in page["results"] if c["action"] == "basis_changed"]
    assert {c["id"] for c in rebased} == held
    for change in rebased:
        assert change["data"]["basis_records"] == sorted([first.pk, second.pk])
        assert change["data"]["status"] == "active"
        assert not list(validator("change").iter_errors(change))
        assert not list(validator("sanction").iter_errors(change["data"]))
        assert list(validator("change", ROOT / "v1").iter_errors(change))  # v1 knows no such
    assert not list(validator("changes-page").iter_errors(page))
    bodies = [json.loads(b) for _h, b in receiver.requests]
    assert {b["id"] for b in bodies if b["action"] == "basis_changed"} == held
    for body in bodies:
        assert not list(validator("webhook-change").iter_errors(body))
    # A v1 reader reads on without them; an unknown version is a 400 naming it.
    v1 = api.get("/api/v1/changes/", {"after": start, "version": "1"}).json()["results"]
    assert v1 == [c for c in page["results"] if c["action"] != "basis_changed"]
    bad = api.get("/api/v1/changes/", {"version": "3"})
    assert bad.status_code == 400 and "version" in bad.json()
