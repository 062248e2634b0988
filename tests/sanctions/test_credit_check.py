"""Credit check hot path: a warm check reads the token's entry and the agency's sanction state
from the cache and writes one INSERT; a token, user or client change applies at once; the log
row is written before the answer; the contract (errors, roles, schema)."""

import pytest
from django.core.cache import cache
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from credit_records.choices import Kind, Severity
from credit_records.services.clients import (
    integration_client_create,
    integration_client_rotate_token,
    integration_client_set_active,
)
from sanctions.models import CreditCheck, Sanction
from sanctions.services import agency_sanctions_reconcile
from tests.agencies.factories import AgencyFactory

from .helpers import record

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/credit-check/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sanctioned(agency):
    rec = record(agency, kind=Kind.BREACH, severity=Severity.GENERAL)
    agency_sanctions_reconcile(agency.pk)
    return rec


@pytest.fixture
def officer(make_staff):
    return make_staff(role=StaffRole.HANDLER)


def token_client(user) -> tuple[APIClient, Token]:
    token = Token.objects.create(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.key}"), token


def query(agency, measure="awards", purpose="年度评优"):
    return {"agency": agency.pk, "measure": measure, "purpose": purpose}


def test_a_warm_check_costs_one_insert_and_nothing_else(
    officer, agency, sanctioned, django_assert_max_num_queries
):
    client, _token = token_client(officer)
    client.get(CHECK, query(agency))  # fills the token and sanction-state caches
    with django_assert_max_num_queries(1) as captured:
        response = client.get(CHECK, query(agency))
    assert response.json()["restricted"] is True
    (log_row,) = (q["sql"].strip().upper() for q in captured.captured_queries)
    assert log_row.startswith("INSERT INTO") and "SANCTIONS_CREDITCHECK" in log_row


@pytest.mark.parametrize("who", ["staff token", "integration client"])
def test_a_warm_check_reads_the_token_then_the_state_from_the_cache(
    who, officer, agency, sanctioned, cache_calls
):
    if who == "staff token":
        api, _token = token_client(officer)
    else:
        _client, token = integration_client_create(
            name="市财政资金管理系统", source="payment_platform"
        )
        api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(CHECK, query(agency)).status_code == 200  # fills the caches
    cache_calls.clear()
    response = api.get(CHECK, query(agency))
    assert response.json()["restricted"] is True
    assert [method for method, _keys in cache_calls] == ["get", "get_many"]


def test_a_check_by_uscc_reads_the_state_after_the_lookup(officer, agency, sanctioned, cache_calls):
    api, _token = token_client(officer)
    params = {"uscc": agency.uscc, "measure": "awards", "purpose": "年度评优"}
    assert api.get(CHECK, params).json()["restricted"] is True  # fills the caches
    cache_calls.clear()
    assert api.get(CHECK, params).json()["restricted"] is True
    assert [method for method, _keys in cache_calls] == ["get", "get_many"]


def test_a_cold_check_costs_a_fixed_few_queries(
    officer, agency, sanctioned, django_assert_max_num_queries
):
    client, _token = token_client(officer)
    # token + user, agency exists, sanctions, their basis records, the log row
    with django_assert_max_num_queries(5):
        assert client.get(CHECK, query(agency)).json()["restricted"] is True


def test_the_log_row_holds_who_why_answer_and_basis_when_the_answer_arrives(
    officer, agency, sanctioned
):
    client, _token = token_client(officer)
    body = client.get(CHECK, query(agency, "special_bonds", "专项债券申报审核")).json()
    log = CreditCheck.objects.get(pk=body["check"])
    assert (log.checked_by, log.agency, log.measure_id) == (officer, agency, "special_bonds")
    assert (log.purpose, log.restricted) == ("专项债券申报审核", True)
    assert parse_datetime(body["checked_at"]) == log.checked_at
    assert log.sanction_ids == [s["id"] for s in body["sanctions"]] != []
    assert set(log.sanction_ids) == set(
        Sanction.objects.filter(agency=agency, measure_id="special_bonds").values_list(
            "pk", flat=True
        )
    )


def test_every_cached_answer_is_logged_too(officer, agency, sanctioned):
    client, _token = token_client(officer)
    answers = [client.get(CHECK, query(agency)).json() for _ in range(3)]
    assert CreditCheck.objects.count() == 3
    assert sorted(a["check"] for a in answers) == sorted(
        CreditCheck.objects.values_list("pk", flat=True)
    )


def test_a_deleted_token_is_refused_at_once_although_it_was_cached(officer, agency):
    client, token = token_client(officer)
    assert client.get(CHECK, query(agency)).status_code == 200
    token.delete()
    assert client.get(CHECK, query(agency)).status_code == 401
    assert CreditCheck.objects.count() == 1


def test_a_deactivated_user_is_refused_at_once_although_the_token_was_cached(officer, agency):
    client, _token = token_client(officer)
    assert client.get(CHECK, query(agency)).status_code == 200
    officer.is_active = False
    officer.save()
    response = client.get(CHECK, query(agency))
    assert response.status_code == 401
    assert "detail" in response.json()
    assert CreditCheck.objects.count() == 1


def test_a_user_moved_to_liaison_is_refused_at_once(officer, agency):
    client, _token = token_client(officer)
    assert client.get(CHECK, query(agency)).status_code == 200
    officer.role = StaffRole.AGENCY_LIAISON
    officer.save()
    assert client.get(CHECK, query(agency)).status_code == 403
    assert CreditCheck.objects.count() == 1


def test_a_deleted_user_with_a_cached_token_is_refused(make_staff, agency):
    user = make_staff(role=StaffRole.AUDITOR)
    client, _token = token_client(user)
    assert client.get(CHECK, query(agency)).status_code == 200
    CreditCheck.objects.all().delete()  # the log protects its users; clear it for the test
    user.delete()
    assert client.get(CHECK, query(agency)).status_code == 401


def test_an_unreachable_cache_does_not_fail_a_deactivation(officer, monkeypatch):
    token = Token.objects.create(user=officer)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "delete_many", down)
    officer.is_active = False
    officer.save()
    token.delete()
    officer.refresh_from_db()
    assert officer.is_active is False
    assert not Token.objects.filter(user=officer).exists()


def test_the_cached_user_is_the_real_user_for_the_log_and_other_fields(officer, agency):
    client, _token = token_client(officer)
    client.get(CHECK, query(agency))
    client.get(CHECK, query(agency))
    assert list(CreditCheck.objects.values_list("checked_by", flat=True)) == [officer.pk] * 2


def test_a_wrong_token_is_401_with_the_drf_message_and_not_logged(agency):
    response = APIClient(HTTP_AUTHORIZATION="Token nope").get(CHECK, query(agency))
    assert response.status_code == 401
    assert list(response.json()) == ["detail"]
    assert response["WWW-Authenticate"] == "Token"
    assert not CreditCheck.objects.exists()


def test_integration_client_token_and_session_still_answer(officer, agency, sanctioned, client):
    _c, token = integration_client_create(name="市公共资源交易平台", source="payment_platform")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(CHECK, query(agency)).json()["restricted"] is True
    client.force_login(officer)
    assert client.get(CHECK, query(agency)).json()["restricted"] is True
    assert CreditCheck.objects.count() == 2


def test_an_unknown_agency_is_404_even_after_other_agencies_were_cached(officer, agency):
    client, _token = token_client(officer)
    assert client.get(CHECK, query(agency)).status_code == 200
    gone = AgencyFactory()
    gone_id = gone.pk
    gone.delete()
    response = client.get(CHECK, {"agency": gone_id, "measure": "awards", "purpose": "评优"})
    assert response.status_code == 404
    assert "detail" in response.json()
    assert CreditCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"measure": "no_such_measure", "purpose": "评优"}, "measure"),
        ({"measure": "awards", "purpose": "   "}, "purpose"),
        ({"measure": "awards"}, "purpose"),
        ({"purpose": "评优"}, "measure"),
        ({"measure": "awards", "purpose": "x" * 501}, "purpose"),
        ({"agency": "0", "measure": "awards", "purpose": "评优"}, "agency"),
    ],
    ids=["unknown-measure", "blank-purpose", "no-purpose", "no-measure", "long-purpose", "id-0"],
)
def test_bad_input_answers_400_in_the_drf_shape_and_is_not_logged(officer, agency, params, field):
    client, _token = token_client(officer)
    response = client.get(CHECK, {"agency": agency.pk, **params})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field], list) and all(isinstance(m, str) for m in body[field])
    assert not CreditCheck.objects.exists()


def test_the_check_stays_documented_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/credit-check/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"agency", "uscc", "measure", "purpose"} <= names
    schemes = {name for item in operation["security"] for name in item}
    assert {"tokenAuth", "cookieAuth", "integrationToken"} <= schemes


def test_error_messages_of_the_shared_validator_follow_each_request_language(officer, agency):
    client, _token = token_client(officer)
    params = {"agency": agency.pk, "measure": "no_such_measure", "purpose": "评优"}
    english = client.get(CHECK, params, HTTP_ACCEPT_LANGUAGE="en").json()["measure"][0]
    chinese = client.get(CHECK, params, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["measure"][0]
    assert "not a valid choice" in english
    assert english != chinese and "no_such_measure" in chinese


# --- integration clients (a funding system's own token) -------------------------------------


@pytest.fixture
def funding_system():
    client, token = integration_client_create(name="市财政资金管理系统", source="payment_platform")
    return client, APIClient(HTTP_AUTHORIZATION=f"Token {token}")


def test_a_warm_check_by_an_integration_client_costs_one_insert(
    funding_system, agency, sanctioned, django_assert_max_num_queries
):
    client, api = funding_system
    assert api.get(CHECK, query(agency)).status_code == 200  # fills the caches
    with django_assert_max_num_queries(1):
        assert api.get(CHECK, query(agency)).json()["restricted"] is True
    assert CreditCheck.objects.filter(checked_by=client.user).count() == 2


def test_a_rotated_integration_token_stops_working_at_once_although_cached(funding_system, agency):
    client, api = funding_system
    assert api.get(CHECK, query(agency)).status_code == 200
    new_token = integration_client_rotate_token(client=client)
    assert api.get(CHECK, query(agency)).status_code == 401
    fresh = APIClient(HTTP_AUTHORIZATION=f"Token {new_token}")
    assert fresh.get(CHECK, query(agency)).status_code == 200


def test_a_deactivated_integration_client_or_user_is_refused_at_once(funding_system, agency):
    client, api = funding_system
    assert api.get(CHECK, query(agency)).status_code == 200
    integration_client_set_active(client=client, active=False)
    assert api.get(CHECK, query(agency)).status_code == 401
    integration_client_set_active(client=client, active=True)
    assert api.get(CHECK, query(agency)).status_code == 200
    client.user.is_active = False
    client.user.save()
    assert api.get(CHECK, query(agency)).status_code == 401


def test_an_unknown_integration_token_is_never_cached(agency, django_assert_num_queries):
    api = APIClient(HTTP_AUTHORIZATION="Token ipc_unknown")
    for _ in range(2):
        with django_assert_num_queries(1):  # looked up every time
            assert api.get(CHECK, query(agency)).status_code == 401
