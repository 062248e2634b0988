import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from credit_records.models import AgencyRecordChange, CreditRecord, IntegrationClient
from credit_records.providers import register_profile_provider, unregister_profile_provider
from credit_records.services.clients import integration_client_create
from tests.agencies.factories import AgencyFactory

from .factories import CreditRecordFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/credit-records/"


def push_body(agency_obj, /, **overrides):
    body = {
        "agency": agency_obj.pk,
        "kind": "dishonest_debtor",
        "severity": "serious",
        "facts": "未履行生效判决确定的给付义务",
        "amount": "1250000.00",
        "decided_on": "2026-05-20",
        "source": "court",
        "source_ref": "(2026)皖0302执123号",
    }
    body.update(overrides)
    return body


def token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_credit_officer_push_creates_a_record_and_repeating_it_returns_the_same_record(
    client_for, credit_officer, agency
):
    first = client_for(credit_officer).post(URL, push_body(agency), format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["polarity"] == "negative"
    assert body["status"] == "active"
    assert body["publicity_ends"] == "2029-05-20"
    assert body["repair_eligible_on"] == "2027-05-20"
    again = client_for(credit_officer).post(URL, push_body(agency, facts="changed"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert again.json()["facts"] == "未履行生效判决确定的给付义务"
    assert CreditRecord.objects.count() == 1
    assert AgencyRecordChange.objects.count() == 1


def test_superuser_can_push(client_for, superuser, agency):
    response = client_for(superuser).post(URL, push_body(agency), format="json")
    assert response.status_code == 201


def _future():
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency": 999_999}, "agency"),
        ({"kind": "promise_kept", "severity": "general"}, "severity"),
        ({"kind": "breach", "severity": ""}, "severity"),
        ({"kind": "arrears", "severity": None}, "severity"),
        ({"kind": "theft"}, "kind"),
        ({"source": "rumour"}, "source"),
        ({"source": "complaint"}, "source"),
        ({"severity": "catastrophic"}, "severity"),
        ({"decided_on": "not-a-date"}, "decided_on"),
        ({"amount": "-5"}, "amount"),
        ({"facts": ""}, "facts"),
        ({"source_ref": ""}, "source_ref"),
    ],
)
def test_bad_push_is_refused_with_field_errors_and_stores_nothing(
    client_for, credit_officer, agency, overrides, field
):
    response = client_for(credit_officer).post(URL, push_body(agency, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not CreditRecord.objects.exists()


def test_decision_date_in_the_future_is_refused(client_for, credit_officer, agency):
    response = client_for(credit_officer).post(
        URL, push_body(agency, decided_on=_future()), format="json"
    )
    assert response.status_code == 400
    assert "decided_on" in response.json()
    assert not CreditRecord.objects.exists()


def test_positive_push_without_severity_is_accepted(client_for, credit_officer, agency):
    body = push_body(agency, kind="promise_kept", source="justice_bureau")
    del body["severity"]
    response = client_for(credit_officer).post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["severity"] == ""
    assert response.json()["polarity"] == "positive"


@pytest.mark.parametrize(
    "role", [StaffRole.AGENCY_LIAISON, StaffRole.HANDLER, StaffRole.AUDITOR, StaffRole.INTAKE_CLERK]
)
def test_staff_other_than_the_credit_office_may_not_push(client_for, make_staff, agency, role):
    user = make_staff(role=role, agency=agency)
    response = client_for(user).post(URL, push_body(agency), format="json")
    assert response.status_code == 403
    assert not CreditRecord.objects.exists()


def test_anonymous_push_is_401(agency):
    response = APIClient().post(URL, push_body(agency), format="json")
    assert response.status_code == 401
    assert not CreditRecord.objects.exists()


def test_integration_client_pushes_with_its_token_as_its_own_source_only(agency, credit_officer):
    _client, token = integration_client_create(name="市中级人民法院", source="court")
    api = token_client(token)
    assert api.post(URL, push_body(agency), format="json").status_code == 201
    assert api.post(URL, push_body(agency), format="json").status_code == 200
    other = api.post(
        URL, push_body(agency, source="payment_platform", source_ref="X-1"), format="json"
    )
    assert other.status_code == 403
    listing = api.get(URL)
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    # The token opens the credit-records API only: the complaint API does not accept it.
    assert api.get("/api/v1/complaints/").status_code in (401, 403)


def test_wrong_or_deactivated_integration_token_is_401(agency):
    client, token = integration_client_create(name="12345平台", source="hotline_12345")
    body = push_body(agency, source="hotline_12345")
    assert token_client("ipc_wrong").post(URL, body, format="json").status_code == 401
    client.is_active = False
    client.save()
    assert token_client(token).post(URL, body, format="json").status_code == 401
    assert not CreditRecord.objects.exists()


def test_credit_office_creates_an_integration_client_and_sees_the_token_once(
    client_for, make_staff, agency
):
    # A deployment-wide office (no region): a region-scoped one only reads the list.
    office = make_staff(role=StaffRole.CREDIT_OFFICER, agency=AgencyFactory(region_id=None))
    api = client_for(office)
    created = api.post(
        "/api/v1/integration-clients/",
        {"name": "经信局款项支付平台", "source": "payment_platform"},
        format="json",
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("ipc_")
    detail = api.get(f"/api/v1/integration-clients/{created.json()['id']}/")
    assert "token" not in detail.json()
    stored = IntegrationClient.objects.get()
    assert token not in stored.token_hash
    assert stored.user.role == ""
    assert not stored.user.has_usable_password()
    pushed = token_client(token).post(
        URL, push_body(agency, kind="arrears", source="payment_platform"), format="json"
    )
    assert pushed.status_code == 201


def test_only_the_credit_office_manages_integration_clients(client_for, make_staff):
    auditor = make_staff(role=StaffRole.AUDITOR)
    response = client_for(auditor).post(
        "/api/v1/integration-clients/", {"name": "x", "source": "court"}, format="json"
    )
    assert response.status_code == 403
    assert not IntegrationClient.objects.exists()


def test_list_is_scoped_liaison_sees_own_agency_and_handler_is_refused(client_for, make_staff):
    alice_agency, other_agency = AgencyFactory(), AgencyFactory()
    mine = CreditRecordFactory(agency=alice_agency)
    theirs = CreditRecordFactory(agency=other_agency)
    liaison = make_staff(role=StaffRole.AGENCY_LIAISON, agency=alice_agency)
    response = client_for(liaison).get(URL)
    assert [r["id"] for r in response.json()["results"]] == [mine.pk]
    assert client_for(liaison).get(f"{URL}{theirs.pk}/").status_code == 404
    assert client_for(liaison).get(f"{URL}{mine.pk}/").status_code == 200
    handler = make_staff(role=StaffRole.HANDLER, agency=alice_agency)
    assert client_for(handler).get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401
    auditor = make_staff(role=StaffRole.AUDITOR)
    assert client_for(auditor).get(URL).json()["count"] == 2


def test_list_filters_and_item_shape(client_for, credit_officer):
    agency = AgencyFactory()
    wanted = CreditRecordFactory(agency=agency, kind="arrears", severity="serious")
    CreditRecordFactory(agency=agency, kind="breach", severity="general")
    CreditRecordFactory(agency=agency, kind="arrears", severity="minor", publicity_ends=None)
    CreditRecordFactory(kind="arrears", severity="serious")
    api = client_for(credit_officer)
    response = api.get(
        URL, {"agency": agency.pk, "kind": "arrears", "severity": "serious", "status": "active"}
    )
    results = response.json()["results"]
    assert [r["id"] for r in results] == [wanted.pk]
    assert set(results[0]) >= {
        "id",
        "agency",
        "kind",
        "polarity",
        "severity",
        "status",
        "decided_on",
        "publicity_ends",
        "repair_eligible_on",
        "complaint",
        "source",
        "source_ref",
    }
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert api.get(URL, {"kind": "nonsense"}).status_code == 400


def test_list_costs_a_fixed_number_of_queries(
    client_for, credit_officer, django_assert_max_num_queries
):
    for _ in range(30):
        CreditRecordFactory()
    api = client_for(credit_officer)
    with django_assert_max_num_queries(4):
        assert api.get(URL).status_code == 200


def test_agency_credit_reports_score_grade_and_provider_lists(client_for, agency):
    CreditRecordFactory(agency=agency, severity="serious")
    from credit_records.services.scoring import agency_scores_recompute

    agency_scores_recompute(agency_ids=[agency.pk])
    url = f"/api/v1/agencies/{agency.pk}/credit/"
    body = APIClient().get(url).json()
    assert body == {
        "agency": agency.pk,
        "score": 75.0,
        "grade": "B",
        "active_negative_records": 1,
        "active_sanctions": [],
        "restricted_measures": [],
    }

    def provider(agency_id):
        return {"active_sanctions": [{"measure": "awards"}], "restricted_measures": ["awards"]}

    register_profile_provider(provider)
    try:
        body = APIClient().get(url).json()
    finally:
        unregister_profile_provider(provider)
    assert body["restricted_measures"] == ["awards"]
    assert APIClient().get("/api/v1/agencies/999999/credit/").status_code == 404


def test_agency_never_scored_has_a_clean_profile(agency):
    body = APIClient().get(f"/api/v1/agencies/{agency.pk}/credit/").json()
    assert (body["score"], body["grade"], body["active_negative_records"]) == (100.0, "A", 0)
