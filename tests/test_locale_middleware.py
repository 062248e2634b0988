"""The locale middleware: Django's behaviour, without the URL-prefix lookups the project's
URLconf (no ``i18n_patterns``) never uses."""

import pytest
from django.conf import settings
from django.utils import translation

from integrity_portal.middleware import LocaleMiddleware

pytestmark = pytest.mark.django_db

UNKNOWN_AGENCY = "/api/v1/agencies/999999/credit/"


def test_it_is_the_configured_locale_middleware():
    assert "integrity_portal.middleware.LocaleMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE


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


def test_the_path_is_not_searched_for_a_language(client, monkeypatch):
    # Django's middleware looks for a language prefix in every path, twice per request.
    def forbidden(path):
        raise AssertionError(f"language looked up in the path {path}")

    monkeypatch.setattr(translation, "get_language_from_path", forbidden)
    assert client.get(UNKNOWN_AGENCY).status_code == 404


def test_with_i18n_patterns_it_is_djangos_middleware(client, settings, monkeypatch):
    settings.ROOT_URLCONF = "tests.i18n_prefixed_urls"
    calls = []
    original = translation.get_language_from_path

    def counting(path):
        calls.append(path)
        return original(path)

    monkeypatch.setattr(translation, "get_language_from_path", counting)
    assert client.get("/en/language/").content == b"en"
    assert client.get("/zh-hans/language/").content == b"zh-hans"
    # Django's redirect to the prefixed URL, for a path without a language.
    redirect = client.get("/language/", headers={"Accept-Language": "en"})
    assert redirect.status_code == 302
    assert redirect["Location"] == "/en/language/"
    assert calls  # the prefix lookups are Django's again
    assert LocaleMiddleware.__mro__[1].__module__ == "django.middleware.locale"
