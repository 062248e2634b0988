"""Agency services: supervisor loops are refused everywhere (service, API, admin form)."""

import pytest
from django.core.exceptions import ValidationError

from agencies.admin import AgencyAdminForm
from agencies.models import Agency
from agencies.services import agency_create, agency_update, supervisor_creates_loop
from tests.agencies.factories import AgencyFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """a ← b ← c ← d (d is supervised by c, c by b, b by a)."""
    a = AgencyFactory(name="A")
    b = AgencyFactory(name="B", supervisor=a)
    c = AgencyFactory(name="C", supervisor=b)
    d = AgencyFactory(name="D", supervisor=c)
    return a, b, c, d


def loop_cases(chain):
    a, b, _c, d = chain
    return {
        "direct": (a, a),  # A under A
        "two": (a, b),  # A under B, B under A
        "longer": (a, d),  # A under D → D, C, B, A
        "middle": (b, d),  # B under D → D, C, B
    }


def state():
    return sorted(Agency.objects.values_list("id", "supervisor_id", "updated_at"))


@pytest.mark.parametrize("case", ["direct", "two", "longer", "middle"])
def test_service_refuses_a_supervisor_that_makes_a_loop_and_writes_nothing(chain, case):
    agency, supervisor = loop_cases(chain)[case]
    before = state()

    with pytest.raises(ValidationError) as excinfo:
        agency_update(agency=agency, supervisor=supervisor)

    assert "supervisor" in excinfo.value.message_dict
    assert state() == before


def test_moving_an_agency_elsewhere_in_the_tree_is_allowed(chain):
    a, _b, c, d = chain
    agency_update(agency=d, supervisor=a)
    d.refresh_from_db()
    assert d.supervisor == a
    assert not supervisor_creates_loop(agency=c, supervisor=d)


def test_update_with_no_change_writes_nothing(chain):
    a, b, *_ = chain
    before = state()
    agency_update(agency=b, supervisor=a, name="B")
    assert state() == before


def test_create_normalises_the_uscc_and_refuses_a_bad_one():
    code = make_uscc(123)
    agency = agency_create(name="X", kind="department", uscc=code.lower())
    assert agency.uscc == code
    with pytest.raises(ValidationError) as excinfo:
        agency_create(name="Y", kind="department", uscc=code[:-1] + "0")
    assert "uscc" in excinfo.value.message_dict
    assert Agency.objects.count() == 1


def test_blank_uscc_is_stored_as_null_so_many_agencies_may_lack_one():
    agency_create(name="X", kind="other", uscc="  ")
    agency_create(name="Y", kind="other", uscc="")
    assert list(Agency.objects.values_list("uscc", flat=True)) == [None, None]


@pytest.mark.parametrize("case", ["direct", "two", "longer", "middle"])
def test_admin_form_refuses_a_supervisor_that_makes_a_loop(chain, case, rf, superuser):
    agency, supervisor = loop_cases(chain)[case]
    data = {
        "name": agency.name,
        "uscc": agency.uscc,
        "kind": agency.kind,
        "region": agency.region_id,
        "supervisor": supervisor.pk,
        "is_active": "on",
    }
    from django.contrib.admin.sites import site

    request = rf.get("/admin/")
    request.user = superuser
    form_class = site._registry[Agency].get_form(request, obj=agency, change=True)
    assert issubclass(form_class, AgencyAdminForm)
    form = form_class(data=data, instance=agency)

    assert not form.is_valid()
    assert "supervisor" in form.errors


def test_admin_change_view_saves_through_the_service(chain, client, superuser):
    a, _b, _c, d = chain
    client.force_login(superuser)
    url = f"/admin/agencies/agency/{a.pk}/change/"
    data = {
        "name": "A",
        "uscc": a.uscc.lower(),
        "kind": a.kind,
        "region": a.region_id,
        "supervisor": d.pk,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # form redisplayed with the error
    assert "循环" in response.content.decode()
    a.refresh_from_db()
    assert a.supervisor is None

    data["supervisor"] = ""
    data["name"] = "A2"
    response = client.post(url, data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.name == "A2"


def test_admin_add_view_creates_through_the_service(client, superuser):
    client.force_login(superuser)
    code = make_uscc(555)
    response = client.post(
        "/admin/agencies/agency/add/",
        {
            "name": "新机构",
            "uscc": f" {code.lower()} ",
            "kind": "department",
            "region": "330100",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agency.objects.get(name="新机构").uscc == code
