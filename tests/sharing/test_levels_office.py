"""Levels (DESIGN section 13) for the credit office's own work: county credit offices confirm
and approve repairs of their county's bodies (seed 004 二(五)), evaluation figures, the
dashboard and the ledger count a region-scoped officer's region only, and webhook
subscriptions of a region's office see and deliver that region's changes only. Outside the
region: 404."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from agencies.choices import StaffRole
from complaints.services.intake import complaint_submit
from complaints.services.workflow import (
    complaint_accept,
    complaint_determine_breach,
    complaint_find_founded,
)
from credit_records.models import CreditRecord
from credit_records.services.ingestion import complaint_events_ingest
from evaluation.selectors import report_figures_for
from sanctions.models import Repair
from sanctions.services import repair_apply
from sharing.models import WebhookDelivery
from sharing.services.changes import changes_record
from sharing.services.webhooks import webhooks_fan_out
from tests.agencies.factories import AgencyFactory, StaffFactory
from tests.complaints.factories import complaint_data
from tests.complaints.test_intake_api import payload

pytestmark = pytest.mark.django_db

CITY, COUNTY, NEIGHBOUR, OTHER_CITY = "330100", "330106", "330110", "330200"
SECRET = "k" * 40


def officer(region, role=StaffRole.CREDIT_OFFICER):
    return StaffFactory(role=role, agency=AgencyFactory(region_id=region))


# --- repairs ------------------------------------------------------------------------------------


def county_repair() -> Repair:
    """A pending repair of a county body's complaint-derived breach record (needs confirming)."""
    department = AgencyFactory(region_id=COUNTY)
    respondent = AgencyFactory(region_id=COUNTY, supervisor=department)
    handler = StaffFactory(role=StaffRole.HANDLER, agency=department)
    complaint, _code = complaint_submit(data=complaint_data(respondent_agency=respondent))
    complaint_accept(complaint=complaint, actor=handler)
    complaint_find_founded(complaint=complaint, actor=handler, note="属实")
    complaint_determine_breach(complaint=complaint, actor=handler, severity="minor", facts="拒付")
    complaint_events_ingest(event_ids=list(complaint.events.values_list("pk", flat=True)))
    record = CreditRecord.objects.get(complaint=complaint)
    liaison = StaffFactory(role=StaffRole.AGENCY_LIAISON, agency=respondent)
    return repair_apply(record_id=record.pk, actor=liaison, statement="已付清", commitment=True)


@pytest.mark.parametrize(
    ("region", "expected"),
    [(COUNTY, 200), (CITY, 200), (NEIGHBOUR, 404), (OTHER_CITY, 404)],
    ids=["the-county", "its-city", "another-county", "another-city"],
)
def test_the_county_office_and_those_above_confirm_and_approve_its_bodies_repairs(
    client_for, region, expected
):
    repair = county_repair()
    assert repair.needs_confirmation
    api = client_for(officer(region))
    confirmed = api.post(f"/api/v1/repairs/{repair.pk}/confirm/", {"note": "已核实履约"})
    assert confirmed.status_code == expected, confirmed.content
    approved = api.post(f"/api/v1/repairs/{repair.pk}/approve/", {"note": "同意"})
    assert approved.status_code == expected, approved.content
    repair.refresh_from_db()
    if expected == 200:
        assert repair.status == "approved" and repair.confirmed_by_id is not None
        assert CreditRecord.objects.get(pk=repair.record_id).status == "repaired"
    else:  # outside the region: nothing seen, nothing changed
        assert repair.status == "pending" and repair.confirmed_at is None
        assert api.get(f"/api/v1/repairs/{repair.pk}/").status_code == 404


def test_a_county_auditor_may_not_confirm(client_for):
    repair = county_repair()
    api = client_for(officer(COUNTY, role=StaffRole.AUDITOR))
    assert api.get(f"/api/v1/repairs/{repair.pk}/").status_code == 200
    assert api.post(f"/api/v1/repairs/{repair.pk}/confirm/").status_code == 403
    repair.refresh_from_db()
    assert repair.status == "pending"


def test_the_console_offers_the_confirm_button_to_the_county_office_only(client_for):
    repair = county_repair()
    page = f"/console/sanctions/repairs/{repair.pk}/"
    button = f"/console/sanctions/repairs/{repair.pk}/confirm/"
    for region, shown, status in ((COUNTY, True, 200), (NEIGHBOUR, False, 404)):
        browser = Client()
        browser.force_login(officer(region))
        answer = browser.get(page)
        assert answer.status_code == status
        assert (button in answer.content.decode()) is shown


# --- evaluation, dashboard, ledger --------------------------------------------------------------


@pytest.fixture
def complaints_by_region():
    made = {}
    for code in (COUNTY, NEIGHBOUR, OTHER_CITY):
        respondent = AgencyFactory(region_id=code, supervisor=AgencyFactory(region_id=code))
        complaint, _code = complaint_submit(data=payload(respondent), actor=None)
        made[code] = (respondent, complaint)
    return made


def _period():
    today = timezone.localdate()
    return {"from": (today - dt.timedelta(days=1)).isoformat(), "to": today.isoformat()}


@pytest.mark.parametrize(
    ("region", "seen"),
    [
        (COUNTY, {COUNTY}),
        (CITY, {COUNTY, NEIGHBOUR}),
        (OTHER_CITY, {OTHER_CITY}),
        (None, {COUNTY, NEIGHBOUR, OTHER_CITY}),
    ],
    ids=["county", "city", "other-city", "no-region"],
)
def test_evaluation_and_ledger_count_the_officers_region_and_below(
    client_for, complaints_by_region, region, seen
):
    api = client_for(officer(region, role=StaffRole.AUDITOR))
    figures = api.get("/api/v1/evaluation/", {**_period(), "group_by": "respondent"})
    assert figures.status_code == 200, figures.content
    keys = {row["key"] for row in figures.json()["results"]}
    assert keys == {complaints_by_region[code][0].pk for code in seen}
    assert sum(row["received"] for row in figures.json()["results"]) == len(seen)
    by_region = api.get("/api/v1/evaluation/", {**_period(), "group_by": "region"}).json()
    assert {row["key"] for row in by_region["results"]} == seen
    ledger = api.get("/api/v1/ledger/", _period()).json()["results"]
    assert {row["reference"] for row in ledger} == {
        complaints_by_region[code][1].reference for code in seen
    }


def test_the_dashboard_and_its_drill_down_count_the_county_only(complaints_by_region):
    browser = Client()
    browser.force_login(officer(COUNTY))
    query = {**_period(), "group_by": "region"}
    page = browser.get("/console/evaluation/", query).content.decode()
    assert "rows/?" in page
    county_rows = browser.get(
        "/console/evaluation/rows/", {**query, "key": COUNTY, "count": "received"}
    )
    assert county_rows.context["total"] == 1
    outside = browser.get(
        "/console/evaluation/rows/", {**query, "key": NEIGHBOUR, "count": "received"}
    )
    assert outside.context["total"] == 0  # another county's rows are not counted for it


def test_an_archived_report_shows_a_region_office_its_regions_rows_only(complaints_by_region):
    county_body, other_body = complaints_by_region[COUNTY][0], complaints_by_region[OTHER_CITY][0]
    figures = {
        "respondent": [
            {"key": county_body.pk, "name": "本县单位"},
            {"key": other_body.pk, "name": "外市单位"},
        ],
        "region": [{"key": COUNTY, "name": "本县"}, {"key": OTHER_CITY, "name": "外市"}],
    }
    assert report_figures_for(officer(None), figures) is figures
    assert report_figures_for(officer(CITY), figures) == {
        "respondent": [figures["respondent"][0]],
        "region": [figures["region"][0]],
    }
    assert report_figures_for(officer(OTHER_CITY), figures) == {
        "respondent": [figures["respondent"][1]],
        "region": [figures["region"][1]],
    }


# --- webhooks -----------------------------------------------------------------------------------


def test_a_region_office_manages_and_receives_its_regions_changes_only(client_for):
    county, city = client_for(officer(COUNTY)), client_for(officer(CITY))
    body = {"url": "https://receiver.example/hook", "secret": SECRET, "entities": ["repair"]}
    mine = county.post("/api/v1/webhooks/", body, format="json")
    assert mine.status_code == 201 and mine.json()["region"] == COUNTY
    neighbour = client_for(officer(NEIGHBOUR)).post("/api/v1/webhooks/", body, format="json")
    wide = client_for(officer(None)).post("/api/v1/webhooks/", body, format="json")
    assert wide.json()["region"] == ""
    # Who sees which: the county its own; the city both counties'; the city-wide office all.
    assert [s["id"] for s in county.get("/api/v1/webhooks/").json()["results"]] == [
        mine.json()["id"]
    ]
    assert {s["id"] for s in city.get("/api/v1/webhooks/").json()["results"]} == {
        mine.json()["id"],
        neighbour.json()["id"],
    }
    for path in ("", "deliveries/"):
        url = f"/api/v1/webhooks/{neighbour.json()['id']}/{path}"
        assert county.get(url).status_code == 404
    redeliver = county.post(
        f"/api/v1/webhooks/{neighbour.json()['id']}/redeliver/", {"delivery": 1}, format="json"
    )
    assert redeliver.status_code == 404
    # Delivery: one change in each county and one without an agency.
    inside, beside = AgencyFactory(region_id=COUNTY), AgencyFactory(region_id=NEIGHBOUR)
    changes_record(
        [
            ("repair", 1, "created", {"agency": inside.pk}),
            ("repair", 2, "created", {"agency": beside.pk}),
            ("repair", 3, "created", {}),
        ]
    )
    webhooks_fan_out()

    def received(subscription):
        return sorted(
            WebhookDelivery.objects.filter(subscription_id=subscription.json()["id"]).values_list(
                "payload__id", flat=True
            )
        )

    assert received(mine) == [1]
    assert received(neighbour) == [2]
    assert received(wide) == [1, 2, 3]


def test_a_region_offices_console_lists_its_subscriptions_only(client_for):
    outside = client_for(officer(NEIGHBOUR)).post(
        "/api/v1/webhooks/",
        {"url": "https://neighbour.example/hook", "secret": SECRET, "entities": ["sanction"]},
        format="json",
    )
    browser = Client()
    browser.force_login(officer(COUNTY))
    page = browser.get("/console/sharing/webhooks/").content.decode()
    assert "neighbour.example" not in page
    assert browser.get(f"/console/sharing/webhooks/{outside.json()['id']}/").status_code == 404
