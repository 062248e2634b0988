"""The complaint form's agency search: by name, USCC prefix and pinyin initials, with a clear
answer when nothing matches — on the page without JavaScript and through the public API the
page's script calls."""

import pytest

from agencies.models import Agency, name_initials_of
from agencies.services.directory import agency_update
from tests.agencies.factories import AgencyFactory, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau():
    return AgencyFactory(name="杭州市城东区教育局", uscc=make_uscc(7, prefix="11330881"))


def names_from_page(client, q):
    return client.post("/complaints/new/", {"q": q, "search": "1"}).content.decode()


def names_from_api(api_client, q):
    response = api_client.get("/api/v1/agencies/", {"q": q, "is_active": "true"})
    assert response.status_code == 200
    return [a["name"] for a in response.json()["results"]]


def test_initials_of_a_name():
    assert name_initials_of("杭州市城东区教育局") == "hzscdqjyj"
    assert name_initials_of("第2人民医院（东院）") == "d2rmyydy"


@pytest.mark.parametrize("q", ["城东区教育", "11330881", "113308 81", "jyj", "HZSCDQ"])
def test_name_uscc_prefix_and_pinyin_initials_find_the_agency(client, api_client, bureau, q):
    AgencyFactory(name="杭州市财政局")
    assert bureau.name in names_from_page(client, q)
    assert names_from_api(api_client, q) == [bureau.name]


def test_renaming_an_agency_renews_its_initials(bureau):
    agency_update(agency=bureau, name="杭州市城东区卫生健康局")
    bureau.refresh_from_db()
    assert bureau.name_initials == "hzscdqwsjkj"
    assert Agency.objects.filter(name_initials__contains="wsjkj").get() == bureau


def test_a_search_that_finds_nothing_says_so(client, bureau):
    page = names_from_page(client, "不存在的单位")
    assert "没有找到匹配的机构" in page
    assert "请输入关键词并点击" not in page
    # The live search's empty text is the same sentence, not the starting hint.
    assert 'data-no-match="没有找到匹配的机构，请换个关键词再试。"' in page
