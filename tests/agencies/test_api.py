"""/api/v1/agencies/, /api/v1/staff/ and /api/v1/auth/token/ (DESIGN section 9)."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from agencies.choices import StaffRole
from agencies.models import Agency, User
from tests.agencies.factories import AgencyFactory, StaffFactory, make_uscc

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "root-Secret-2026-xyz"


@pytest.fixture
def cli_superuser(monkeypatch):
    """A superuser made the way an operator does: ``createsuperuser --noinput``."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ROOT_PASSWORD)
    call_command(
        "createsuperuser", "--noinput", username="root", email="root@example.invalid", verbosity=0
    )
    return User.objects.get(username="root")


def token_client(username, password):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


WHO = ["anonymous", *StaffRole.values, "superuser"]
WRITERS = {StaffRole.CREDIT_OFFICER, "superuser"}


@pytest.fixture
def client_as(cli_superuser):
    def _client(who):
        if who == "anonymous":
            return APIClient()
        if who == "superuser":
            return token_client("root", ROOT_PASSWORD)
        StaffFactory(username=f"u-{who}", role=who)
        return token_client(f"u-{who}", "correct-horse-battery-9")

    return _client


def expected(who, allowed_status, *, public=False):
    if public or who in WRITERS:
        return allowed_status
    return 401 if who == "anonymous" else 403


# --- agencies: permission matrix -------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_anyone_may_list_and_retrieve_agencies(client_as, who):
    agency = AgencyFactory()
    client = client_as(who)
    assert client.get("/api/v1/agencies/").status_code == 200
    response = client.get(f"/api/v1/agencies/{agency.pk}/")
    assert response.status_code == 200
    assert response.json()["uscc"] == agency.uscc


@pytest.mark.parametrize("who", WHO)
def test_only_the_credit_office_creates_agencies(client_as, who):
    client = client_as(who)
    count = Agency.objects.count()
    response = client.post(
        "/api/v1/agencies/",
        {
            "name": "杭州市财政局",
            "kind": "department",
            "uscc": make_uscc(42),
            "region_code": "330100",
        },
        format="json",
    )
    assert response.status_code == expected(who, 201)
    if response.status_code == 201:
        body = response.json()
        assert body["id"] == Agency.objects.get(name="杭州市财政局").pk
        assert (body["region_code"], body["kind"]) == ("330100", "department")
    else:
        assert Agency.objects.count() == count


@pytest.mark.parametrize("who", WHO)
def test_only_the_credit_office_updates_agencies(client_as, who):
    agency = AgencyFactory(name="旧名称")
    client = client_as(who)
    response = client.patch(f"/api/v1/agencies/{agency.pk}/", {"name": "新名称"}, format="json")
    assert response.status_code == expected(who, 200)
    agency.refresh_from_db()
    assert agency.name == ("新名称" if response.status_code == 200 else "旧名称")


# --- staff: permission matrix ----------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_only_the_credit_office_lists_and_retrieves_staff(client_as, who):
    other = StaffFactory(username="someone")
    client = client_as(who)
    listing = client.get("/api/v1/staff/")
    assert listing.status_code == expected(who, 200)
    detail = client.get(f"/api/v1/staff/{other.pk}/")
    assert detail.status_code == expected(who, 200)
    if detail.status_code == 200:
        assert "password" not in detail.json()
        assert detail.json()["role"] == other.role


@pytest.mark.parametrize("who", WHO)
def test_only_the_credit_office_creates_staff(client_as, who):
    agency = AgencyFactory()
    client = client_as(who)
    response = client.post(
        "/api/v1/staff/",
        {
            "username": "new-handler",
            "password": "Tr0ub4dor&3-long",
            "agency": agency.pk,
            "role": "handler",
            "email": "h@example.invalid",
        },
        format="json",
    )
    assert response.status_code == expected(who, 201)
    exists = User.objects.filter(username="new-handler").exists()
    assert exists == (response.status_code == 201)
    if exists:
        user = User.objects.get(username="new-handler")
        assert (user.agency, user.role) == (agency, "handler")
        assert user.check_password("Tr0ub4dor&3-long")
        assert "password" not in response.json()


@pytest.mark.parametrize("who", WHO)
def test_only_the_credit_office_updates_staff(client_as, who):
    other = StaffFactory(username="someone", role="handler")
    client = client_as(who)
    response = client.patch(f"/api/v1/staff/{other.pk}/", {"role": "auditor"}, format="json")
    assert response.status_code == expected(who, 200)
    other.refresh_from_db()
    assert other.role == ("auditor" if response.status_code == 200 else "handler")


def test_staff_password_can_be_reset_and_username_is_fixed(client_for, credit_officer):
    other = StaffFactory(username="someone")
    response = client_for(credit_officer).patch(
        f"/api/v1/staff/{other.pk}/",
        {"password": "N3w-passphrase-77", "username": "renamed"},
        format="json",
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.username == "someone"
    assert other.check_password("N3w-passphrase-77")


# --- bad input ---------------------------------------------------------------------------------


def post_agency(client, body, **headers):
    return client.post("/api/v1/agencies/", body, format="json", headers=headers)


BAD_AGENCIES = [
    pytest.param({"uscc": "91110000600037341M"}, "uscc", id="check-character"),
    pytest.param({"uscc": "9111000060003734"}, "uscc", id="length"),
    pytest.param({"uscc": "91330106MO27XK8L1G"}, "uscc", id="letter-O"),
    pytest.param({"region_code": "33010"}, "region_code", id="region-5-digits"),
    pytest.param({"region_code": "999999"}, "region_code", id="region-unknown"),
    pytest.param({"kind": "ministry"}, "kind", id="kind-unknown"),
    pytest.param({"name": ""}, "name", id="name-empty"),
    pytest.param({"supervisor": 987654}, "supervisor", id="supervisor-unknown"),
]


@pytest.mark.parametrize(("change", "field"), BAD_AGENCIES)
def test_bad_agency_gives_a_field_error_and_writes_nothing(
    client_for, credit_officer, change, field
):
    count = Agency.objects.count()
    body = {"name": "杭州市教育局", "kind": "department", "region_code": "330100", **change}
    response = post_agency(client_for(credit_officer), body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Agency.objects.count() == count


@pytest.mark.parametrize(
    ("change", "field", "english", "chinese"),
    [
        ({"uscc": "91110000600037341M"}, "uscc", "check character", "校验位错误"),
        (
            {"region_code": "999999"},
            "region_code",
            "Unknown region code: 999999.",
            "未知的行政区划代码：999999。",
        ),
    ],
    ids=["uscc", "region"],
)
def test_field_errors_are_in_the_request_language(
    client_for, credit_officer, change, field, english, chinese
):
    client = client_for(credit_officer)
    body = {"name": "杭州市教育局", "kind": "department", **change}

    in_english = post_agency(client, body, **{"Accept-Language": "en"})
    by_default = post_agency(client, body)

    assert english in in_english.json()[field][0]
    assert chinese in by_default.json()[field][0]
    assert not Agency.objects.filter(name="杭州市教育局").exists()


def test_duplicate_uscc_is_refused_even_when_written_differently(client_for, credit_officer):
    existing = AgencyFactory()
    spaced = f"{existing.uscc[:9]} {existing.uscc[9:].lower()}"
    response = post_agency(
        client_for(credit_officer), {"name": "重复", "kind": "department", "uscc": spaced}
    )
    assert response.status_code == 400
    assert "已被其他机构使用" in response.json()["uscc"][0]
    assert not Agency.objects.filter(name="重复").exists()


def test_uscc_is_stored_normalised(client_for, credit_officer):
    code = make_uscc(77)
    response = post_agency(
        client_for(credit_officer),
        {"name": "规范化", "kind": "department", "uscc": f" {code.lower()} "},
    )
    assert response.status_code == 201
    assert response.json()["uscc"] == code


@pytest.mark.parametrize("case", ["direct", "two", "longer"])
def test_api_refuses_a_supervisor_loop(client_for, credit_officer, case):
    a = AgencyFactory()
    b = AgencyFactory(supervisor=a)
    c = AgencyFactory(supervisor=b)
    supervisor = {"direct": a, "two": b, "longer": c}[case]
    response = client_for(credit_officer).patch(
        f"/api/v1/agencies/{a.pk}/", {"supervisor": supervisor.pk}, format="json"
    )
    assert response.status_code == 400
    assert "supervisor" in response.json()
    a.refresh_from_db()
    assert a.supervisor is None


def staff_body(agency_id, **change):
    return {
        "username": "new-user",
        "password": "Tr0ub4dor&3-long",
        "agency": agency_id,
        "role": "handler",
        **change,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"role": "boss"}, "role", id="unknown-role"),
        pytest.param({"role": ""}, "role", id="empty-role"),
        pytest.param({"agency": 987654}, "agency", id="unknown-agency"),
        pytest.param({"agency": None}, "agency", id="no-agency"),
        pytest.param({"password": "123"}, "password", id="weak-password"),
        pytest.param({"username": "bad name!"}, "username", id="bad-username"),
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
    ],
)
def test_bad_staff_gives_a_field_error_and_writes_nothing(
    client_for, credit_officer, change, field
):
    agency = AgencyFactory()
    count = User.objects.count()
    response = client_for(credit_officer).post(
        "/api/v1/staff/", staff_body(agency.pk, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == count


def test_unknown_role_error_is_in_the_request_language(client_for, credit_officer):
    agency = AgencyFactory()
    client = client_for(credit_officer)
    body = staff_body(agency.pk, role="boss")
    english = client.post("/api/v1/staff/", body, format="json", headers={"Accept-Language": "en"})
    chinese = client.post("/api/v1/staff/", body, format="json")
    assert "not a valid choice" in english.json()["role"][0]
    assert "不是合法选项" in chinese.json()["role"][0]


def test_duplicate_username_is_refused(client_for, credit_officer):
    StaffFactory(username="taken")
    agency = AgencyFactory()
    response = client_for(credit_officer).post(
        "/api/v1/staff/", staff_body(agency.pk, username="taken"), format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()


# --- search and lists ------------------------------------------------------------------------


def test_q_searches_names_and_uscc_prefixes():
    edu = AgencyFactory(name="杭州市教育局", uscc=make_uscc(1, "11330100"))
    fin = AgencyFactory(name="杭州市财政局", uscc=make_uscc(2, "11330106"))
    school = AgencyFactory(name="杭州市第一中学", uscc=make_uscc(3, "12330100"))
    client = APIClient()

    def ids(q):
        response = client.get("/api/v1/agencies/", {"q": q})
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("教育") == {edu.pk}
    assert ids("杭州市") == {edu.pk, fin.pk, school.pk}
    assert ids("11330100") == {edu.pk}
    assert ids("1133") == {edu.pk, fin.pk}
    assert ids(school.uscc.lower()) == {school.pk}
    assert ids(edu.uscc[2:10]) == set()  # a prefix, not any substring
    assert ids("交通") == set()


def test_agency_list_is_paginated_and_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    parent = AgencyFactory()
    AgencyFactory.create_batch(30, supervisor=parent)
    client = APIClient()
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/agencies/", {"page_size": 100})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 31
    assert body["results"][0]["supervisor_name"] in {None, parent.name}


def test_staff_list_costs_a_fixed_number_of_queries(
    client_for, credit_officer, django_assert_max_num_queries
):
    StaffFactory.create_batch(20)
    client = client_for(credit_officer)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/staff/")
    assert response.json()["count"] == 21


# --- token -------------------------------------------------------------------------------------


def test_token_from_the_api_authenticates_later_requests(cli_superuser):
    client = token_client("root", ROOT_PASSWORD)
    assert client.get("/api/v1/staff/").status_code == 200


def test_wrong_password_gives_400_and_no_token(cli_superuser):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "root", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_invalid_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/staff/").status_code == 401


def test_repeated_login_attempts_lock_the_account_even_for_the_right_password(cli_superuser):
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "root", "password": f"guess-{i}"}, format="json"
        ).status_code
        for i in range(25)
    ]
    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {403}
    right = client.post(
        "/api/v1/auth/token/", {"username": "root", "password": ROOT_PASSWORD}, format="json"
    )
    assert right.status_code == 403
