"""``manage.py load_demo``: a realistic sample city, one login per role, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from stdnum.cn import uscc as stdnum_uscc

from agencies.choices import AgencyKind, StaffRole
from agencies.demo import DEMO_AGENCIES, DEMO_LOGINS, UNROUTED_AGENCY, demo_uscc
from agencies.management.commands import load_demo
from agencies.models import Agency, User

pytestmark = pytest.mark.django_db


def load(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    agencies = sorted(
        Agency.objects.values_list(
            "uscc", "name", "kind", "region_id", "supervisor_id", "updated_at"
        )
    )
    users = sorted(
        User.objects.values_list("username", "password", "agency_id", "role", "last_login")
    )
    return agencies, users


def test_demo_city_has_a_government_departments_districts_and_institutions():
    load()

    city = Agency.objects.get(name="杭州市人民政府")
    assert city.region_id == "330100"
    assert city.kind == AgencyKind.GOVERNMENT
    assert city.supervised.filter(kind=AgencyKind.DEPARTMENT).count() >= 20
    for district, code in (("杭州市西湖区人民政府", "330106"), ("杭州市余杭区人民政府", "330110")):
        government = Agency.objects.get(name=district)
        assert (government.region_id, government.supervisor) == (code, city)
        assert government.supervised.filter(kind=AgencyKind.DEPARTMENT).count() >= 3
    institutions = Agency.objects.filter(kind=AgencyKind.INSTITUTION).exclude(supervisor=None)
    assert institutions.count() >= 5
    assert all(i.supervisor.kind == AgencyKind.DEPARTMENT for i in institutions)
    assert Agency.objects.get(name=UNROUTED_AGENCY).supervisor is None


def test_every_demo_agency_has_a_valid_unique_uscc_that_is_stable():
    load()
    codes = list(Agency.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes)) == len(DEMO_AGENCIES)
    assert all(stdnum_uscc.is_valid(code) for code in codes)
    # Same input, same code: a second machine gets the same directory.
    name, kind, region, _ = DEMO_AGENCIES[3]
    assert Agency.objects.get(name=name).uscc == demo_uscc(name, kind, region)


def test_running_load_demo_twice_changes_nothing():
    load()
    before = snapshot()

    output = load()

    assert snapshot() == before
    assert "0 created, 0 updated" in output


def test_load_demo_repairs_an_edited_demo_agency():
    load()
    school = Agency.objects.get(name="杭州市第一中学")
    Agency.objects.filter(pk=school.pk).update(supervisor=None)

    load()

    school.refresh_from_db()
    assert school.supervisor.name == "杭州市教育局"


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_each_demo_login_works_with_its_documented_password(login):
    load()
    user = authenticate(username=login.username, password=login.password)
    assert user is not None
    if login.role:
        assert (user.role, user.agency.name) == (login.role, login.agency)
    else:
        assert user.is_superuser


def test_there_is_one_demo_login_per_role_and_a_superuser():
    assert {x.role for x in DEMO_LOGINS if x.role} == set(StaffRole.values)
    assert [x.username for x in DEMO_LOGINS if not x.role] == ["admin"]


def test_existing_account_with_a_demo_username_is_left_alone():
    User.objects.create_user("admin", password="my-own-secret-7788")
    load()
    assert authenticate(username="admin", password="my-own-secret-7788") is not None


def test_output_ends_with_the_table_of_logins():
    output = load()
    for login in DEMO_LOGINS:
        assert login.username in output
        assert login.password in output


def test_quiet_prints_only_the_logins_table():
    output = load("--quiet")
    assert "agencies:" not in output
    assert output.startswith("Demo logins")


def test_other_apps_demo_builders_run_after_the_agencies(monkeypatch):
    calls = []

    def fake_builders():
        yield "complaints", lambda *, stdout: calls.append(Agency.objects.count())

    monkeypatch.setattr(load_demo, "app_demo_builders", fake_builders)
    load()
    assert calls == [len(DEMO_AGENCIES)]


def test_app_without_a_demo_module_is_skipped():
    # Whatever the other apps ship, every builder found is callable and named after its app.
    for app, build in load_demo.app_demo_builders():
        assert app in load_demo.DEMO_APPS
        assert callable(build)


def test_load_demo_refuses_on_a_production_database_and_creates_nothing(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PRODUCTION"):
        load()
    assert not User.objects.exists()
    assert not Agency.objects.filter(name__in=[row[0] for row in DEMO_AGENCIES]).exists()


def test_the_demo_leaves_one_account_locked_for_the_unlock_page(client):
    from django.utils import timezone

    from agencies.demo import LOCKED_DEMO_USERNAME

    load()
    assert User.objects.get(username=LOCKED_DEMO_USERNAME).locked_until > timezone.now()
    client.force_login(User.objects.get(username="credit_officer"))
    assert LOCKED_DEMO_USERNAME in client.get("/console/account/locked/").content.decode()
