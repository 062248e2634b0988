"""The interface language: Django's locale middleware, as configured."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

UNKNOWN_AGENCY = "/api/v1/agencies/999999/credit/"


def test_it_is_djangos_locale_middleware():
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_chinese_by_default_with_the_headers_djangos_sets(client):
    response = client.get(UNKNOWN_AGENCY)
    assert response.status_code == 404
    assert response["Content-Language"] == "zh-hans"
    assert "Accept-Language" in response["Vary"]
    assert response.json()["detail"] == "未找到。"


def test_the_browser_language_is_followed(client):
    response = client.get(UNKNOWN_AGENCY, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "Not found."


def test_the_language_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(UNKNOWN_AGENCY, headers={"Accept-Language": "zh-CN"})
    assert response["Content-Language"] == "en"


def test_a_language_left_active_by_an_earlier_request_is_replaced(client):
    client.get(UNKNOWN_AGENCY, headers={"Accept-Language": "en"})
    response = client.get(UNKNOWN_AGENCY)
    assert response["Content-Language"] == "zh-hans"
