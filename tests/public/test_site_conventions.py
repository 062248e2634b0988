"""Government-site conventions: the footer from settings, a large-text mode that persists,
and branded 403, 404 and 500 pages in both languages."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from agencies.choices import StaffRole

pytestmark = pytest.mark.django_db


def test_footer_shows_the_hosting_office_phone_icp_and_site_code_from_settings(client, settings):
    settings.SITE_HOST_OFFICE = "某市社会信用体系建设领导小组办公室"
    settings.SITE_CONTACT_PHONE = "0571-12345678"
    settings.SITE_ICP_NUMBER = "浙ICP备12345678号"
    settings.SITE_IDENTIFICATION_CODE = "3301000001"
    for url in ("/", "/complaints/new/", "/track/", "/credit/", "/stats/"):
        page = client.get(url).content.decode()
        footer = page[page.index('id="site-facts"') :]
        for value in ("某市社会信用体系建设领导小组办公室", "0571-12345678", "浙ICP备12345678号"):
            assert value in footer, (url, value)
        assert "3301000001" in footer


def test_empty_footer_settings_are_not_shown(client, settings):
    settings.SITE_ICP_NUMBER = ""
    assert "ICP备案号" not in client.get("/").content.decode()


def test_large_text_is_switched_on_kept_and_switched_off(client):
    assert 'class="large-text"' not in client.get("/track/").content.decode()
    response = client.post("/text-size/", {"size": "large", "next": "/track/"})
    assert (response.status_code, response["Location"]) == (302, "/track/")
    assert response.cookies["text_size"]["max-age"] >= 300 * 24 * 3600
    page = client.get("/stats/").content.decode()
    assert 'class="large-text"' in page and 'aria-pressed="true"' in page
    client.post("/text-size/", {"size": "normal", "next": "/"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_large_text_switch_never_redirects_off_site(client):
    response = client.post("/text-size/", {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "页面不存在"), ("en", "Page not found")]
)
def test_404_is_the_portals_page_in_the_readers_language(language, title):
    client = Client()
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-status="404"' in page and title in page
    assert 'id="site-facts"' in page  # the whole site frame, not a bare message


def test_403_is_the_portals_page(make_staff):
    client = Client()
    client.force_login(make_staff(role=StaffRole.AGENCY_LIAISON))
    response = client.get("/console/routing/")
    assert response.status_code == 403
    assert 'data-status="403"' in response.content.decode()


def test_500_is_the_portals_page_without_touching_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert 'data-status="500"' in page and "系统暂时无法处理您的请求" in page
