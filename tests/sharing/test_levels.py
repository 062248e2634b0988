"""Levels (DESIGN section 13): a credit officer or auditor whose agency has a region sees and
acts on that region and below only; the superuser and officers without a region see all."""

import pytest

from agencies.choices import StaffRole
from agencies.models import Region
from agencies.policy import region_prefix
from complaints.services.intake import complaint_submit
from credit_records.services import credit_record_create
from tests.agencies.factories import AgencyFactory
from tests.complaints.test_intake_api import payload

pytestmark = pytest.mark.django_db

PROVINCE, CITY, COUNTY, OTHER_CITY = "330000", "330100", "330106", "330200"


def test_region_prefix_covers_the_region_and_below():
    assert region_prefix("330000") == "33"
    assert region_prefix("330100") == "3301"
    assert region_prefix("330106") == "330106"


@pytest.fixture
def bodies():
    regions = Region.objects.in_bulk([PROVINCE, CITY, COUNTY, OTHER_CITY])
    assert len(regions) == 4
    made = {}
    for code in (CITY, COUNTY, OTHER_CITY):
        agency = AgencyFactory(region_id=code, supervisor=AgencyFactory(region_id=code))
        complaint, _code = complaint_submit(data=payload(agency), actor=None)
        record, _created = credit_record_create(
            agency_id=agency.pk,
            kind="dishonest_debtor",
            severity="serious",
            facts="未履行",
            decided_on=complaint.submitted_at.date(),
            source="court",
            source_ref=f"R-{code}",
        )
        made[code] = (agency, complaint, record)
    return regions, made


def office(make_staff, region, role=StaffRole.CREDIT_OFFICER):
    return make_staff(role=role, agency=AgencyFactory(region_id=region.code))


def test_a_city_credit_officer_sees_only_the_city_and_its_county(bodies, make_staff, client_for):
    regions, made = bodies
    api = client_for(office(make_staff, regions[CITY]))
    refs = {c["reference"] for c in api.get("/api/v1/complaints/").json()["results"]}
    assert refs == {made[CITY][1].reference, made[COUNTY][1].reference}
    records = {r["id"] for r in api.get("/api/v1/credit-records/").json()["results"]}
    assert records == {made[CITY][2].pk, made[COUNTY][2].pk}
    outside_complaint, outside_record = made[OTHER_CITY][1], made[OTHER_CITY][2]
    assert api.get(f"/api/v1/complaints/{outside_complaint.reference}/").status_code == 404
    assert api.get(f"/api/v1/credit-records/{outside_record.pk}/").status_code == 404
    # Acting outside is a 404 too, and changes nothing.
    answer = api.post(
        f"/api/v1/credit-records/{outside_record.pk}/withdraw/", {"reason": "x"}, format="json"
    )
    assert answer.status_code == 404
    outside_record.refresh_from_db()
    assert outside_record.status == "active"


def test_a_county_auditor_sees_its_county_only(bodies, make_staff, client_for):
    regions, made = bodies
    api = client_for(office(make_staff, regions[COUNTY], role=StaffRole.AUDITOR))
    refs = {c["reference"] for c in api.get("/api/v1/complaints/").json()["results"]}
    assert refs == {made[COUNTY][1].reference}


def test_the_province_the_superuser_and_an_officer_without_region_see_everything(
    bodies, make_staff, client_for, superuser
):
    regions, made = bodies
    everyone = {m[1].reference for m in made.values()}
    province = office(make_staff, regions[PROVINCE])
    no_region = make_staff(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))
    for user in (province, superuser, no_region):
        listed = client_for(user).get("/api/v1/complaints/").json()["results"]
        assert {c["reference"] for c in listed} == everyone


def test_a_city_officer_follows_the_feed_of_its_city_only(bodies, make_staff, client_for):
    regions, made = bodies
    api = client_for(office(make_staff, regions[CITY]))
    results = api.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert {c["data"]["agency"] for c in results} == {made[CITY][0].pk, made[COUNTY][0].pk}
    province = client_for(office(make_staff, regions[PROVINCE]))
    everything = province.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert {c["data"]["agency"] for c in everything} == {m[0].pk for m in made.values()}
